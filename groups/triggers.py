"""The rules of group attendance the database keeps, whatever door a change comes through.

1. Every insert or change of an attendance mark writes a row into the change log (AttendanceChange):
   the attendance screen, a phone sending marks it kept offline, an excused absence, a queryset update and
   raw SQL are all recorded. The row copies who marked (`recorded_by`), when the mark was made
   (`recorded_at`) and when the server received it (`received_at`), and the id her phone gave the mark.
   A writer that changes a mark without stamping it (no new `recorded_at`) is logged with nobody as the
   author and the database's clock as the time received: the change is visible, not attributed. These
   triggers are core's (core.attendance.change_log_sql), shared with training attendance.
2. A membership's dates cannot exclude her attendance marks, and a membership with marks cannot be deleted:
   the grid shows marks only while she was a member, donor counts include every mark, and the two must
   agree (see models.membership_dates_problem, which says the same in words before this refuses).
3. A mark, once recorded, is not deleted: reports count it and the change log refers to it.
4. The present marks are kept counted by woman, cohort and month for the donor reports (groups.presence).
5. A session whose time, room or cancellation changes gets a higher iCalendar SEQUENCE, whoever wrote it
   (core.calendar_sequence): the services raise it themselves, the trigger when a writer did not.

Installed after every migrate, as core.appendonly does, because SQLite drops a table's triggers whenever a
migration rebuilds the table. On SQLite the local day of a session comes from the function Django
registers on each of its connections, so a connection opened outside Django cannot change a membership's
dates (it fails with "no such function"), which errs on the safe side.
"""

from django.db import connections

from core.attendance import ChangeLog, Tracked, change_log_sql
from core.calendar_sequence import SequenceRule, sequence_sql
from core.dates import local_day_sql
from groups.presence import (
    presence_rebuild,
    presence_triggers_found,
    presence_triggers_install,
    presence_triggers_remove,
)

_MEMBERSHIP_DATES = "groups_membership_keeps_marks"
_MARKS_KEPT = "groups_attendance_kept"
# What a facilitator's calendar shows of a session; its topic is encrypted (its stored form changes at every
# save), and the services raise the SEQUENCE for a new topic themselves.
SESSION_SEQUENCE = SequenceRule("groups_session_sequence", "groups_groupsession", ("start", "end", "room", "cancelled"))

ATTENDANCE_LOG = ChangeLog(
    name="groups_attendance_logged",
    table="groups_attendance",
    log_table="groups_attendancechange",
    mark_column="attendance_id",
    tracked=(
        Tracked("status", "old_status", "new_status", before_new="''"),
        Tracked("children_present", "old_children", "new_children", before_new="NULL"),
    ),
)


def _marks_outside(connection, row: str, *, deleting: str) -> str:
    """EXISTS(...) over her marks in the cohort that the new dates would leave out (or any, when `deleting`)."""
    day = local_day_sql(connection, 's."start"')
    # Table and column names are fixed here; the only value, the time zone, is checked by local_day_sql.
    return (
        'EXISTS (SELECT 1 FROM "groups_attendance" a JOIN "groups_groupsession" s ON s."id" = a."session_id" '  # noqa: S608
        f'WHERE s."cohort_id" = OLD."cohort_id" AND a."member_id" = OLD."member_id" AND ({deleting} '
        f'OR {row}."cohort_id" <> OLD."cohort_id" OR {row}."member_id" <> OLD."member_id" '
        f'OR {day} < {row}."joined_on" OR ({row}."left_on" IS NOT NULL AND {day} > {row}."left_on")))'
    )


def _sqlite_sql(connection) -> tuple[list[str], list[str]]:
    names = [f"{_MEMBERSHIP_DATES}_update", f"{_MEMBERSHIP_DATES}_delete", f"{_MARKS_KEPT}_delete"]
    drop = [f'DROP TRIGGER IF EXISTS "{name}"' for name in names]
    # Fixed names and SQL throughout: no value from outside this module.
    create = [
        f'CREATE TRIGGER "{names[0]}" BEFORE UPDATE ON "groups_membership" '
        f"WHEN {_marks_outside(connection, 'NEW', deleting='0')} BEGIN "
        "SELECT RAISE(ABORT, 'groups_membership: these dates would leave out her attendance marks'); END",
        f'CREATE TRIGGER "{names[1]}" BEFORE DELETE ON "groups_membership" '
        f"WHEN {_marks_outside(connection, 'OLD', deleting='1')} BEGIN "
        "SELECT RAISE(ABORT, 'groups_membership: she has attendance marks in this cohort'); END",
        f'CREATE TRIGGER "{names[2]}" BEFORE DELETE ON "groups_attendance" BEGIN '
        "SELECT RAISE(ABORT, 'groups_attendance: a recorded mark is kept'); END",
    ]
    log_install, log_remove = change_log_sql(ATTENDANCE_LOG, "sqlite")
    return log_install + drop + create, log_remove + drop


