"""SQL written by the project's own triggers and constraints, from its own constants; and the ORM's SQL of
queries asked on every request, compiled once."""

import re

from django.db import connections

_CODE = re.compile(r"^[a-z_]+$")


def sql_literals(values) -> str:
    """Choice codes as a list of SQL string literals ("'held', 'confirmed'") for an `IN (...)` of a trigger.
    Only plain codes (lowercase letters and underscores) are taken: anything else is refused, not quoted."""
    codes = [str(value) for value in values]
    if not codes or not all(_CODE.match(code) for code in codes):
        raise ValueError(f"not plain choice codes: {codes!r}")
    return ", ".join(f"'{code}'" for code in codes)


# A number no row's key is: where the compiled SQL's parameters hold it, each call's value goes.
_STAND_IN = 900_000_000_001


class PreparedRows:
    """The rows of a query that pages ask on every request with one value changing (her id), as the ORM
    writes it, compiled once per database instead of on every call.

    Building a small query through the ORM (joins, lookups, the compiler) costs several times what the
    database takes to answer it: a frame of the Wagtail admin asked six such queries about the person
    herself, about 2 ms of its 13. `build(value)` returns the queryset (a `values_list`); it is compiled
    with a stand-in value, and each call runs that SQL with the stand-in's parameters replaced by its own
    value. Rows come as the database returns them (no field conversion): for text and integer columns."""

    def __init__(self, build):
        self._build = build
        self._compiled: dict[str, tuple[str, tuple, tuple[int, ...]]] = {}

    def _compile(self, using: str):
        compiled = self._compiled.get(using)
        if compiled is None:
            queryset = self._build(_STAND_IN)
            sql, params = queryset.query.get_compiler(using=using).as_sql()
            positions = tuple(index for index, param in enumerate(params) if param == _STAND_IN)
            if not positions:
                raise ValueError("the query does not use the value it was built with")
            compiled = self._compiled[using] = (sql, tuple(params), positions)
        return compiled

    def __call__(self, value: int, *, using: str = "default") -> list[tuple]:
        sql, params, positions = self._compile(using)
        params = list(params)
        for index in positions:
            params[index] = int(value)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
