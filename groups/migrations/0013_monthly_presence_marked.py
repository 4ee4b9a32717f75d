from django.db import migrations, models


def counts_made_again_after_the_migrate(apps, schema_editor):
    """The triggers go before the table is rebuilt (on SQLite a trigger naming a table in the middle of its
    rebuild stops it): the migrate that finds them missing puts them back and counts every mark again, the
    new column with the rest (groups.triggers.install_after_migrate)."""
    from groups.presence import presence_triggers_remove

    presence_triggers_remove(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0012_monthly_presence"),
    ]

    operations = [
        migrations.RunPython(counts_made_again_after_the_migrate, migrations.RunPython.noop, elidable=False),
        migrations.AddField(
            model_name="monthlypresence",
            name="marked",
            field=models.IntegerField(default=0, verbose_name="times marked"),
        ),
    ]
