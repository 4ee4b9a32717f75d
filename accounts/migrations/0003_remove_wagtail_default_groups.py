"""Wagtail creates "Editors" and "Moderators" groups that may use the admin. Haven gives the admin to
coordinators only (who must pass the second factor): a member of these groups would get in without it."""

from django.db import migrations

WAGTAIL_DEFAULT_GROUPS = ["Editors", "Moderators"]


def remove_wagtail_default_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        # After every Wagtail migration that creates these groups or gives them permissions.
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    # Not recreated on the way back: nobody should be given them again.
    operations = [migrations.RunPython(remove_wagtail_default_groups, migrations.RunPython.noop)]
