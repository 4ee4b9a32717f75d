"""Wagtail's history log kept survivor records under their title (her alias); relabel those kept so far."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat


def forwards(apps, schema_editor):
    from audit.signals import SURVIVOR_MODELS

    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    for app_label, model in SURVIVOR_MODELS:
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is not None:
            ModelLogEntry.objects.filter(content_type=content_type).update(
                label=Concat(Value(f"{model} "), "object_id")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_only_trigger"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0076_modellogentry_revision"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
