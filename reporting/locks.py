"""The period lock, for the activity apps: a change to activity that a submitted or locked report already
counts is refused. The apps import this small module, not reporting's services."""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections

from core.dates import local_day_sql
from core.sql import sql_literals
from reporting.enums import FROZEN_STATUSES
from reporting.models import ReportingPeriod
from reporting.selectors import period_lock_message

# The code of period_guard's refusal: a page for people outside the organisation says it in its own words.
PERIOD_LOCKED = "period_locked"


def period_guard(*, project_id: int | None, on_date: date) -> None:
    """Raise ValidationError naming the frozen period (and who locked it) that counts activity on that day."""
    if project_id is None:
        return
    period = (
        ReportingPeriod.objects.filter(
            project_id=project_id, status__in=FROZEN_STATUSES, start_date__lte=on_date, end_date__gte=on_date
        )
        .select_related("project", "locked_by__profile")
        .first()
    )
    if period is not None:
        raise ValidationError(period_lock_message(period), code=PERIOD_LOCKED)


def frozen_spans(*, project_ids) -> dict[int, list[tuple[date, date]]]:
    """The (first, last day) of every submitted or locked period of these projects, in one query: for a page
    that leaves out what a frozen report would refuse, instead of offering it."""
    spans: dict[int, list[tuple[date, date]]] = {}
    periods = ReportingPeriod.objects.filter(project_id__in=set(project_ids) - {None}, status__in=FROZEN_STATUSES)
    for project_id, start, end in periods.values_list("project_id", "start_date", "end_date"):
        spans.setdefault(project_id, []).append((start, end))
    return spans


def lock_refused(error: IntegrityError) -> bool:
    """Whether the database refused the write for the period lock (the triggers below)."""
    return LOCK_MESSAGE in str(error)


@contextmanager
def period_lock_words(guard: Callable[[], None]):
    """Around a service's write: the database's refusal of a write a period now counts (one submitted or
    locked after the service's own check, while the write was on its way) said in the same words, by running
    that check (`guard`, a period_guard call) again; nothing saved. Outside the write's own transaction,
    which the refusal has rolled back. The check is asked for only then: no query on the way of every write."""
    try:
        yield
    except IntegrityError as error:
        if not lock_refused(error):
            raise
        guard()
        raise


# Below the services: the database refuses the same ----------------------------------------------------------
#
# `period_guard` says in words why a page or a service refuses; these triggers (SQLite and PostgreSQL) refuse
# the same change through every other door: the ORM's save, a queryset update, a bulk insert, raw SQL. A live
# report's "to date" figures add the open period to what the last locked report carried forward, which holds
# only while nothing a frozen report counts can change underneath it.
#
# Each activity app registers the rows a report counts (`locked_rows_register`, in its measures module, which
# its AppConfig.ready imports); the reporting app installs the triggers after every migrate, and lifts them
# before it (SQLite rebuilds tables, and a trigger that reads another table stands in the way of that table's
# rebuild) and around a flush.

_PERIOD_TABLE = ReportingPeriod._meta.db_table
LOCK_MESSAGE = "a submitted or locked donor report counts this activity: it cannot be added, changed or deleted"


@dataclass(frozen=True)
class Counted:
    """Where a row is counted: its project and its day, as SQL over the row (`{row}`: NEW or OLD), either a
    date (`day`) or an aware moment whose organisation-local day counts (`moment`), with the tables they
    come from (`tables`, joined by `where`).

    Which change of a row this count sees is the table's (`LockedRows.columns` and `.changed`) unless it
    names its own (`columns`, `changed`): an enrolment that goes from enrolled to completed is the same seat
    taken where its edition began, and a completion more where it ended."""

    project: str
    day: str = ""
    moment: str = ""
    tables: tuple[str, ...] = ()
    where: str = ""
    columns: tuple[str, ...] = ()
    changed: str = ""


@dataclass(frozen=True)
class LockedRows:
    """A table whose rows a donor report counts: a change to one of `columns` (or what `changed` says, SQL
    true when a change counts) is refused where a frozen period counts the row before or after it."""

    table: str
    counted: tuple[Counted, ...]
    columns: tuple[str, ...] = ()
    changed: str = ""
    insert: bool = True
    delete: bool = True


