from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from counseling.enums import SessionKind
from counseling.models import AvailabilityWindow, Client, CounselorProfile, Room

ALL_KINDS = [k.value for k in SessionKind]


def booked_tonight(*, counselor, client, room):
    """An experiential session at 23:00 today, written straight to the database: on today's calendar and
    home panel whatever the hour the test runs."""
    from counseling.models import Booking

    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    return Booking.objects.create(
        counselor=counselor,
        client=client,
        room=room,
        kind=SessionKind.EXPERIENTIAL,
        start=start,
        end=start + timedelta(minutes=30),
    )


def home_visit_booked(make_client, counselor, start, minutes=10):
    """A home visit (no room) written straight to the database, with a client of the counselor's own: for
    calendars filled faster, and closer together, than the booking service allows."""
    from counseling.models import Booking

    return Booking.objects.create(
        counselor=counselor,
        client=make_client(counselors=[counselor]),
        room=None,
        kind=SessionKind.HOME_VISIT,
        start=start,
        end=start + timedelta(minutes=minutes),
    )


def booked_at_ten(*, counselor, client, room, day, by, **extra):
    """An experiential session from 10 to 11 on `day`, booked through the booking service by `by` (with
    `extra`, the service's other keywords, such as a status)."""
    from counseling import services

    return services.booking_create(
        counselor=counselor,
        client=client,
        room=room,
        start=at(day, 10),
        end=at(day, 11),
        kind=SessionKind.EXPERIENTIAL,
        by=by,
        **extra,
    )


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def next_weekday(weekday=0, weeks_ahead=1):
    """A date in a coming week (far enough for any minimum notice)."""
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


@pytest.fixture
def make_counselor(make_user):
    def _make(
        user=None, *, trained=True, kinds=None, buffer=15, notice=24, windows=tuple((d, 8, 18) for d in range(5))
    ):
        from accounts.enums import Role

        user = user or make_user(Role.COUNSELOR)
        profile = CounselorProfile.objects.create(
            user=user,
            session_kinds=list(kinds if kinds is not None else ALL_KINDS),
            trained_for_violence=trained,
            buffer_minutes=buffer,
            min_notice_hours=notice,
            languages="sr, en",
        )
        for weekday, start, end in windows:
            AvailabilityWindow.objects.create(
                counselor=profile, weekday=weekday, start_time=time(start), end_time=time(end)
            )
        return profile

    return _make


@pytest.fixture
def profile(counselor, make_counselor):
    return make_counselor(counselor)


@pytest.fixture
def room(db):
    return Room.objects.create(name="Soba 1", location="Prizemlje")


@pytest.fixture
def make_client(db):
    counter = {"n": 0}

    def _make(*, counselors=(), **values):
        counter["n"] += 1
        client = Client.objects.create(
            alias=values.pop("alias", f"Ruža {counter['n']}"), code=f"K-T{counter['n']:04d}", **values
        )
        client.counselors.add(*counselors)
        return client

    return _make


@pytest.fixture
def her_client(make_client, profile):
    return make_client(counselors=[profile])


@pytest.fixture
def monday():
    return next_weekday(0)
