"""Reads for counseling: what the pages list (starting from the querysets scoped in rules.py), then the free-slot
finder."""

import heapq
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from math import ceil
from operator import itemgetter

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from counseling.enums import ACTIVE_BOOKING_STATUSES, IntakeStatus, SessionKind
from counseling.models import (
    CLIENT_SECRETS,
    AvailabilityException,
    AvailabilityWindow,
    Booking,
    CounselorProfile,
    IntakeRequest,
    Room,
)
from counseling.rules import bookings_for


def counselor_profile_for(user) -> CounselorProfile | None:
    """Her counselor profile, cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_haven_counselor_profile"):
        user._haven_counselor_profile = CounselorProfile.objects.filter(user=user).first()
    return user._haven_counselor_profile


def counselor_names(counselors) -> list[tuple[int, str]]:
    """(id, name) of each counselor, read as values (CounselorProfile.name_from): a filter naming the two
    hundred counselors of a large organisation read every field of each and of her account, a fifth of the
    listing it sits on."""
    rows = counselors.values_list("pk", "user__username", "user__profile__full_name")
    return [(pk, CounselorProfile.name_from(full_name=name, username=username)) for pk, username, name in rows]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return dates.start_of_day(day), dates.end_of_day(day)


def bookings_between(*, user, first_day: date, days: int, counselor=None):
    start, _end = day_bounds(first_day)
    _start, end = day_bounds(first_day + timedelta(days=days - 1))
    qs = bookings_for(user).overlapping(start, end)
    if counselor is not None:
        qs = qs.filter(counselor=counselor)
    return qs.order_by("start", "pk")


def booking_counts_by_day(bookings, *, days) -> tuple[int, dict[date, int]]:
    """How many `bookings` there are, and how many of them start on each of `days` (local days), in one
    query: a calendar shown a page at a time still tells for every day whether it has bookings on other pages,
    and its pages are counted with them. Each day is counted between its first moment and the next day's
    (DST-safe, and an index range): the local date of each row's start, worked out in the database, was a
    function called per row on SQLite, a quarter of the coordinator's week of a thousand bookings."""
    counts = {"total": Count("pk")}
    for index, day in enumerate(days):
        on_the_day = Q(start__gte=dates.start_of_day(day), start__lt=dates.end_of_day(day))
        counts[f"day{index}"] = Count("pk", filter=on_the_day)
    row = bookings.order_by().aggregate(**counts)
    return row["total"], {day: row[f"day{index}"] for index, day in enumerate(days) if row[f"day{index}"]}


def bookings_today_for(user):
    start, end = day_bounds(dates.today())
    profile = counselor_profile_for(user)
    if profile is None:
        return Booking.objects.none()
    return (
        Booking.objects.overlapping(start, end)
        .filter(counselor=profile, status__in=ACTIVE_BOOKING_STATUSES)
        .select_related("room", "client")
        .defer(*CLIENT_SECRETS)
        .order_by("start")
    )


def client_bookings(*, user, client):
    return bookings_for(user).filter(client=client).order_by("-start")


def intake_queue():
    return IntakeRequest.objects.filter(status=IntakeStatus.NEW).order_by("created_at")


# Availability -----------------------------------------------------------------------------------------------


def window_spans(windows, day: date) -> list[tuple[datetime, datetime]]:
    """The day's recurring windows as aware datetimes (local time zone, correct across DST changes)."""
    tz = timezone.get_current_timezone()
    return [
        (datetime.combine(day, w.start_time, tzinfo=tz), datetime.combine(day, w.end_time, tzinfo=tz))
        for w in windows
        if w.weekday == day.weekday()
    ]


def availability_problems(*, counselor, start: datetime, end: datetime, now: datetime | None = None) -> list[str]:
    """Why [start, end) lies outside her availability: empty when it is inside. Two queries."""
    now = now or dates.now()
    problems = []
    if start < now + timedelta(hours=counselor.min_notice_hours):
        problems.append(
            _("It is less than %(hours)s hours from now (her minimum notice).") % {"hours": counselor.min_notice_hours}
        )
    local_start = dates.local_time(start)
    spans = window_spans(counselor.windows.all(), local_start.date())
    if not any(w_start <= start and end <= w_end for w_start, w_end in spans):
        problems.append(_("It is outside her weekly availability."))
    if AvailabilityException.objects.filter(counselor=counselor, start__lt=end, end__gt=start).exists():
        problems.append(_("She is absent then (leave or holiday)."))
    return problems


