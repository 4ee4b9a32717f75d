"""The application's PostgreSQL role cannot empty or unguard the append-only histories, and can still work.

Runs on PostgreSQL with HAVEN_TEST_APP_DATABASE_URL naming a plain login role (CI creates `haven_app`); the
test database is the one the owner role made for the suite.
"""

import dj_database_url
import psycopg
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from psycopg import errors

from audit.models import AuditEntry
from core.appendonly import append_only_models
from tests.production.conftest import service

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are a PostgreSQL matter"),
]

HISTORIES = sorted(model._meta.db_table for model in append_only_models())


@pytest.fixture
def as_app():
    """A connection to the test database as the application role, after the owner granted it its rights."""
    url = dj_database_url.parse(service("HAVEN_TEST_APP_DATABASE_URL"))
    call_command("grant_app_role", url["USER"])
    conn = psycopg.connect(
        host=url["HOST"],
        port=url["PORT"] or 5432,
        user=url["USER"],
        password=url["PASSWORD"],
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    )
    yield conn
    conn.close()


@pytest.mark.parametrize("table", HISTORIES)
def test_the_app_role_cannot_truncate_or_switch_off_the_guard_of_a_history(as_app, table):
    trigger = f"{table}_append_only"
    refused = [
        f'TRUNCATE "{table}"',
        f'TRUNCATE "{table}" CASCADE',
        f'ALTER TABLE "{table}" DISABLE TRIGGER ALL',
        f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"',
        f'DROP TRIGGER "{trigger}" ON "{table}"',
        f'ALTER TABLE "{table}" OWNER TO CURRENT_USER',
        f'DROP TABLE "{table}"',
    ]
    for statement in refused:
        with pytest.raises(errors.InsufficientPrivilege):
            as_app.execute(statement)
    # The trigger is still there and enabled ("O": fires in the origin role, i.e. always for the app).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = %s AND t.tgname = %s",
            [table, trigger],
        )
        assert cursor.fetchone() == ("O",)


def test_the_app_role_cannot_skip_triggers_for_its_session(as_app):
    # session_replication_role = replica would silence every ordinary trigger: superusers only.
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("SET session_replication_role = replica")


def test_the_app_role_writes_rows_and_the_histories_stay_append_only(as_app):
    content_type = ContentType.objects.get_for_model(AuditEntry).pk
    entry_id = as_app.execute(
        "INSERT INTO audit_auditentry (at, actor_email, action, content_type_id, object_id, listed_ids, detail) "
        "VALUES (now(), '', 'view', %s, '1', '', 'by the app role') RETURNING id",
        [content_type],
    ).fetchone()[0]
    assert AuditEntry.objects.get(pk=entry_id).detail == "by the app role"
    for statement in (
        "UPDATE audit_auditentry SET detail = 'rewritten' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(errors.RaiseException, match="append-only"):
            as_app.execute(statement, [entry_id])

    # An ordinary table: insert, change, delete.
    run_id = as_app.execute(
        "INSERT INTO website_scheduledrun (job, slot, enqueued_at) VALUES ('probe', 'x', now()) RETURNING id"
    ).fetchone()[0]
    as_app.execute("UPDATE website_scheduledrun SET slot = 'y' WHERE id = %s", [run_id])
    assert as_app.execute("DELETE FROM website_scheduledrun WHERE id = %s", [run_id]).rowcount == 1


def test_the_app_role_moves_the_donor_figures_stamp_and_reads_it(as_app):
    """Its writes to a table donor figures count go through the stamp's trigger (sequence and lock rights),
    and the live report it serves reads the stamp with the app role's rights (reporting.inputs)."""
    from reporting.inputs import _SEQUENCE

    def stamp():
        return as_app.execute(f'SELECT last_value, is_called FROM "{_SEQUENCE}"').fetchone()  # noqa: S608

    before = stamp()
    row = as_app.execute("INSERT INTO core_municipality (name) VALUES ('Probe') RETURNING id").fetchone()[0]
    assert stamp() != before
    as_app.execute("DELETE FROM core_municipality WHERE id = %s", [row])
    assert as_app.execute("SELECT pg_try_advisory_lock(1), pg_advisory_unlock(1)").fetchone() == (True, True)


def test_the_app_role_owns_nothing_and_grant_refuses_a_superuser(as_app):
    role = as_app.info.user
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = %s", [role])
        assert cursor.fetchone()[0] == 0
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="owning role"):
        call_command("grant_app_role", connection.settings_dict["USER"])
