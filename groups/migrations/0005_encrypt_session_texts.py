"""Encrypt the topic and the reason for cancelling of existing group sessions, and give existing marks
their time received (the time they were recorded: until now the two were the same).

Reads and writes the raw column values: the field class in the migration state would try to decrypt the
plain text already stored. A value that already decrypts is left alone, so running this twice is harmless.
"""

from django.db import migrations
from django.db.models import F



def _rows(connection):
    with connection.cursor() as cursor:
        cursor.execute('SELECT "id", "topic", "cancel_reason" FROM "groups_groupsession"')
        return cursor.fetchall()


def _write(connection, changes):
    with connection.cursor() as cursor:
        for pk, values in changes:
            cursor.execute(
                'UPDATE "groups_groupsession" SET "topic" = %s, "cancel_reason" = %s WHERE "id" = %s', [*values, pk]
            )


def encrypt(apps, schema_editor):
    from cryptography.fernet import InvalidToken

    from core.fields import fernet

    def encrypted(value):
        if not value:
            return value or ""
        try:
            fernet().decrypt(value.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError, ValueError):
            return fernet().encrypt(value.encode("utf-8")).decode("ascii")
        return value

    connection = schema_editor.connection
    changes = []
    for pk, *values in _rows(connection):
        new = [encrypted(v) for v in values]
        if new != list(values):
            changes.append((pk, new))
    _write(connection, changes)
    Attendance = apps.get_model("groups", "Attendance")
    Attendance.objects.update(received_at=F("recorded_at"))


def decrypt(apps, schema_editor):
    from core.fields import decrypt_text

    connection = schema_editor.connection
    changes = [(pk, [decrypt_text(v) if v else "" for v in values]) for pk, *values in _rows(connection)]
    _write(connection, changes)


class Migration(migrations.Migration):

    dependencies = [
        ("groups", "0004_device_marks_followups_encrypted_topic"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
