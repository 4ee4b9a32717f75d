"""Three rules of trainings the database keeps, whatever door a change comes through.

1. Seats never exceed capacity while an edition takes people (planned or open): an enrolment that holds a
   seat (enrolled, offered, waiting for approval, completed or not) is refused once the edition's seats
   are all held, and an edition's capacity cannot drop below the seats already held. The services check
   the same under the edition's row lock and say it in words; this catches a queryset update, a bulk
   insert or raw SQL. A closed or cancelled edition's list is history, and seats no longer count there.
2. A session whose time or cancellation changes gets a higher iCalendar SEQUENCE, so that calendars that
   already hold it accept the change. The model raises it itself; the trigger (core.calendar_sequence, the
   same as group sessions' and bookings') raises it only when a writer did not.
3. Every insert or change of an attendance mark writes a row into its change log (TrainingAttendanceChange):
   the attendance screen, a phone sending marks it kept offline, a self check-in, a queryset update and raw
   SQL are all recorded, with who marked, when the mark was made and when the server received it. The
   triggers are core's (core.attendance.change_log_sql), the same as group attendance's.

Installed after every migrate (TrainingsConfig.ready), as core.appendonly does, because SQLite drops a
table's triggers whenever a migration rebuilds the table.
"""

from django.db import connections

from core.attendance import ChangeLog, Tracked, change_log_sql
from core.calendar_sequence import SequenceRule, sequence_sql
from core.sql import sql_literals
from trainings.enums import SEAT_HOLDING_STATUSES, EditionStatus

_ENROLLMENT = "trainings_enrollment"
_EDITION = "trainings_edition"
_SESSION = "trainings_trainingsession"
_SEATS = "trainings_seats_within_capacity"
SESSION_SEQUENCE = SequenceRule("trainings_session_sequence", _SESSION, ("start", "end", "cancelled"))

ATTENDANCE_LOG = ChangeLog(
    name="trainings_attendance_logged",
    table="trainings_trainingattendance",
    log_table="trainings_trainingattendancechange",
    mark_column="attendance_id",
    tracked=(Tracked("status", "old_status", "new_status", before_new="''"),),
)


def _over() -> str:
    return f"('{EditionStatus.CLOSED.value}', '{EditionStatus.CANCELLED.value}')"


def _seat_statuses() -> str:
    return sql_literals(SEAT_HOLDING_STATUSES)


def _seats_held(edition_id: str) -> str:
    return (
        f'(SELECT COUNT(*) FROM "{_ENROLLMENT}" WHERE "edition_id" = {edition_id} '  # noqa: S608 - names are constants
        f'AND "status" IN ({_seat_statuses()}))'
    )


def _capacity(edition_id: str) -> str:
    """The edition's capacity while it takes people; no limit (NULL compares as unknown) once it is over."""
    return (
        f'(SELECT "capacity" FROM "{_EDITION}" WHERE "id" = {edition_id} '  # noqa: S608 - names are constants
        f'AND "status" NOT IN {_over()})'
    )


def _sqlite_sql() -> tuple[list[str], list[str]]:
    names = [f"{_SEATS}_insert", f"{_SEATS}_update", f"{_SEATS}_capacity"]
    drop = [f'DROP TRIGGER IF EXISTS "{name}"' for name in names]
    full = (
        f"BEGIN SELECT RAISE(ABORT, '{_ENROLLMENT}: the edition is full') "
        f"WHERE {_seats_held('NEW.edition_id')} > {_capacity('NEW.edition_id')}; END"
    )
    create = [
        f'CREATE TRIGGER "{names[0]}" AFTER INSERT ON "{_ENROLLMENT}" WHEN NEW."status" IN ({_seat_statuses()}) {full}',
        f'CREATE TRIGGER "{names[1]}" AFTER UPDATE OF "status", "edition_id" ON "{_ENROLLMENT}" '
        f'WHEN NEW."status" IN ({_seat_statuses()}) {full}',
        f'CREATE TRIGGER "{names[2]}" AFTER UPDATE OF "capacity" ON "{_EDITION}" '
        f'WHEN NEW."capacity" < OLD."capacity" AND NEW."status" NOT IN {_over()} '
        f"BEGIN SELECT RAISE(ABORT, '{_EDITION}: capacity below the seats held') "
        f'WHERE {_seats_held("NEW.id")} > NEW."capacity"; END',
    ]
    sequence_install, sequence_drop = sequence_sql(SESSION_SEQUENCE, "sqlite")
    return drop + create + sequence_install, drop + sequence_drop