def _postgresql_sql(connection) -> tuple[list[str], list[str]]:
    dates_function = (
        f'CREATE OR REPLACE FUNCTION "{_MEMBERSHIP_DATES}"() RETURNS trigger AS $$\n'
        "BEGIN\n"
        "    IF TG_OP = 'DELETE' THEN\n"
        f"        IF {_marks_outside(connection, 'OLD', deleting='TRUE')} THEN\n"
        "            RAISE EXCEPTION 'groups_membership: she has attendance marks in this cohort'\n"
        "                USING ERRCODE = 'integrity_constraint_violation';\n"
        "        END IF;\n"
        "        RETURN OLD;\n"
        "    END IF;\n"
        f"    IF {_marks_outside(connection, 'NEW', deleting='FALSE')} THEN\n"
        "        RAISE EXCEPTION 'groups_membership: these dates would leave out her attendance marks'\n"
        "            USING ERRCODE = 'integrity_constraint_violation';\n"
        "    END IF;\n"
        "    RETURN NEW;\n"
        "END;\n"
        "$$ LANGUAGE plpgsql"
    )
    kept_function = (
        f'CREATE OR REPLACE FUNCTION "{_MARKS_KEPT}"() RETURNS trigger AS $$\n'
        "BEGIN\n"
        "    RAISE EXCEPTION 'groups_attendance: a recorded mark is kept'\n"
        "        USING ERRCODE = 'integrity_constraint_violation';\n"
        "END;\n"
        "$$ LANGUAGE plpgsql"
    )
    drop = [
        f'DROP TRIGGER IF EXISTS "{_MEMBERSHIP_DATES}" ON "groups_membership"',
        f'DROP FUNCTION IF EXISTS "{_MEMBERSHIP_DATES}"()',
        f'DROP TRIGGER IF EXISTS "{_MARKS_KEPT}" ON "groups_attendance"',
        f'DROP FUNCTION IF EXISTS "{_MARKS_KEPT}"()',
    ]
    create = [
        dates_function,
        f'DROP TRIGGER IF EXISTS "{_MEMBERSHIP_DATES}" ON "groups_membership"',
        f'CREATE TRIGGER "{_MEMBERSHIP_DATES}" BEFORE UPDATE OR DELETE ON "groups_membership" '
        f'FOR EACH ROW EXECUTE FUNCTION "{_MEMBERSHIP_DATES}"()',
        kept_function,
        f'DROP TRIGGER IF EXISTS "{_MARKS_KEPT}" ON "groups_attendance"',
        f'CREATE TRIGGER "{_MARKS_KEPT}" BEFORE DELETE ON "groups_attendance" '
        f'FOR EACH ROW EXECUTE FUNCTION "{_MARKS_KEPT}"()',
    ]
    log_install, log_remove = change_log_sql(ATTENDANCE_LOG, "postgresql")
    return log_install + create, log_remove + drop


def trigger_sql(connection) -> tuple[list[str], list[str]]:
    """(statements that install, statements that remove) the triggers for this connection's database."""
    if connection.vendor == "sqlite":
        return _sqlite_sql(connection)
    if connection.vendor == "postgresql":
        return _postgresql_sql(connection)
    return [], []


def triggers_install(*, using="default") -> None:
    presence_triggers_install(using=using)
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {"groups_attendance", "groups_attendancechange", "groups_membership"} <= tables:
        return
    with connection.cursor() as cursor:
        # The change log's new columns must exist: a migrate stopped before the migration adding them must not fail.
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "groups_attendancechange")}
        if "client_id" not in columns:
            return
        for statement in [*trigger_sql(connection)[0], *sequence_sql(SESSION_SEQUENCE, connection.vendor)[0]]:
            # No params: the driver must not read a "%" in the SQL as a placeholder.
            cursor.execute(statement)


def triggers_remove(*, using="default") -> None:
    presence_triggers_remove(using=using)
    connection = connections[using]
    if "groups_attendance" not in set(connection.introspection.table_names()):
        return
    with connection.cursor() as cursor:
        for statement in [*trigger_sql(connection)[1], *sequence_sql(SESSION_SEQUENCE, connection.vendor)[1]]:
            cursor.execute(statement)


def install_after_migrate(sender, using="default", **kwargs):
    counted = presence_triggers_found(using=using)
    triggers_install(using=using)
    if not counted:  # groups.presence: marks written while a trigger was missing are counted now
        presence_rebuild(using=using)
