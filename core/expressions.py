"""Database expressions that Django does not write portably."""

import json

from django.db import models


class LastsAtMost(models.Func):
    """True when `end` comes at most `seconds` after `start`: a CHECK constraint bounding how long a row lasts.

    Django writes `F("start") + timedelta(...)` on SQLite with a function only its own connections have, so
    a constraint built on it would refuse every write made by any other client of the database file. Here
    each database does the arithmetic with its own functions. SQLite's julianday() is a double (about 50
    microseconds at today's dates), so it gets a millisecond of slack; the Python check before it is exact.
    """

    output_field = models.BooleanField()

    def __init__(self, start, end, *, seconds: int):
        self.seconds = int(seconds)
        super().__init__(start, end)

    def _compiled(self, compiler):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        return start_sql, end_sql, (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        start, end, params = self._compiled(compiler)
        return f"((julianday({end}) - julianday({start})) * 86400.0 <= {self.seconds}.001)", params

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL: interval arithmetic
        start, end, params = self._compiled(compiler)
        return f"({end} <= {start} + INTERVAL '{self.seconds} seconds')", params


class Ids(models.Expression):
    """Ids as one parameter, for `pk__in=Ids(ids)`: a JSON array on SQLite, an array on PostgreSQL.

    Django prepares an `__in` list value by value (about 1.2 microseconds each: 5 ms for the quarter's 4,000
    women at ten times the bench's data set, as long as SQLite took to read their records), and a list
    longer than the database's limit on parameters cannot be sent at all."""

    def __init__(self, ids):
        super().__init__(output_field=models.BigIntegerField())
        self.ids = sorted({int(pk) for pk in ids})

    def parameter(self, connection):
        """The one parameter the ids go as: a JSON array on SQLite, a list (an array) on PostgreSQL."""
        return json.dumps(self.ids) if connection.vendor == "sqlite" else list(self.ids)

    def as_sqlite(self, compiler, connection, **extra_context):
        return "(SELECT value FROM json_each(%s))", [self.parameter(connection)]

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL
        return "(SELECT unnest(%s::bigint[]))", [self.parameter(connection)]


class AsReturned(models.ExpressionWrapper):
    """An integer expression read as the database returns it, without Django's converter on each row's value.

    SQLite and PostgreSQL return a COUNT, or a CASE of integer values, as a Python int already; Django still
    calls int() on it row by row (about 8 ms of a live report's figures at ten times the bench's data set,
    whose grouped rows number tens of thousands). Not for a SUM: PostgreSQL returns the SUM of a bigint as a
    Decimal."""

    def __init__(self, expression):
        super().__init__(expression, output_field=models.IntegerField())

    def get_db_converters(self, connection):
        return []
