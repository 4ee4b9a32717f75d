"""The free-slot finder: the same answer as checking every candidate by hand, on ordinary weeks, on the
nights the clocks change and across month ends."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from counseling import selectors
from counseling.enums import BookingStatus, SessionKind
from counseling.models import AvailabilityException, Booking, CounselorProfile, Room
from tests.counseling.conftest import at

pytestmark = pytest.mark.django_db

BELGRADE = ZoneInfo("Europe/Belgrade")
HOUR = dt.timedelta(hours=1)


def _by_hand(*, profiles, rooms, kind, first_day, days, duration, step, now):
    """Every candidate on each window's grid, checked against every booking and absence one by one."""
    bookings = list(Booking.objects.exclude(status=BookingStatus.CANCELLED))
    found = []
    for profile in profiles:
        if not profile.may_hold(kind):
            continue
        buffer = dt.timedelta(minutes=profile.buffer_minutes)
        absences = list(profile.exceptions.all())
        for offset in range(days):
            day = first_day + dt.timedelta(days=offset)
            for window in profile.windows.filter(weekday=day.weekday()):
                start = dt.datetime.combine(day, window.start_time, tzinfo=BELGRADE)
                end = dt.datetime.combine(day, window.end_time, tzinfo=BELGRADE)
                candidate = start
                while candidate + duration <= end:
                    finish = candidate + duration
                    free = (
                        candidate >= now + dt.timedelta(hours=profile.min_notice_hours)
                        and not any(a.start < finish and a.end > candidate for a in absences)
                        and not any(
                            b.counselor_id == profile.pk and b.start < finish + buffer and b.end > candidate - buffer
                            for b in bookings
                        )
                    )
                    room = next(
                        (
                            r
                            for r in rooms
                            if not any(b.room_id == r.pk and b.start < finish and b.end > candidate for b in bookings)
                        ),
                        None,
                    )
                    if free and room is not None:
                        found.append((candidate, str(profile), profile.pk, room.pk))
                    candidate = dt.datetime.fromtimestamp(candidate.timestamp() + step.total_seconds(), BELGRADE)
    return sorted(found)


@pytest.mark.parametrize("seed", range(4))
def test_the_finder_agrees_with_checking_every_candidate_by_hand(make_counselor, make_client, monday, seed):
    rng = random.Random(seed)
    rooms = [Room.objects.create(name=f"Soba {n}") for n in range(2)]
    profiles = []
    confirmed = []  # (counselor, room, start, end): the database refuses two that overlap (PostgreSQL's exclusion)
    for _n in range(3):
        profile = make_counselor(
            buffer=rng.choice([0, 10, 15]), windows=[(d, rng.choice([8, 9]), 16) for d in range(5)]
        )
        profiles.append(profile)
        for _b in range(12):
            day = monday + dt.timedelta(days=rng.randrange(10))
            start = at(day, rng.randrange(8, 15), rng.choice([0, 15, 30, 45]))
            room = rng.choice(rooms)
            end = start + dt.timedelta(minutes=rng.choice([45, 60, 90]))
            status = rng.choice([BookingStatus.CONFIRMED, BookingStatus.CANCELLED])
            clash = any(
                (other_profile == profile or other_room == room) and other_start < end and start < other_end
                for other_profile, other_room, other_start, other_end in confirmed
            )
            if status == BookingStatus.CONFIRMED and clash:
                status = BookingStatus.CANCELLED
            if status == BookingStatus.CONFIRMED:
                confirmed.append((profile, room, start, end))
            Booking.objects.create(
                counselor=profile,
                client=make_client(),
                room=room,
                start=start,
                end=end,
                kind=SessionKind.EXPERIENTIAL,
                status=status,
            )
        day = monday + dt.timedelta(days=rng.randrange(10))
        AvailabilityException.objects.create(counselor=profile, start=at(day, 11), end=at(day, 13))
    now = at(monday, 10) - dt.timedelta(hours=24)
    kwargs = {
        "kind": SessionKind.EXPERIENTIAL,
        "first_day": monday,
        "days": 10,
        "duration": dt.timedelta(minutes=rng.choice([30, 60, 90])),
        "step": dt.timedelta(minutes=rng.choice([15, 30])),
        "now": now,
    }
    profiles = list(CounselorProfile.objects.prefetch_related("windows", "exceptions"))
    expected = _by_hand(profiles=profiles, rooms=rooms, **kwargs)
    found = selectors.slots_free(counselors=CounselorProfile.objects.all(), limit=None, **kwargs)
    assert [(s.start, str(s.counselor), s.counselor.pk, s.room.pk) for s in found] == expected
    first = selectors.slots_free(counselors=CounselorProfile.objects.all(), limit=25, **kwargs)
    assert first == found[:25]


def _night_counselor(make_counselor, day):
    return make_counselor(buffer=0, notice=0, windows=[(day.weekday(), 0, 6)])


def _night_slots(profile, day):
    return selectors.slots_free(
        counselors=CounselorProfile.objects.filter(pk=profile.pk),
        kind=SessionKind.HOME_VISIT,
        duration=HOUR,
        first_day=day,
        days=1,
    )


def test_on_the_night_the_clocks_go_forward_every_slot_is_a_real_hour(clock, make_counselor):
    night = dt.date(2027, 3, 28)  # 02:00 becomes 03:00 in Europe/Belgrade
    clock(dt.date(2027, 3, 20))
    slots = _night_slots(_night_counselor(make_counselor, night), night)
    local = [s.start.astimezone(BELGRADE).strftime("%H:%M") for s in slots]
    # From 00:00 to 06:00 that night holds five hours: no slot starts at 02:00 or 02:30, which do not exist.
    assert local == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00", "04:30", "05:00"]
    assert all(s.end.timestamp() - s.start.timestamp() == HOUR.total_seconds() for s in slots)
    assert len({s.start for s in slots}) == len(slots)


def test_on_the_night_the_clocks_go_back_the_repeated_hour_is_offered_twice(clock, make_counselor):
    night = dt.date(2027, 10, 31)  # 03:00 becomes 02:00 again
    clock(dt.date(2027, 10, 20))
    slots = _night_slots(_night_counselor(make_counselor, night), night)
    # From 00:00 to 06:00 that night holds seven hours: 13 one-hour sessions every half hour.
    assert len(slots) == 13
    assert all(s.end.timestamp() - s.start.timestamp() == HOUR.total_seconds() for s in slots)
    assert [s.start.astimezone(BELGRADE).strftime("%H:%M") for s in slots].count("02:00") == 2


@pytest.mark.parametrize(
    ("today", "first_day"),
    [
        (dt.date(2027, 1, 20), dt.date(2027, 1, 29)),  # January into February
        (dt.date(2028, 2, 20), dt.date(2028, 2, 26)),  # through 29 February of a leap year
        (dt.date(2027, 12, 20), dt.date(2027, 12, 28)),  # into the new year
    ],
)
def test_a_search_across_a_month_end_finds_every_day(clock, make_counselor, today, first_day):
    clock(today)
    profile = make_counselor(buffer=0, windows=[(d, 9, 10) for d in range(7)])
    slots = selectors.slots_free(
        counselors=CounselorProfile.objects.filter(pk=profile.pk),
        kind=SessionKind.HOME_VISIT,
        duration=HOUR,
        first_day=first_day,
        days=7,
    )
    assert [s.start for s in slots] == [at(first_day + dt.timedelta(days=n), 9) for n in range(7)]
