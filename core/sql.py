"""SQL written by the project's own triggers and constraints, from its own constants; and the ORM's SQL of
queries asked on every request, compiled once."""

import datetime as dt
import re
from collections.abc import Callable

from django.db import connections

from core.expressions import Ids

_CODE = re.compile(r"^[a-z_]+$")


def sql_literals(values) -> str:
    """Choice codes as a list of SQL string literals ("'held', 'confirmed'") for an `IN (...)` of a trigger.
    Only plain codes (lowercase letters and underscores) are taken: anything else is refused, not quoted."""
    codes = [str(value) for value in values]
    if not codes or not all(_CODE.match(code) for code in codes):
        raise ValueError(f"not plain choice codes: {codes!r}")
    return ", ".join(f"'{code}'" for code in codes)


# Values put in where a call's values go. They are never sent as they are (each call's values replace them),
# so a row may hold them too; only a constant of the query equal to one would be taken for it. Within a
# 32-bit integer's range: PostgreSQL's integer keys refuse a lookup beyond it before any SQL is written.
_STAND_IN = 2_147_480_001


def _stand_in(kind, index: int):
    if kind is int:
        return _STAND_IN + index
    if kind is dt.date:
        return dt.date(1001 + index, 2, 3)
    if kind is dt.datetime:
        return dt.datetime(1001 + index, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    if kind is Ids:
        return Ids([_STAND_IN + 1000 + index])
    raise TypeError(f"not a kind of value a prepared query takes: {kind!r}")


def _form(kind, stand_in, connection) -> tuple[object, Callable]:
    """The parameter a stand-in of `kind` is among the compiled ones, and how a call's value is written in
    its place: as the ORM writes a value of that kind for this database."""
    if kind is int:
        return stand_in, int
    if kind is dt.date:
        adapted = connection.ops.adapt_datefield_value
        return adapted(stand_in), adapted
    if kind is dt.datetime:
        adapted = connection.ops.adapt_datetimefield_value
        return adapted(stand_in), adapted
    return stand_in.parameter(connection), lambda value: value.parameter(connection)


class PreparedRows:
    """The rows of a query that pages ask on every request with only its values changing (her id, a set of
    cases, today, the bounds of a run of days), as the ORM writes and reads it, compiled once per database
    instead of on every call.

    Building a small query through the ORM (joins, lookups, the compiler) costs several times what the
    database takes to answer it: the Wagtail admin asked four such queries about the person herself (her
    permissions, two of them, and her page and collection permissions) on every page, a case's page six for
    what is due in it (2.8 of its 3.5 ms). `build(*values)` returns the queryset (a `values_list`); it is
    compiled with stand-in values of `kinds` (int: an id; datetime.date; datetime.datetime: an aware moment;
    core.expressions.Ids: a set of ids), and each call runs that SQL with every stand-in's parameter
    replaced by its own value. Rows are read as the ORM reads them (its converters: dates are dates on
    SQLite too), as tuples. A stand-in the compiled SQL does not hold as itself (a query that computes with
    the value) is refused."""

    def __init__(self, build, kinds=(int,)):
        self._build = build
        self._kinds = tuple(kinds)
        self._compiled: dict[str, tuple] = {}

    def _compile(self, using: str):
        compiled = self._compiled.get(using)
        if compiled is not None:
            return compiled
        connection = connections[using]
        stand_ins = [_stand_in(kind, index) for index, kind in enumerate(self._kinds)]
        compiler = self._build(*stand_ins).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        forms = [_form(kind, stand_in, connection) for kind, stand_in in zip(self._kinds, stand_ins, strict=True)]
        places, found = [], set()
        for position, param in enumerate(params):
            for index, (form, write) in enumerate(forms):
                if type(form) is type(param) and form == param:
                    places.append((position, index, write))
                    found.add(index)
                    break
        if found != set(range(len(self._kinds))):
            raise ValueError("the query does not use each value it was built with as it is")
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("composite fields are not read by a prepared query")
        converters = list(compiler.get_converters(fields).items())
        compiled = self._compiled[using] = (sql, tuple(params), places, converters)
        return compiled

    def __call__(self, *values, using: str = "default") -> list[tuple]:
        sql, params, places, converters = self._compile(using)
        params = list(params)
        for position, index, write in places:
            params[position] = write(values[index])
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted
