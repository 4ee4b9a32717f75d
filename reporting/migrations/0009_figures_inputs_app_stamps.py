"""Each app's stamp of its input tables (reporting.inputs): on SQLite a row of the stamp table per app, put in
here so that a migrated database holds it before anyone reads it (an app added later gets its row when first
read). PostgreSQL keeps these stamps in sequences, made where the triggers are installed."""

import secrets
import zlib

from django.db import migrations

# The apps whose tables donor figures are counted from when this migration was written.
LABELS = ["accounts", "cases", "certificates", "core", "counseling", "groups", "reporting", "trainings"]


def _row(label: str) -> int:
    # As reporting.inputs._app_row, written out: a migration keeps working whatever the code becomes.
    return 2 + zlib.crc32(label.encode()) % 2_000_000_000


def add_rows(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    stamp = apps.get_model("reporting", "FiguresInputsStamp")
    stamp.objects.using(schema_editor.connection.alias).bulk_create(
        [stamp(pk=_row(label), stamp=secrets.randbits(62)) for label in LABELS], ignore_conflicts=True
    )


def remove_rows(apps, schema_editor):
    stamp = apps.get_model("reporting", "FiguresInputsStamp")
    stamp.objects.using(schema_editor.connection.alias).exclude(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0008_figures_inputs_stamp")]

    operations = [migrations.RunPython(add_rows, remove_rows)]
