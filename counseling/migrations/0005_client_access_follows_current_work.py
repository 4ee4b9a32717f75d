"""Her counselors (Client.counselors) now means the counselors assigned to her, who may open her file.

Until now every booking also added its counselor there, for good, so one booking (even a cancelled one)
opened her file, safe-contact details included, forever. A counselor now opens a file through a booking
only while it is recent (counseling/rules.py), so the assignments that bookings made are removed: every
link of a counselor who has a booking with that client. Links without a booking were made on purpose (by
a coordinator, or by the counselor who opened her file) and stay. Coordinators assign again where needed.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef


def forwards(apps, schema_editor):
    Client = apps.get_model("counseling", "Client")
    Booking = apps.get_model("counseling", "Booking")
    Link = Client.counselors.through
    booked = Booking.objects.filter(client_id=OuterRef("client_id"), counselor_id=OuterRef("counselorprofile_id"))
    Link.objects.filter(Exists(booked)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("counseling", "0004_encrypt_survivor_text_interpreter"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
