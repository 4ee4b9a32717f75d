"""The women's presence by cohort and month (MonthlyPresence), kept counted by the database.

A donor report counts the women present in its months, their attendances and the children who came, split by
cohort, programme, month and what is recorded about each woman, and the attendance rate (present marks among
all marks): grouping every present mark of a quarter (at ten times the bench's data set, a hundred thousand)
was a third of counting a live report. The database keeps those groups as the marks are written: triggers on
the marks and on their sessions add a mark where it counts (a mark of a held session, in the organisation's
calendar month of its start: to `marked`, and when it is present to `present` and `children` too) and take it
away where it no longer does (marked otherwise, moved to another woman, session, cohort or month, the session
cancelled), whatever door the change comes through (a page, the admin, a queryset update, raw SQL). A row of
a woman marked but never present has `present` 0, and is not read as hers; one whose marks all went stays
with nothing counted.

A migrate that finds one of the triggers missing counts every mark again once they are in place: the first
migrate, and one whose migration rebuilt the marks' or the sessions' table, which drops its triggers on
SQLite (marks written meanwhile would be missed). A migrate that found them all leaves the counts as they
are: after a migrate that rewrote it, a report's figures took 310 ms of CPU at ten times the bench's data,
against 223 once SQLite had moved its write-ahead log back into the database.

On SQLite the month comes from the function Django registers on each of its connections (as the other
triggers of groups do): a connection opened outside Django cannot write a mark ("no such function").
"""

from django.db import connections, transaction

from core.dates import local_day_sql

TABLE = "groups_monthlypresence"
_NAME = "groups_presence"
_PRESENT = "'present'"
_MARK_INSERT, _MARK_UPDATE, _MARK_DELETE, _SESSION_UPDATE = (
    f"{_NAME}_{name}" for name in ("mark_insert", "mark_update", "mark_delete", "session_update")
)
_TRIGGERS = (_MARK_INSERT, _MARK_UPDATE, _MARK_DELETE, _SESSION_UPDATE)


def _month(connection, column: str) -> str:
    """SQL for "YYYY-MM" of the organisation-local day of an aware datetime column."""
    day = local_day_sql(connection, column)
    if connection.vendor == "sqlite":
        return f"substr({day}, 1, 7)"
    return f"to_char({day}, 'YYYY-MM')"


_INSERT = f'INSERT INTO "{TABLE}" ("month", "cohort_id", "member_id", "present", "children", "marked") '
_COUNTS = ("present", "children", "marked")


def _counted(select: str) -> str:
    """Add the rows `select` gives (month, cohort, woman, times present, children, marks) to the counts."""
    added = ", ".join(f'"{count}" = "{TABLE}"."{count}" + excluded."{count}"' for count in _COUNTS)
    return f'{_INSERT}{select} ON CONFLICT ("month", "cohort_id", "member_id") DO UPDATE SET {added}'


def _present(mark: str) -> str:
    """SQL: 1 for a present mark `mark`, else 0."""
    return f'CASE WHEN {mark}."status" = {_PRESENT} THEN 1 ELSE 0 END'


def _children(mark: str) -> str:
    """SQL: the children who came with her to the mark `mark` if she was present, else 0."""
    return f'CASE WHEN {mark}."status" = {_PRESENT} THEN {mark}."children_present" ELSE 0 END'


def _added(connection, mark: str) -> str:
    """Count the mark `mark` (NEW or OLD) where it counts, if its session is held."""
    # Fixed names and SQL throughout: the one value, the time zone, is checked by local_day_sql.
    return _counted(
        f'SELECT {_month(connection, "s.start")}, s."cohort_id", {mark}."member_id", {_present(mark)}, '  # noqa: S608
        f"{_children(mark)}, 1 "
        f'FROM "groups_groupsession" s WHERE s."id" = {mark}."session_id" AND NOT s."cancelled"'
    )