_REGISTERED: dict[str, LockedRows] = {}


def locked_rows_register(rows: LockedRows) -> None:
    _REGISTERED[rows.table] = rows


def locked_rows() -> list[LockedRows]:
    return sorted(_REGISTERED.values(), key=lambda rows: rows.table)


def _counted_from(connection, counted: Counted, row: str, *, frozen: bool) -> str:
    """FROM ... WHERE ... of the periods that count the row (`frozen`: only the submitted or locked ones)."""
    day = counted.day.format(row=row) if counted.day else local_day_sql(connection, counted.moment.format(row=row))
    tables = "".join(f", {table}" for table in counted.tables)
    conditions = [f"({counted.where.format(row=row)})"] if counted.where else []
    conditions.append(f'p."project_id" = {counted.project.format(row=row)}')
    if frozen:
        conditions.append(f'p."status" IN ({sql_literals(FROZEN_STATUSES)})')
    conditions += [f'p."start_date" <= {day}', f'p."end_date" >= {day}']
    # Fixed table and column names from the registering apps' code: no value from outside.
    return f'"{_PERIOD_TABLE}" p{tables} WHERE ' + " AND ".join(conditions)


def _counted_sql(connection, counted: Counted, row: str) -> str:
    return f"EXISTS (SELECT 1 FROM {_counted_from(connection, counted, row, frozen=True)})"  # noqa: S608


def _periods_held_sql(connection, rows: LockedRows, row: str) -> str:
    """PostgreSQL: hold the periods that count the row (any status) until the writer's transaction ends, so
    that a period being submitted or locked meanwhile (period_transition holds its row from the start, then
    counts) waits for this write and counts it, or this write waits for it and is refused. SQLite needs
    none: its transactions are IMMEDIATE, one writer at a time."""
    return "".join(
        f"PERFORM 1 FROM {_counted_from(connection, counted, row, frozen=False)} FOR SHARE OF p; "
        for counted in rows.counted
    )


def _frozen_sql(connection, rows: LockedRows, row: str) -> str:
    return "(" + " OR ".join(_counted_sql(connection, counted, row) for counted in rows.counted) + ")"


def _changed_sql(columns: tuple[str, ...], changed: str, vendor: str) -> str:
    same = "IS" if vendor == "sqlite" else "IS NOT DISTINCT FROM"
    parts = [f'NOT (NEW."{column}" {same} OLD."{column}")' for column in columns]
    if changed:
        parts.append(f"({changed})")
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def _seen_sql(rows: LockedRows, counted: Counted, vendor: str) -> str:
    """Whether an update changes what this count sees: its own columns and condition, or else the table's."""
    if counted.columns or counted.changed:
        return _changed_sql(counted.columns, counted.changed, vendor)
    return _changed_sql(rows.columns, rows.changed, vendor)


def _update_refused_sql(connection, rows: LockedRows, vendor: str) -> str:
    """An update is refused where a change one of the counts sees meets a frozen period counting the row
    before or after it."""
    parts = [
        f"({_seen_sql(rows, counted, vendor)} AND ({_counted_sql(connection, counted, 'OLD')} "
        f"OR {_counted_sql(connection, counted, 'NEW')}))"
        for counted in rows.counted
    ]
    return "(" + " OR ".join(parts) + ")"


def _update_changed_sql(rows: LockedRows, vendor: str) -> str:
    """Whether an update changes anything any count sees (PostgreSQL holds the periods only then)."""
    return "(" + " OR ".join(dict.fromkeys(_seen_sql(rows, counted, vendor) for counted in rows.counted)) + ")"


