from collections import Counter
from datetime import date, time, timedelta

import pytest

from core import dates
from counseling import rules, selectors
from counseling.enums import SessionKind
from counseling.models import AvailabilityException, AvailabilityWindow, Booking, CounselorProfile, Room
from tests.counseling.conftest import at, booked_at_ten, home_visit_booked

pytestmark = pytest.mark.django_db


def test_slots_subtract_bookings_with_buffer_absences_and_room_occupancy(
    profile, make_counselor, make_client, room, monday, counselor, coordinator
):
    AvailabilityWindow.objects.filter(counselor=profile).delete()
    AvailabilityWindow.objects.create(
        counselor=profile, weekday=monday.weekday(), start_time=time(9), end_time=time(13)
    )
    booked_at_ten(
        counselor=profile,
        client=make_client(counselors=[profile]),
        room=room,
        day=monday,
        by=counselor,
    )
    AvailabilityException.objects.create(counselor=profile, start=at(monday, 12), end=at(monday, 13))
    slots = selectors.slots_free(
        counselors=CounselorProfile.objects.filter(pk=profile.pk),
        kind=SessionKind.EXPERIENTIAL,
        duration=timedelta(hours=1),
        first_day=monday,
        days=1,
    )
    # 9:00 ends at 10:00, inside the 15-minute buffer; 11:00 starts inside it too; 11:30 runs into the absence.
    assert [s.start for s in slots] == []
    profile.buffer_minutes = 0
    profile.save()
    slots = selectors.slots_free(
        counselors=CounselorProfile.objects.filter(pk=profile.pk),
        kind=SessionKind.EXPERIENTIAL,
        duration=timedelta(hours=1),
        first_day=monday,
        days=1,
    )
    assert [s.start for s in slots] == [at(monday, 9), at(monday, 11)]
    assert all(s.room == room for s in slots)

    # Another counselor: free herself, but the only room is taken from 10 to 11.
    other = make_counselor(buffer=0, windows=[(monday.weekday(), 10, 11)])
    slots = selectors.slots_free(
        counselors=CounselorProfile.objects.filter(pk=other.pk),
        kind=SessionKind.EXPERIENTIAL,
        duration=timedelta(hours=1),
        first_day=monday,
        days=1,
    )
    assert slots == []
    visits = selectors.slots_free(
        counselors=CounselorProfile.objects.filter(pk=other.pk),
        kind=SessionKind.HOME_VISIT,
        duration=timedelta(hours=1),
        first_day=monday,
        days=1,
    )
    assert [(s.start, s.room) for s in visits] == [(at(monday, 10), None)]


def test_slots_only_for_counselors_who_may_hold_the_kind(make_counselor, room, monday):
    trained = make_counselor(trained=True)
    make_counselor(trained=False)
    slots = selectors.slots_free(
        counselors=CounselorProfile.objects.all(),
        kind=SessionKind.CASE_BASED,
        duration=timedelta(hours=1),
        first_day=monday,
        days=1,
    )
    assert slots and {s.counselor.pk for s in slots} == {trained.pk}


