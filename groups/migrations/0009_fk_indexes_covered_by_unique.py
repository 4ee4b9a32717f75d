import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0008_attendance_present_by_session"),
    ]

    operations = [
        foreign_key_index_dropped(
            "groups",
            "attendance",
            "session",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attendances",
                to="groups.groupsession",
                verbose_name="session",
            ),
        ),
        foreign_key_index_dropped(
            "groups",
            "membership",
            "cohort",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to="groups.cohort",
                verbose_name="cohort",
            ),
        ),
    ]
