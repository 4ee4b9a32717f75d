"""SQL written by the project's own triggers and constraints, from its own constants."""

import re

_CODE = re.compile(r"^[a-z_]+$")


def sql_literals(values) -> str:
    """Choice codes as a list of SQL string literals ("'held', 'confirmed'") for an `IN (...)` of a trigger.
    Only plain codes (lowercase letters and underscores) are taken: anything else is refused, not quoted."""
    codes = [str(value) for value in values]
    if not codes or not all(_CODE.match(code) for code in codes):
        raise ValueError(f"not plain choice codes: {codes!r}")
    return ", ".join(f"'{code}'" for code in codes)
