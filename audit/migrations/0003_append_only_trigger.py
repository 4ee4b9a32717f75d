"""On PostgreSQL, the database itself refuses to change or delete audit entries.

The application already refuses (AuditEntry.save/delete, the queryset), but a trigger also stops a
raw SQL statement or a compromised account of the application. The one UPDATE allowed is the one Django
makes when a user row is deleted: setting actor to NULL, leaving the recorded email and everything
else untouched. TRUNCATE (used by test teardown and a deliberate restore) is not a row change.
SQLite has no such guard: its test teardown deletes rows one by one.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.actor_id IS NULL
        AND (NEW.id, NEW.at, NEW.actor_email, NEW.action, NEW.content_type_id, NEW.object_id,
             NEW.ip_address, NEW.detail)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.at, OLD.actor_email, OLD.action, OLD.content_type_id, OLD.object_id,
             OLD.ip_address, OLD.detail)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No params: psycopg must not read the "%" of the plpgsql RAISE as a placeholder.
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_usedformtoken_compelleddisclosure")]

    operations = [migrations.RunPython(forwards, backwards)]
