import io

import pytest

from accounts import demo as accounts_demo
from counseling import demo
from counseling.enums import ACTIVE_BOOKING_STATUSES
from counseling.models import Booking, Client, CounselorProfile, Room

pytestmark = pytest.mark.django_db


def _overlaps(bookings, key):
    seen = {}
    for booking in bookings:
        if booking.status not in ACTIVE_BOOKING_STATUSES or getattr(booking, key) is None:
            continue
        for other in seen.get(getattr(booking, key), []):
            if other.start < booking.end and other.end > booking.start:
                return True
        seen.setdefault(getattr(booking, key), []).append(booking)
    return False


def test_demo_loads_a_month_of_bookings_without_overlap_and_is_idempotent():
    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users, stdout=io.StringIO())
    counts = (CounselorProfile.objects.count(), Room.objects.count(), Client.objects.count(), Booking.objects.count())
    demo.load(users=users, stdout=io.StringIO())
    assert counts == (
        CounselorProfile.objects.count(),
        Room.objects.count(),
        Client.objects.count(),
        Booking.objects.count(),
    )
    assert counts[0] >= 3 and counts[3] >= 60
    bookings = list(Booking.objects.order_by("start"))
    assert (bookings[-1].start - bookings[0].start).days >= 25
    assert not _overlaps(bookings, "counselor_id")
    assert not _overlaps(bookings, "room_id")
    assert all(b.counselor.may_hold(b.kind) for b in bookings)
