"""No double booking on SQLite either, below the ORM; and a booking's calendar entry changes with it.

On PostgreSQL two exclusion constraints refuse a booking that overlaps another active one of the same
counselor or room (migration 0003). SQLite has no exclusion constraint, and the booking services' own check
(inside an IMMEDIATE transaction, one writer at a time) guards only the doors that go through them: a bulk
insert, a queryset update, an import or raw SQL could still put two women in one room at one time. These
triggers refuse the same rows the constraints refuse, under the constraints' names, so that a service
meeting one says why in the same words (counseling.services.OVERLAP_CONSTRAINTS).

A booking whose time, room or status changes gets a higher iCalendar SEQUENCE on either database, whoever
wrote it (core.calendar_sequence): the model raises it itself, the trigger when a writer did not.

Installed after every migrate and removed before it (counseling.apps): SQLite drops a table's triggers when
it rebuilds the table for a schema change.
"""

from django.db import connections

from core.calendar_sequence import SequenceRule, sequence_sql
from core.sql import sql_literals
from counseling.enums import ACTIVE_BOOKING_STATUSES

TABLE = "counseling_booking"
OVERLAP_MESSAGE = "another active booking of the same {what} overlaps this one"
# Booking.CALENDAR_FIELDS, as columns.
BOOKING_SEQUENCE = SequenceRule("counseling_booking_sequence", TABLE, ("start", "end", "room_id", "status"))


def _active() -> str:
    return sql_literals(ACTIVE_BOOKING_STATUSES)


def _rules():
    """(constraint name, column, what it names, further condition on the new row): as migration 0003's."""
    return (
        ("booking_counselor_no_overlap", "counselor_id", "counselor", ""),
        ("booking_room_no_overlap", "room_id", "room", 'NEW."room_id" IS NOT NULL AND '),
    )


def _statements() -> tuple[list[str], list[str]]:
    install, remove = [], []
    for name, column, what, condition in _rules():
        # `IS NOT` for the id: a row being inserted has none yet, and `<>` with NULL would find nothing.
        # Moments compared as moments (julianday), not as text: raw SQL may write one with a UTC offset or a
        # "T", which sorts as text apart from the same moment written by Django.
        refused = (  # constant names and statuses of this module: no value from outside
            f'{condition}NEW."status" IN ({_active()}) AND EXISTS (SELECT 1 FROM "{TABLE}" b '  # noqa: S608
            f'WHERE b."{column}" = NEW."{column}" AND b."id" IS NOT NEW."id" AND b."status" IN ({_active()}) '
            f'AND julianday(b."start") < julianday(NEW."end") AND julianday(b."end") > julianday(NEW."start"))'
        )
        message = f"{name}: {OVERLAP_MESSAGE.format(what=what)}"
        for event in ("insert", "update"):
            trigger = f"{name}_{event}"
            remove.append(f'DROP TRIGGER IF EXISTS "{trigger}"')
            install.append(
                f'CREATE TRIGGER "{trigger}" BEFORE {event.upper()} ON "{TABLE}" WHEN {refused} '
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    return remove + install, remove


def _run(statements: list[str], *, using) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite" or TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def overlap_triggers_install(*, using="default") -> None:
    _run(_statements()[0], using=using)


def overlap_triggers_remove(*, using="default") -> None:
    _run(_statements()[1], using=using)


def _sequence_run(which: int, *, using) -> None:
    connection = connections[using]
    if TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for statement in sequence_sql(BOOKING_SEQUENCE, connection.vendor)[which]:
            cursor.execute(statement)


def install_after_migrate(sender, using="default", **kwargs):
    overlap_triggers_install(using=using)
    _sequence_run(0, using=using)


def remove_before_migrate(sender, using="default", **kwargs):
    overlap_triggers_remove(using=using)
    _sequence_run(1, using=using)
