from django.db import migrations


class Migration(migrations.Migration):
    """core.UsedFormToken now owns the table; the audit app only forgets the model."""

    dependencies = [("audit", "0004_survivor_log_labels"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="UsedFormToken")], database_operations=[])
    ]