# The slot finder shows at most this many free times: a counselor picks from the first ones.
SLOTS_SHOWN = 200


@dataclass(frozen=True)
class SlotCounselor:
    """The counselor of a free time as the slot finder shows her: her id and her name as everywhere
    (CounselorProfile.name_from), read with her windows. The first 200 times of two hundred counselors built
    as profiles with their accounts were a sixth of the slot finder's page."""

    pk: int
    name: str

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class Slot:
    counselor: SlotCounselor
    start: datetime
    end: datetime
    room: Room | None


class _Occupied:
    """The busy intervals of one counselor or one room, merged and sorted: an overlap check is one bisection.

    Times are POSIX seconds, so that intervals of different time zones (bookings in UTC, windows in local
    time) compare without conversions and the clock change at night is no special case.
    """

    __slots__ = ("ends", "starts")

    def __init__(self, spans):
        starts, ends = [], []
        for start, end in sorted(spans):
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        self.starts, self.ends = starts, ends

    def blocked_until(self, start: float, end: float) -> float | None:
        """The end of the busy interval that [start, end) runs into, or None when it is free."""
        i = bisect_right(self.ends, start)  # the first interval that ends after `start`
        if i < len(self.starts) and self.starts[i] < end:
            return self.ends[i]
        return None


_FREE = _Occupied(())


@dataclass
class _Schedule:
    """One counselor as the slot finder needs her: her weekly windows, absences, buffer and earliest start."""

    pk: int
    name: str
    windows: dict  # weekday -> [(start_time, end_time)]
    absences: list  # [(start, end)] in POSIX seconds
    buffer: float
    earliest: float

    def day_windows(self, day: date, tz) -> list[tuple[float, float]]:
        return [
            (datetime.combine(day, start, tzinfo=tz).timestamp(), datetime.combine(day, end, tzinfo=tz).timestamp())
            for start, end in self.windows.get(day.weekday(), ())
        ]


def _counselor_slots(*, schedule, occupied, rooms, room_occupied, days, duration, step, tz):
    """Her free times on `days` in time order, produced one at a time: the caller stops when it has enough."""
    for day in days:
        for w_start, w_end in schedule.day_windows(day, tz):
            candidate = w_start
            if candidate < schedule.earliest:
                candidate = w_start + step * ceil((schedule.earliest - w_start) / step)
            while candidate + duration <= w_end:
                finish = candidate + duration
                blocked = occupied.blocked_until(candidate, finish)
                if blocked is not None:
                    # Jump past what she is busy with, staying on the window's grid of start times.
                    candidate = w_start + step * ceil((blocked - w_start) / step)
                    continue
                room = next(
                    (
                        r
                        for r in rooms
                        if r is None or room_occupied.get(r.pk, _FREE).blocked_until(candidate, finish) is None
                    ),
                    False,
                )
                if room is not False:
                    start, end = datetime.fromtimestamp(candidate, tz), datetime.fromtimestamp(finish, tz)
                    yield (candidate, schedule.name, schedule.pk), (schedule.pk, start, end, room)
                candidate += step


def _day_chunks(first_day: date, days: int):
    """The days of the search in runs of 1, 2, 4, 8 ... days: most searches are answered by the first run."""
    offset, size = 0, 1
    while offset < days:
        yield [first_day + timedelta(days=n) for n in range(offset, min(days, offset + size))]
        offset, size = offset + size, size * 2


