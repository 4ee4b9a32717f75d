from django.db import migrations

CONTENT_LANGUAGES = ["en", "da", "sr-latn"]


def create_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [("website", "0003_public_pages_and_calendar_feeds")]

    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]
