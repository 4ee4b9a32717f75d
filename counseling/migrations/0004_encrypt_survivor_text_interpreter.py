"""Encrypt the survivor text counseling still kept in plain: a client's safe times, a booking's reason for
cancelling, the alias of an intake request (and give the intake fields their size limits); record whether a
client needs an interpreter and for which language; translated messages for the time constraints.

The existing values are encrypted after the columns become text: the raw column values are read and
written, because the field class in the migration state would try to decrypt the plain text already
stored. A value that already decrypts is left alone, so running this twice is harmless.
"""

from django.db import migrations, models

import core.fields

ENCRYPTED = {
    "counseling_client": ("safe_times",),
    "counseling_booking": ("cancel_reason",),
    "counseling_intakerequest": ("alias",),
}


def _rewrite(schema_editor, change):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for table, columns in ENCRYPTED.items():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote('id')}, {', '.join(map(quote, columns))} FROM {quote(table)}")  # noqa: S608  # nosec B608 - names from this file
            rows = cursor.fetchall()
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        with connection.cursor() as cursor:
            for pk, *values in rows:
                new = [change(value) for value in values]
                if new != values:
                    cursor.execute(f"UPDATE {quote(table)} SET {assignments} WHERE {quote('id')} = %s", [*new, pk])  # noqa: S608  # nosec B608 - names from this file


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

    _rewrite(schema_editor, encrypted)


def decrypt(apps, schema_editor):
    from core.fields import decrypt_text

    _rewrite(schema_editor, lambda value: decrypt_text(value) if value else "")


class Migration(migrations.Migration):
    dependencies = [
        ("counseling", "0003_booking_no_overlap_postgres"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="interpreter_language",
            field=models.CharField(
                blank=True,
                help_text="For example Romani, Arabic or sign language.",
                max_length=100,
                verbose_name="language to interpret",
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="interpreter_needed",
            field=models.BooleanField(default=False, verbose_name="needs an interpreter"),
        ),
        migrations.AlterField(
            model_name="booking",
            name="cancel_reason",
            field=core.fields.EncryptedTextField(blank=True, max_length=500, verbose_name="reason for cancelling"),
        ),
        migrations.AlterField(
            model_name="client",
            name="counselors",
            field=models.ManyToManyField(
                blank=True,
                help_text="Counselors assigned to her may open her file. A counselor may also open it while she has a recent or upcoming booking with her, or works on her case.",
                related_name="clients",
                to="counseling.counselorprofile",
                verbose_name="her counselors",
            ),
        ),
        migrations.AlterField(
            model_name="client",
            name="safe_times",
            field=core.fields.EncryptedTextField(blank=True, max_length=200, verbose_name="safe times to contact"),
        ),
        migrations.AlterField(
            model_name="intakerequest",
            name="alias",
            field=core.fields.EncryptedTextField(max_length=100, verbose_name="what should we call you"),
        ),
        migrations.AlterField(
            model_name="intakerequest",
            name="needs",
            field=core.fields.EncryptedTextField(blank=True, max_length=4000, verbose_name="what you need help with"),
        ),
        migrations.AlterField(
            model_name="intakerequest",
            name="safe_contact",
            field=core.fields.EncryptedTextField(max_length=500, verbose_name="safe way to contact you"),
        ),
        migrations.AlterField(
            model_name="intakerequest",
            name="safe_times",
            field=core.fields.EncryptedTextField(blank=True, max_length=500, verbose_name="safe times to contact you"),
        ),
        migrations.AlterConstraint(
            model_name="availabilityexception",
            name="exception_end_after_start",
            constraint=models.CheckConstraint(
                condition=models.Q(("end__gt", models.F("start"))),
                name="exception_end_after_start",
                violation_error_message="The absence must end after it starts.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="availabilitywindow",
            name="window_end_after_start",
            constraint=models.CheckConstraint(
                condition=models.Q(("end_time__gt", models.F("start_time"))),
                name="window_end_after_start",
                violation_error_message="The window must end after it starts.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="booking",
            name="booking_end_after_start",
            constraint=models.CheckConstraint(
                condition=models.Q(("end__gt", models.F("start"))),
                name="booking_end_after_start",
                violation_error_message="The end must be after the start.",
            ),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