def _schedules(*, counselors, kind, range_start, range_end, now) -> list[_Schedule]:
    """The counselors who may hold `kind` and have any window: three queries, no model row per window, nor
    per counselor (two hundred of them, with their accounts and profiles, were a fifth of the page)."""
    profiles = {
        pk: (CounselorProfile.name_from(full_name=full_name, username=username), buffer, notice)
        for pk, username, full_name, kinds, trained, buffer, notice in counselors.filter(active=True).values_list(
            "pk",
            "user__username",
            "user__profile__full_name",
            "session_kinds",
            "trained_for_violence",
            "buffer_minutes",
            "min_notice_hours",
        )
        if CounselorProfile.holds(kind, session_kinds=kinds, trained_for_violence=trained)
    }
    windows = defaultdict(lambda: defaultdict(list))
    for counselor_id, weekday, start, end in (
        AvailabilityWindow.objects.filter(counselor_id__in=profiles)
        .order_by("start_time")
        .values_list("counselor_id", "weekday", "start_time", "end_time")
    ):
        windows[counselor_id][weekday].append((start, end))
    absences = defaultdict(list)
    for counselor_id, start, end in AvailabilityException.objects.filter(
        counselor_id__in=windows, start__lt=range_end, end__gt=range_start
    ).values_list("counselor_id", "start", "end"):
        absences[counselor_id].append((start.timestamp(), end.timestamp()))
    return [
        _Schedule(
            pk=pk,
            name=name,
            windows=windows[pk],
            absences=absences[pk],
            buffer=buffer * 60,
            earliest=(now + timedelta(hours=notice)).timestamp(),
        )
        for pk, (name, buffer, notice) in profiles.items()
        if pk in windows
    ]


def slots_free(
    *,
    counselors,
    kind: str,
    duration: timedelta,
    first_day: date,
    days: int,
    room: Room | None = None,
    step: timedelta = timedelta(minutes=30),
    now: datetime | None = None,
    limit: int | None = SLOTS_SHOWN,
) -> list[Slot]:
    """The first `limit` free times in time order (all of them with `limit=None`): availability windows minus
    absences, minus her bookings (with buffer), minus room occupancy.

    The work follows the slots shown, not the size of the calendar: the days are searched in runs of 1, 2,
    4 ... days, each run's bookings read in one query, and the search stops once `limit` slots are found.
    Within a run each counselor's free times are produced lazily and merged in time order; occupancy is
    checked by bisection over sorted, merged intervals. Queries: counselors (as values), windows, absences and
    rooms (4), plus one per run (at most 5 for four weeks), whatever the number of counselors and bookings;
    each time's counselor is named from the first query (`SlotCounselor`).
    """
    now = now or dates.now()
    range_start, range_end = dates.start_of_day(first_day), dates.end_of_day(first_day + timedelta(days=days - 1))
    schedules = _schedules(counselors=counselors, kind=kind, range_start=range_start, range_end=range_end, now=now)
    if not schedules:
        return []
    if kind == SessionKind.HOME_VISIT:
        rooms = [None]
    elif room is not None:
        rooms = [room]
    else:
        rooms = list(Room.objects.filter(active=True))
        if not rooms:
            return []
    max_buffer = timedelta(seconds=max(s.buffer for s in schedules))
    tz = timezone.get_current_timezone()
    found = []
    for chunk in _day_chunks(first_day, days):
        busy = {s.pk: list(s.absences) for s in schedules}
        buffers = {s.pk: s.buffer for s in schedules}
        room_spans = defaultdict(list)
        for counselor_id, room_id, b_start, b_end in (
            Booking.objects.overlapping(
                dates.start_of_day(chunk[0]) - max_buffer, dates.end_of_day(chunk[-1]) + max_buffer
            )
            .filter(status__in=ACTIVE_BOOKING_STATUSES)
            .values_list("counselor_id", "room_id", "start", "end")
        ):
            start, end = b_start.timestamp(), b_end.timestamp()
            if counselor_id in busy:
                busy[counselor_id].append((start - buffers[counselor_id], end + buffers[counselor_id]))
            if room_id is not None:
                room_spans[room_id].append((start, end))
        room_occupied = {room_id: _Occupied(spans) for room_id, spans in room_spans.items()}
        merged = heapq.merge(
            *(
                _counselor_slots(
                    schedule=s,
                    occupied=_Occupied(busy[s.pk]),
                    rooms=rooms,
                    room_occupied=room_occupied,
                    days=chunk,
                    duration=duration.total_seconds(),
                    step=step.total_seconds(),
                    tz=tz,
                )
                for s in schedules
            ),
            key=itemgetter(0),
        )
        wanted = None if limit is None else limit - len(found)
        found.extend(slot for _key, slot in islice(merged, wanted))
        if limit is not None and len(found) >= limit:
            break
    named = {s.pk: SlotCounselor(s.pk, s.name) for s in schedules}
    return [Slot(named[pk], start, end, room) for pk, start, end, room in found]