def _sqlite_lock_sql(connection, rows: LockedRows) -> tuple[list[str], list[str]]:
    name = f"{rows.table}_period_lock"
    abort = f"BEGIN SELECT RAISE(ABORT, '{rows.table}: {LOCK_MESSAGE}'); END"
    events = {
        "insert": f'BEFORE INSERT ON "{rows.table}" WHEN {_frozen_sql(connection, rows, "NEW")}' if rows.insert else "",
        "update": f'BEFORE UPDATE ON "{rows.table}" WHEN {_update_refused_sql(connection, rows, "sqlite")}',
        "delete": f'BEFORE DELETE ON "{rows.table}" WHEN {_frozen_sql(connection, rows, "OLD")}' if rows.delete else "",
    }
    drop = [f'DROP TRIGGER IF EXISTS "{name}_{event}"' for event in events]
    create = [f'CREATE TRIGGER "{name}_{event}" {when} {abort}' for event, when in events.items() if when]
    return drop + create, drop


def _postgresql_lock_sql(connection, rows: LockedRows) -> tuple[list[str], list[str]]:
    name = f"{rows.table}_period_lock"
    refuse = f"RAISE EXCEPTION '{rows.table}: {LOCK_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';"
    function = (
        f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger AS $$\n'
        "BEGIN\n"
        "    IF TG_OP = 'INSERT' THEN\n"
        f"        {_periods_held_sql(connection, rows, 'NEW')}\n"
        f"        IF {_frozen_sql(connection, rows, 'NEW')} THEN {refuse} END IF;\n"
        "        RETURN NEW;\n"
        "    ELSIF TG_OP = 'UPDATE' THEN\n"
        f"        IF {_update_changed_sql(rows, 'postgresql')} THEN\n"
        f"            {_periods_held_sql(connection, rows, 'OLD')}{_periods_held_sql(connection, rows, 'NEW')}\n"
        f"            IF {_update_refused_sql(connection, rows, 'postgresql')} THEN\n"
        f"                {refuse}\n"
        "            END IF;\n"
        "        END IF;\n"
        "        RETURN NEW;\n"
        "    END IF;\n"
        f"    {_periods_held_sql(connection, rows, 'OLD')}\n"
        f"    IF {_frozen_sql(connection, rows, 'OLD')} THEN {refuse} END IF;\n"
        "    RETURN OLD;\n"
        "END;\n"
        "$$ LANGUAGE plpgsql"
    )
    events = " OR ".join(
        event for event, wanted in (("INSERT", rows.insert), ("UPDATE", True), ("DELETE", rows.delete)) if wanted
    )
    drop = [f'DROP TRIGGER IF EXISTS "{name}" ON "{rows.table}"', f'DROP FUNCTION IF EXISTS "{name}"()']
    create = [
        function,
        f'DROP TRIGGER IF EXISTS "{name}" ON "{rows.table}"',
        f'CREATE TRIGGER "{name}" BEFORE {events} ON "{rows.table}" FOR EACH ROW EXECUTE FUNCTION "{name}"()',
    ]
    return create, drop


def lock_trigger_sql(connection, rows: LockedRows) -> tuple[list[str], list[str]]:
    """(statements that install, statements that remove) the period lock's triggers on one table."""
    if connection.vendor == "sqlite":
        return _sqlite_lock_sql(connection, rows)
    if connection.vendor == "postgresql":
        return _postgresql_lock_sql(connection, rows)
    return [], []


def _tables_needed(rows: LockedRows) -> set[str]:
    quoted = {table.split()[0].strip('"') for counted in rows.counted for table in counted.tables}
    return {rows.table, _PERIOD_TABLE, *quoted}


def lock_triggers_install(*, using="default") -> None:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for rows in locked_rows():
            # A migrate stopped before one of its tables (or one that went back) installs the others.
            if _tables_needed(rows) <= existing:
                for statement in lock_trigger_sql(connection, rows)[0]:
                    cursor.execute(statement)


def lock_triggers_remove(*, using="default") -> None:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for rows in locked_rows():
            if rows.table in existing:
                for statement in lock_trigger_sql(connection, rows)[1]:
                    cursor.execute(statement)


def locks_install_after_migrate(sender, using="default", **kwargs):
    lock_triggers_install(using=using)


def locks_remove_before_migrate(sender, using="default", **kwargs):
    lock_triggers_remove(using=using)
