import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0005_listing_order_indexes"),
    ]

    operations = [
        foreign_key_index_dropped(
            "trainings",
            "enrollment",
            "edition",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enrollments",
                to="trainings.edition",
                verbose_name="edition",
            ),
        ),
    ]