def _taken(connection, mark: str) -> str:
    """Take the mark `mark` away from where it counted."""
    return (
        f'UPDATE "{TABLE}" SET "present" = "present" - {_present(mark)}, '  # noqa: S608
        f'"children" = "children" - {_children(mark)}, "marked" = "marked" - 1 '
        'WHERE ("month", "cohort_id", "member_id") = ('
        f'SELECT {_month(connection, "s.start")}, s."cohort_id", {mark}."member_id" '
        f'FROM "groups_groupsession" s WHERE s."id" = {mark}."session_id" AND NOT s."cancelled")'
    )


def _session_marks(session: str) -> str:
    return f'FROM "groups_attendance" a WHERE a."session_id" = {session}."id"'


# A session's marks of one woman (or of each, grouped by her): times present, children, marks.
_SESSION_COUNTS = (
    f"COALESCE(SUM({_present('a')}), 0)",
    f"COALESCE(SUM({_children('a')}), 0)",
    "COUNT(*)",
)


def _session_taken(connection, session: str) -> str:
    """Take a session's marks away from where they counted (its month and cohort before a change)."""
    marks = f'{_session_marks(session)} AND a."member_id" = "{TABLE}"."member_id"'
    taken = ", ".join(
        f'"{count}" = "{count}" - (SELECT {sql} {marks})' for count, sql in zip(_COUNTS, _SESSION_COUNTS, strict=True)
    )
    return (
        f'UPDATE "{TABLE}" SET {taken} '  # noqa: S608
        f'WHERE NOT {session}."cancelled" AND "month" = {_month(connection, f"{session}.start")} '
        f'AND "cohort_id" = {session}."cohort_id" AND "member_id" IN (SELECT a."member_id" {_session_marks(session)})'
    )


def _session_added(connection, session: str) -> str:
    """Count a session's marks where they count now."""
    return _counted(
        f'SELECT {_month(connection, f"{session}.start")}, {session}."cohort_id", a."member_id", '
        f'{", ".join(_SESSION_COUNTS)} {_session_marks(session)} AND NOT {session}."cancelled" GROUP BY a."member_id"'
    )


_MARK_CHANGED = ("status", "children_present", "member_id", "session_id")
_SESSION_CHANGED = ("start", "cancelled", "cohort_id")


def _changed(columns, *, sqlite: bool) -> str:
    differ = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return " OR ".join(f'OLD."{column}" {differ} NEW."{column}"' for column in columns)


def rebuild_sql(connection) -> list[str]:
    """Count every mark again, from nothing."""
    return [
        f'DELETE FROM "{TABLE}"',  # noqa: S608
        f'{_INSERT}SELECT {_month(connection, "s.start")}, s."cohort_id", a."member_id", '  # noqa: S608
        f"{', '.join(_SESSION_COUNTS)} "
        'FROM "groups_attendance" a JOIN "groups_groupsession" s ON s."id" = a."session_id" '
        'WHERE NOT s."cancelled" GROUP BY 1, 2, 3',
    ]


def _sqlite_sql(connection) -> tuple[list[str], list[str]]:
    drop = [f'DROP TRIGGER IF EXISTS "{name}"' for name in _TRIGGERS]
    create = [
        f'CREATE TRIGGER "{_MARK_INSERT}" AFTER INSERT ON "groups_attendance" BEGIN {_added(connection, "NEW")}; END',
        f'CREATE TRIGGER "{_MARK_UPDATE}" AFTER UPDATE ON "groups_attendance" '
        f"WHEN {_changed(_MARK_CHANGED, sqlite=True)} "
        f"BEGIN {_taken(connection, 'OLD')}; {_added(connection, 'NEW')}; END",
        f'CREATE TRIGGER "{_MARK_DELETE}" AFTER DELETE ON "groups_attendance" BEGIN {_taken(connection, "OLD")}; END',
        f'CREATE TRIGGER "{_SESSION_UPDATE}" AFTER UPDATE ON "groups_groupsession" '
        f"WHEN {_changed(_SESSION_CHANGED, sqlite=True)} "
        f"BEGIN {_session_taken(connection, 'OLD')}; {_session_added(connection, 'NEW')}; END",
    ]
    return drop + create, drop


