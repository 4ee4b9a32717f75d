"""The audit log's own PostgreSQL trigger gives way to the one every append-only table now has
(core.appendonly, installed after each migrate on SQLite and PostgreSQL alike)."""

from django.db import migrations

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_usedformtoken_moved_to_core")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