def _fill(make_counselor, make_client, counselors_count, monday):
    rooms = [Room.objects.create(name=f"Soba {n}") for n in range(3)]
    for n in range(counselors_count):
        profile = make_counselor()
        AvailabilityException.objects.create(counselor=profile, start=at(monday, 8), end=at(monday, 9))
        client = make_client(counselors=[profile])
        for day in range(0, 20, 3):
            Booking.objects.create(
                counselor=profile,
                client=client,
                room=rooms[n % 3],
                start=at(monday + timedelta(days=day), 8 + n // 3),
                end=at(monday + timedelta(days=day), 9 + n // 3),
                kind=SessionKind.EXPERIENTIAL,
            )


def _queries_of_slot_finder(django_assert_max_num_queries, monday, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Counselors, absences and rooms; one query per run of days searched (1, 2, 4, 8, 13 days) and one for
    # the windows of the weekdays a run is the first to reach (the runs of 1, 2 and 4 days cover the week).
    with django_assert_max_num_queries(3 + 5 + 3), CaptureQueriesContext(connection) as captured:
        slots = selectors.slots_free(
            counselors=CounselorProfile.objects.all(),
            kind=SessionKind.EXPERIENTIAL,
            duration=timedelta(hours=1),
            first_day=monday,
            days=28,
            **kwargs,
        )
    return len(captured), slots


def test_slot_finder_reads_the_same_whatever_the_calendar_holds_beyond_what_it_shows(
    make_counselor, make_client, monday, django_assert_max_num_queries
):

    _fill(make_counselor, make_client, 3, monday)
    before, shown = _queries_of_slot_finder(django_assert_max_num_queries, monday)
    last_shown = shown[-1].start
    later = [
        Booking(
            counselor=profile,
            client=make_client(),
            start=at(monday + timedelta(days=day), 8 + hour),
            end=at(monday + timedelta(days=day), 8 + hour, 45),
            kind=SessionKind.HOME_VISIT,
        )
        for profile in CounselorProfile.objects.all()
        for day in range(21, 28)
        for hour in range(8)
    ]
    Booking.objects.bulk_create(later)
    assert all(b.start > last_shown for b in later)
    after, shown_after = _queries_of_slot_finder(django_assert_max_num_queries, monday)
    assert after == before
    assert shown_after == shown


def test_slot_finder_queries_stay_the_same_as_the_calendar_grows(
    make_counselor, make_client, monday, django_assert_max_num_queries
):
    _fill(make_counselor, make_client, 2, monday)
    small, shown = _queries_of_slot_finder(django_assert_max_num_queries, monday)
    _fill(make_counselor, make_client, 10, monday)
    large, shown_large = _queries_of_slot_finder(django_assert_max_num_queries, monday)
    everything, every_slot = _queries_of_slot_finder(django_assert_max_num_queries, monday, limit=None)
    # More counselors and bookings: no more queries (the first runs of days fill the page sooner).
    assert large <= small <= everything
    assert len(shown) == len(shown_large) == selectors.SLOTS_SHOWN
    assert len(every_slot) > 100 * 12
    # The first slots shown are the earliest of all of them, in the same order.
    assert shown_large == every_slot[: selectors.SLOTS_SHOWN]


def test_counselor_sees_only_her_clients_and_bookings(profile, make_counselor, make_client, counselor, coordinator):
    mine = make_client(counselors=[profile])
    other = make_client(counselors=[make_counselor()])
    assert list(rules.clients_for(counselor)) == [mine]
    assert set(rules.clients_for(coordinator)) == {mine, other}


def test_bookings_are_counted_by_the_local_day_they_start_across_a_change_of_the_clocks(
    profile, make_counselor, make_client, coordinator, clock
):
    """Each day counted between its first moment and the next day's: the week the clocks go forward (Sunday
    28 March 2027, a 23-hour day) gives each booking the local day it starts on, as the page shows it; one that
    began the evening before the week and runs into it is in the week's total, on no day of it."""
    clock(date(2027, 3, 1))
    monday = date(2027, 3, 22)
    sunday = monday + timedelta(days=6)
    home_visit_booked(make_client, make_counselor(), at(monday - timedelta(days=1), 23, 50), minutes=30)
    for start in (at(monday, 0, 30), at(monday, 23, 45), at(sunday, 1, 30), at(sunday, 3, 0), at(sunday, 23, 30)):
        home_visit_booked(make_client, profile, start)
    week = [monday + timedelta(days=offset) for offset in range(7)]
    bookings = selectors.bookings_between(user=coordinator, first_day=monday, days=7)

    total, by_day = selectors.booking_counts_by_day(bookings, days=week)

    plain = Counter(dates.local_date(booking.start) for booking in bookings)
    assert total == len(bookings) == 6
    assert by_day == {day: plain[day] for day in week if plain[day]} == {monday: 2, sunday: 3}


def test_a_first_day_over_for_everyone_by_their_notice_costs_no_run_of_days(make_counselor, make_client, monday):
    """Late on the day before, a day's notice leaves nobody a time on the first day: the runs of days start on
    the next one, as a search from that day would (the first run spent on a day that was over made the next
    one read two days of bookings: the finder at 19 ms instead of 7 at ten times the bench's data)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fill(make_counselor, make_client, 3, monday)
    now = at(monday - timedelta(days=1), 23)  # a day's notice: no time left on Monday
    assert all(p.min_notice_hours == 24 for p in CounselorProfile.objects.all())

    def search(first_day, days):
        with CaptureQueriesContext(connection) as captured:
            slots = selectors.slots_free(
                counselors=CounselorProfile.objects.all(),
                kind=SessionKind.EXPERIENTIAL,
                duration=timedelta(hours=1),
                first_day=first_day,
                days=days,
                now=now,
            )
        return slots, [q["sql"] for q in captured if "counseling_booking" in q["sql"]]

    from_monday, read_from_monday = search(monday, 28)
    from_tuesday, read_from_tuesday = search(monday + timedelta(days=1), 27)
    assert from_monday == from_tuesday and from_monday[0].start.date() == monday + timedelta(days=1)
    assert read_from_monday == read_from_tuesday