def _postgresql_sql() -> tuple[list[str], list[str]]:
    seats_function = (
        f'CREATE OR REPLACE FUNCTION "{_SEATS}"() RETURNS trigger AS $$\n'
        "BEGIN\n"
        f"    IF TG_TABLE_NAME = '{_EDITION}' THEN\n"
        f'        IF NEW."capacity" < OLD."capacity" AND NEW."status" NOT IN {_over()}\n'
        f'           AND {_seats_held("NEW.id")} > NEW."capacity" THEN\n'
        f"            RAISE EXCEPTION '{_EDITION}: capacity below the seats held'\n"
        "                USING ERRCODE = 'integrity_constraint_violation';\n"
        "        END IF;\n"
        f'    ELSIF NEW."status" IN ({_seat_statuses()})\n'
        f"          AND {_seats_held('NEW.edition_id')} > {_capacity('NEW.edition_id')} THEN\n"
        f"        RAISE EXCEPTION '{_ENROLLMENT}: the edition is full'\n"
        "            USING ERRCODE = 'integrity_constraint_violation';\n"
        "    END IF;\n"
        "    RETURN NULL;\n"
        "END;\n"
        "$$ LANGUAGE plpgsql"
    )
    drop = [
        f'DROP TRIGGER IF EXISTS "{_SEATS}" ON "{_ENROLLMENT}"',
        f'DROP TRIGGER IF EXISTS "{_SEATS}" ON "{_EDITION}"',
        f'DROP FUNCTION IF EXISTS "{_SEATS}"()',
    ]
    create = [
        seats_function,
        f'DROP TRIGGER IF EXISTS "{_SEATS}" ON "{_ENROLLMENT}"',
        f'CREATE TRIGGER "{_SEATS}" AFTER INSERT OR UPDATE OF "status", "edition_id" ON "{_ENROLLMENT}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{_SEATS}"()',
        f'DROP TRIGGER IF EXISTS "{_SEATS}" ON "{_EDITION}"',
        f'CREATE TRIGGER "{_SEATS}" AFTER UPDATE OF "capacity" ON "{_EDITION}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{_SEATS}"()',
    ]
    sequence_install, sequence_drop = sequence_sql(SESSION_SEQUENCE, "postgresql")
    return create + sequence_install, drop + sequence_drop


def trigger_sql(connection) -> tuple[list[str], list[str]]:
    """(statements that install, statements that remove) the triggers for this connection's database."""
    if connection.vendor == "sqlite":
        return _sqlite_sql()
    if connection.vendor == "postgresql":
        return _postgresql_sql()
    return [], []


def triggers_install(*, using="default") -> None:
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {_ENROLLMENT, _EDITION, _SESSION} <= tables:
        return
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, _SESSION)}
        if "cancelled" not in columns:
            return  # a migrate that stopped before the column was added
        install, remove = change_log_sql(ATTENDANCE_LOG, connection.vendor)
        # Without its table (a migrate stopped before it, or one that went back) the log would refuse every mark.
        log = install if ATTENDANCE_LOG.log_table in tables else remove
        for statement in [*trigger_sql(connection)[0], *log]:
            # No params: the driver must not read a "%" in the SQL as a placeholder.
            cursor.execute(statement)


def install_after_migrate(sender, using="default", **kwargs):
    triggers_install(using=using)
