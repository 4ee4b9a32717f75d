from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core.fields import EncryptedTextField, fernet

BATCH = 500


def encrypted_columns():
    """(model, field) for every EncryptedTextField of every installed model, found by introspection."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted survivor field with the first key of HAVEN_FIELD_ENCRYPTION_KEYS. "
        "Older keys must still be listed after it while this runs; afterwards they can be removed."
    )

    def handle(self, *args, **options):
        keys = fernet()
        total = 0
        for model, field in encrypted_columns():
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            column = connection.ops.quote_name(field.column)
            count = 0
            # Raw SQL on purpose: the tokens are rotated as they are, never decrypted into Python objects.
            # The identifiers come from model metadata, quoted by the backend; values are parameters.
            select_sql = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608  # nosec B608
            update_sql = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"  # noqa: S608  # nosec B608
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select_sql)
                rows = cursor.fetchall()
                for start in range(0, len(rows), BATCH):
                    updates = [
                        (keys.rotate(token.encode("ascii")).decode("ascii"), row_pk)
                        for row_pk, token in rows[start : start + BATCH]
                    ]
                    cursor.executemany(update_sql, updates)
                    count += len(updates)
            total += count
            self.stdout.write(f"{model._meta.label}.{field.name}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} values with the first key."))