def _postgresql_sql(connection) -> tuple[list[str], list[str]]:
    marks_function = (
        f'CREATE OR REPLACE FUNCTION "{_NAME}_mark"() RETURNS trigger AS $$\n'
        "BEGIN\n"
        "    IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
        f"        {_taken(connection, 'OLD')};\n"
        "    END IF;\n"
        "    IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
        f"        {_added(connection, 'NEW')};\n"
        "    END IF;\n"
        "    RETURN NULL;\n"
        "END;\n"
        "$$ LANGUAGE plpgsql"
    )
    sessions_function = (
        f'CREATE OR REPLACE FUNCTION "{_NAME}_session"() RETURNS trigger AS $$\n'
        "BEGIN\n"
        f"    {_session_taken(connection, 'OLD')};\n"
        f"    {_session_added(connection, 'NEW')};\n"
        "    RETURN NULL;\n"
        "END;\n"
        "$$ LANGUAGE plpgsql"
    )
    drop = [
        f'DROP TRIGGER IF EXISTS "{_MARK_INSERT}" ON "groups_attendance"',
        f'DROP TRIGGER IF EXISTS "{_MARK_UPDATE}" ON "groups_attendance"',
        f'DROP TRIGGER IF EXISTS "{_MARK_DELETE}" ON "groups_attendance"',
        f'DROP TRIGGER IF EXISTS "{_SESSION_UPDATE}" ON "groups_groupsession"',
        f'DROP FUNCTION IF EXISTS "{_NAME}_mark"()',
        f'DROP FUNCTION IF EXISTS "{_NAME}_session"()',
    ]
    create = [
        marks_function,
        sessions_function,
        *drop[:4],
        f'CREATE TRIGGER "{_MARK_INSERT}" AFTER INSERT ON "groups_attendance" '
        f'FOR EACH ROW EXECUTE FUNCTION "{_NAME}_mark"()',
        f'CREATE TRIGGER "{_MARK_UPDATE}" AFTER UPDATE ON "groups_attendance" '
        f'FOR EACH ROW WHEN ({_changed(_MARK_CHANGED, sqlite=False)}) EXECUTE FUNCTION "{_NAME}_mark"()',
        f'CREATE TRIGGER "{_MARK_DELETE}" AFTER DELETE ON "groups_attendance" '
        f'FOR EACH ROW EXECUTE FUNCTION "{_NAME}_mark"()',
        f'CREATE TRIGGER "{_SESSION_UPDATE}" AFTER UPDATE ON "groups_groupsession" '
        f'FOR EACH ROW WHEN ({_changed(_SESSION_CHANGED, sqlite=False)}) EXECUTE FUNCTION "{_NAME}_session"()',
    ]
    return create, drop


def presence_sql(connection) -> tuple[list[str], list[str]]:
    """(statements that install, statements that remove) the triggers for this connection's database."""
    if connection.vendor == "sqlite":
        return _sqlite_sql(connection)
    if connection.vendor == "postgresql":
        return _postgresql_sql(connection)
    return [], []


def _ready(connection) -> bool:
    return {TABLE, "groups_attendance", "groups_groupsession"} <= set(connection.introspection.table_names())


def _executed(using: str, statements_for) -> None:
    """Run the statements `statements_for(connection)` writes, once the tables they name are there."""
    connection = connections[using]
    if not _ready(connection):
        return
    with connection.cursor() as cursor:
        for statement in statements_for(connection):
            cursor.execute(statement)  # no params: a "%" in the SQL is not a placeholder


def presence_triggers_install(*, using="default") -> None:
    _executed(using, lambda connection: presence_sql(connection)[0])


def presence_triggers_remove(*, using="default") -> None:
    _executed(using, lambda connection: presence_sql(connection)[1])


def presence_triggers_found(*, using="default") -> bool:
    """Whether every trigger that keeps the counts is in the database."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        query = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s, %s)"
    elif connection.vendor == "postgresql":
        query = "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname IN (%s, %s, %s, %s)"
    else:
        return False
    with connection.cursor() as cursor:
        cursor.execute(query, list(_TRIGGERS))
        return cursor.fetchone()[0] == len(_TRIGGERS)


def presence_rebuild(*, using="default") -> None:
    """Every mark counted again, its triggers already in place (after a migrate: see the module's text)."""
    with transaction.atomic(using=using):
        _executed(using, rebuild_sql)
