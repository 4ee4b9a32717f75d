from django.db import migrations, models


class Migration(migrations.Migration):
    """The spent form tokens move from the audit app to the shared package; the table stays where it is."""

    initial = True

    dependencies = [("audit", "0004_survivor_log_labels")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="UsedFormToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("token", models.CharField(max_length=64, unique=True)),
                        ("used_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={"db_table": "audit_usedformtoken", "default_permissions": ()},
                )
            ],
            database_operations=[],
        )
    ]
