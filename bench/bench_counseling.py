"""Counseling on the data set: the free-slot finder over the counselors' next four weeks (as a job and as the
coordinator's page) at the data set's size and at ten times it, a counselor's week, the coordinator's week
of every counselor, a client list.

The slot finder is timed in CPU time (`time.process_time`), so another process on the machine does not
move its figure; its note gives the median CPU milliseconds and, for the 10x row, the growth against 1x.
"""

import statistics
import time
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse

from bench import dataset
from bench.dataset import COORDINATOR, COUNSELOR, dataset_user
from bench.harness import logged_in, page
from core import dates
from counseling.enums import SessionKind
from counseling.models import AvailabilityException, AvailabilityWindow, Booking, CounselorProfile, Room
from counseling.rules import clients_for
from counseling.selectors import SLOTS_SHOWN, slots_free

DAYS = 28
GROWTH = 10
GROWN_PREFIX = "bench-grown-cns"


def _next_monday():
    today = dates.today()
    return today + timedelta(days=7 - today.weekday())


def _cpu_timed(func):
    """`func` that also records the CPU time of every call into the returned list."""
    samples = []

    def timed():
        started = time.process_time()
        result = func()
        samples.append((time.process_time() - started) * 1000)
        return result

    return timed, samples


@contextmanager
def _grown(counselors, factor):
    """The counselors' calendar `factor` times over: each counselor, her windows, absences and every booking
    cloned `factor - 1` times, each clone with rooms of its own (so rooms stay as busy as in the data set).
    Everything added is removed again afterwards."""
    originals = list(counselors.prefetch_related("windows", "exceptions"))
    rooms = list(Room.objects.filter(active=True))
    bookings = list(Booking.objects.filter(counselor__in=originals))
    copies = range(1, factor)
    try:
        users = get_user_model().objects.bulk_create(
            get_user_model()(username=f"{GROWN_PREFIX}{copy}-{n}@example.org", email="")
            for copy in copies
            for n in range(len(originals))
        )
        profiles = iter(
            CounselorProfile.objects.bulk_create(
                CounselorProfile(
                    user=user,
                    session_kinds=original.session_kinds,
                    trained_for_violence=original.trained_for_violence,
                    buffer_minutes=original.buffer_minutes,
                    min_notice_hours=original.min_notice_hours,
                )
                for user, original in zip(users, [o for _copy in copies for o in originals], strict=True)
            )
        )
        clone_of = {(copy, o.pk): next(profiles) for copy in copies for o in originals}
        new_rooms = iter(
            Room.objects.bulk_create(
                Room(name=f"{room.name} ({copy})", location=GROWN_PREFIX) for copy in copies for room in rooms
            )
        )
        room_of = {(copy, room.pk): next(new_rooms) for copy in copies for room in rooms}
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(
                counselor=clone_of[copy, o.pk], weekday=w.weekday, start_time=w.start_time, end_time=w.end_time
            )
            for copy in copies
            for o in originals
            for w in o.windows.all()
        )
        AvailabilityException.objects.bulk_create(
            AvailabilityException(counselor=clone_of[copy, o.pk], start=a.start, end=a.end, reason=a.reason)
            for copy in copies
            for o in originals
            for a in o.exceptions.all()
        )
        Booking.objects.bulk_create(
            (
                Booking(
                    counselor=clone_of[copy, b.counselor_id],
                    room=room_of[copy, b.room_id] if b.room_id else None,
                    client_id=b.client_id,
                    start=b.start,
                    end=b.end,
                    kind=b.kind,
                    status=b.status,
                    # Counted by no donor project: the copies stand in the slot finder's way, not in a report
                    # (a held one in a locked period could not be added to its project).
                    project_id=None,
                )
                for copy in copies
                for b in bookings
            ),
            batch_size=2000,
        )
        yield CounselorProfile.objects.filter(pk__in=[*(o.pk for o in originals), *(p.pk for p in clone_of.values())])
    finally:
        grown = CounselorProfile.objects.filter(user__username__startswith=GROWN_PREFIX)
        Booking.objects.filter(counselor__in=grown).delete()
        grown.delete()  # her windows and absences go with her
        Room.objects.filter(location=GROWN_PREFIX).delete()
        get_user_model().objects.filter(username__startswith=GROWN_PREFIX).delete()


def _slot_finder(measure, counselors, first, label):
    def find():
        return slots_free(
            counselors=counselors,
            kind=SessionKind.EXPERIENTIAL,
            duration=timedelta(minutes=60),
            first_day=first,
            days=DAYS,
            limit=SLOTS_SHOWN,
        )

    timed, samples = _cpu_timed(find)
    in_range = Booking.objects.filter(
        counselor__in=counselors, start__gte=dates.start_of_day(first), start__lt=dates.end_of_day(first)
    )
    shown = len(find())
    result = measure(
        f"counseling: slot finder{label}, {counselors.count()} counselors x {DAYS} days",
        timed,
        runs=10,
        note=f"{shown} free slots shown; {in_range.count()} bookings on the first day",
    )
    cpu = statistics.median(samples)
    result.note += f"; CPU {cpu:.1f} ms (median of {len(samples)})"
    return result, cpu


def run(measure):
    counselors = CounselorProfile.objects.filter(user__username__startswith=COUNSELOR)
    first = _next_monday()
    counselor, coordinator = dataset_user(COUNSELOR), dataset_user(COORDINATOR)
    as_counselor, as_coordinator = logged_in(counselor), logged_in(coordinator)

    finder, cpu_1x = _slot_finder(measure, counselors, first, "")
    grown_rows = []
    if dataset.SCALE == 1:
        # Its own growth row on the 1x data set only: on the 10x data set it would be a hundred times.
        with _grown(counselors, GROWTH) as grown:
            finder_10x, cpu_10x = _slot_finder(measure, grown, first, f" at {GROWTH}x")
        finder_10x.note += f"; {cpu_10x / cpu_1x:.1f}x the CPU of 1x" if cpu_1x else ""
        grown_rows.append(finder_10x)

    search = urlencode({"kind": SessionKind.EXPERIENTIAL, "first_day": first.isoformat(), "weeks": 4, "minutes": 60})
    week = reverse("counseling:my_bookings") + "?view=week"
    this_week = dates.today() - timedelta(days=dates.today().weekday())
    in_week = Booking.objects.filter(start__date__gte=this_week, start__date__lt=this_week + timedelta(days=7))
    return [
        finder,
        *grown_rows,
        measure(
            f"counseling: slot finder page, 4 weeks (first {SLOTS_SHOWN})",
            page(as_coordinator, reverse("counseling:slots") + "?" + search),
            runs=10,
        ),
        measure(
            f"counseling: counselor's week ({in_week.filter(counselor__user=counselor).count()} bookings)",
            page(as_counselor, week),
            runs=10,
        ),
        measure(
            f"counseling: coordinator's week ({in_week.count()} bookings)",
            page(as_coordinator, week),
            runs=10,
        ),
        measure(
            f"counseling: counselor's clients ({clients_for(counselor).count()})",
            page(as_counselor, reverse("counseling:client_list")),
            runs=10,
        ),
    ]
