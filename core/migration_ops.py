"""Migration operations shared by the apps."""

from django.db import migrations


def foreign_key_index_dropped(app_label: str, model_name: str, field_name: str, field):
    """The foreign key `field` (now with db_index=False) loses the index Django made for it, by that name.

    AlterField alone would do the same, but on SQLite by copying the whole table into a new one: at a million
    attendance marks, a locked database for one index. The name is the one Django gave the index, the same on
    SQLite and PostgreSQL.
    """

    def _names(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        table, column = model._meta.db_table, model._meta.get_field(field_name).column
        quote = schema_editor.quote_name
        return quote(schema_editor._create_index_name(table, [column], suffix="")), quote(table), quote(column)

    def drop(apps, schema_editor):
        index, _table, _column = _names(apps, schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")

    def create(apps, schema_editor):
        index, table, column = _names(apps, schema_editor)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})")

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=field_name, field=field)],
        database_operations=[migrations.RunPython(drop, create)],
    )
