import core.fields
from django.db import migrations, models

# (model, fields): free text about the professionals around her case, plain until now.
PLAIN = [("caseconference", ["place"]), ("conferenceparticipant", ["name", "role"])]


def lift_triggers(apps, schema_editor):
    """The closed-case triggers would refuse the rows of closed cases; they are put back after migrate."""
    from cases.triggers import lift_for_migration

    lift_for_migration(apps, schema_editor)


def _rewrite(apps, schema_editor, convert):
    """Rewrite each value with `convert`, row by row."""
    for model_name, fields in PLAIN:
        model = apps.get_model("cases", model_name)
        for row in model.objects.only("pk", *fields).iterator():
            values = {name: convert(getattr(row, name)) for name in fields if getattr(row, name)}
            if values:
                model.objects.filter(pk=row.pk).update(**values)


def encrypt(apps, schema_editor):
    from core.fields import encrypt_text

    _rewrite(apps, schema_editor, encrypt_text)


def decrypt(apps, schema_editor):
    from core.fields import decrypt_text

    _rewrite(apps, schema_editor, decrypt_text)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_case_lifecycle'),
    ]

    operations = [
        migrations.RunPython(lift_triggers, lift_triggers),
        migrations.AlterModelOptions(
            name='conferenceparticipant',
            options={'ordering': ['institution__name', 'id'], 'verbose_name': 'participant', 'verbose_name_plural': 'participants'},
        ),
        # First as plain text without a length limit, so that the tokens fit; then encrypted in place.
        migrations.AlterField(
            model_name='caseconference',
            name='place',
            field=models.TextField(blank=True, verbose_name='place'),
        ),
        migrations.AlterField(
            model_name='conferenceparticipant',
            name='name',
            field=models.TextField(help_text='The professional attending.', verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='conferenceparticipant',
            name='role',
            field=models.TextField(blank=True, verbose_name='role'),
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.AlterField(
            model_name='caseconference',
            name='place',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='place'),
        ),
        migrations.AlterField(
            model_name='conferenceparticipant',
            name='name',
            field=core.fields.EncryptedTextField(help_text='The professional attending.', verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='conferenceparticipant',
            name='role',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='role'),
        ),
    ]
