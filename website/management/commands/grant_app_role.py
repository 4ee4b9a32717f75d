"""Give the application's PostgreSQL role what it needs, and not a right more (README, "PostgreSQL roles").

Two roles: the owner, who runs `migrate` and owns every table, and the application role that the web
servers and workers log in as. The application role reads and writes rows (SELECT, INSERT, UPDATE,
DELETE) and uses the sequences; it owns nothing and holds no TRUNCATE, TRIGGER or REFERENCES right. So it
cannot empty the append-only histories with TRUNCATE (which row triggers do not see), nor ALTER TABLE ...
DISABLE TRIGGER or DROP TRIGGER (both need ownership): the triggers of core.appendonly stand between it
and the audit log whatever code runs under it.

Run as the owner after every `migrate`; default privileges cover tables that later migrations create, and
running it again is harmless.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from core.appendonly import append_only_models


def _quote(connection, name):
    return connection.ops.quote_name(name)


class Command(BaseCommand):
    help = (
        "PostgreSQL: grant the application role row access to every table (no TRUNCATE, no trigger rights, no "
        "ownership). Run as the owning role after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the web servers and workers log in as, e.g. haven_app")
        parser.add_argument("--database", default="default")

    def handle(self, *args, role, database="default", **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("Roles are a PostgreSQL matter: SQLite has none (and is no production database).")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolbypassrls, current_user, current_schema() FROM pg_roles WHERE rolname = %s",
                [role],
            )
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"The role {role} does not exist: CREATE ROLE {role} LOGIN PASSWORD '...' first.")
            superuser, bypass, owner, schema = row
            if role == owner:
                raise CommandError("Run this as the owning role, for the application role: not for the owner itself.")
            if superuser or bypass:
                raise CommandError(f"The role {role} is a superuser: it could do anything. Use a plain LOGIN role.")
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tableowner = %s", [schema, role])
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"The role {role} owns tables in {schema}: migrate as the owner, then REASSIGN OWNED BY {role}."
                )
            grantee, schema_name = _quote(connection, role), _quote(connection, schema)
            database_name = _quote(connection, connection.settings_dict["NAME"])
            owner_name = _quote(connection, owner)
            statements = [
                f"GRANT CONNECT ON DATABASE {database_name} TO {grantee}",
                f"GRANT USAGE ON SCHEMA {schema_name} TO {grantee}",
                f"REVOKE CREATE ON SCHEMA {schema_name} FROM {grantee}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_name} TO {grantee}",
                f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema_name} FROM {grantee}",
                f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema_name} TO {grantee}",
                # Tables and sequences the owner creates in later migrations get the same rights.
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_name} IN SCHEMA {schema_name} "
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {grantee}",
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_name} IN SCHEMA {schema_name} "
                f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {grantee}",
            ]
            with transaction.atomic(using=database):
                for statement in statements:
                    cursor.execute(statement)
            histories = [model._meta.db_table for model in append_only_models()]
            cursor.execute(
                "SELECT count(DISTINCT c.relname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relname = ANY(%s) AND t.tgname LIKE %s",
                [histories, "%_append_only"],
            )
            guarded = cursor.fetchone()[0]
        if guarded < len(histories):
            raise CommandError(
                f"Only {guarded} of {len(histories)} append-only tables have their trigger: run migrate first."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{role} may read and write rows in {schema}; it owns nothing and cannot truncate or switch off the "
                f"triggers of the {len(histories)} append-only tables."
            )
        )
