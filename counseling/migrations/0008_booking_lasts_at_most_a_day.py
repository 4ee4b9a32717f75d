from datetime import timedelta

from django.conf import settings
from django.db import migrations, models

import core.expressions


def refuse_longer_bookings(apps, schema_editor):
    """Name the bookings that would break the new rule, rather than fail on the constraint without saying
    which: they were typed wrong (a booking is made for one day), and someone should correct them by hand."""
    Booking = apps.get_model("counseling", "Booking")
    longer = [
        booking.pk
        for booking in Booking.objects.using(schema_editor.connection.alias).only("start", "end").iterator()
        if booking.end - booking.start > timedelta(hours=25)
    ]
    if longer:
        raise RuntimeError(
            f"Bookings {longer[:50]} last longer than a day; correct their end before migrating (a booking is "
            "made for one day)."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("counseling", "0007_listing_order_indexes"),
        ("reporting", "0008_figures_inputs_stamp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_longer_bookings, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=core.expressions.LastsAtMost("start", "end", seconds=90000),
                name="booking_lasts_at_most_a_day",
                violation_error_message="A booking lasts at most a day.",
            ),
        ),
    ]
