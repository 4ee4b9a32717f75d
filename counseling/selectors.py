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

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from core.expressions import Ids
from core.sql import PreparedRows
from counseling.enums import ACTIVE_BOOKING_STATUSES, IntakeStatus, SessionKind
from counseling.models import (
    CLIENT_SECRETS,
    AvailabilityException,
    AvailabilityWindow,
    Booking,
    CounselorProfile,
    IntakeRequest,
    Room,
    booking_earliest_start,
)
from counseling.rules import bookings_for


def counselor_profile_for(user) -> CounselorProfile | None:
    """Her counselor profile, cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_haven_counselor_profile"):
        user._haven_counselor_profile = CounselorProfile.objects.filter(user=user).first()
    return user._haven_counselor_profile


@dataclass(frozen=True)
class CounselorRow:
    """A counselor as the slot finder reads her: her name, what she may hold, her buffer and notice."""

    pk: int
    name: str
    session_kinds: list
    trained_for_violence: bool
    buffer_minutes: int
    min_notice_hours: int


def counselor_rows(counselors) -> list[CounselorRow]:
    """The active counselors of `counselors`, in its order, read as values in one query: the slot finder's
    page names its form's choices and searches their times from the same rows (two queries of two hundred
    counselors were a twentieth of the page)."""
    return [
        CounselorRow(pk, CounselorProfile.name_from(full_name=full_name, username=username), *rest)
        for pk, username, full_name, *rest in counselors.filter(active=True).values_list(
            "pk",
            "user__username",
            "user__profile__full_name",
            "session_kinds",
            "trained_for_violence",
            "buffer_minutes",
            "min_notice_hours",
        )
    ]


def counselor_names(counselors) -> list[tuple[int, str]]:
    """(id, name) of each counselor, read as values (CounselorProfile.name_from): a filter naming the two
    hundred counselors of a large organisation read every field of each and of her account, a fifth of the
    listing it sits on."""
    rows = counselors.values_list("pk", "user__username", "user__profile__full_name")
    return [(pk, CounselorProfile.name_from(full_name=name, username=username)) for pk, username, name in rows]


def room_names(rooms) -> list[tuple[int, str]]:
    """(id, name) of each room, in the rooms' order, read as values (Room.__str__ is its name)."""
    return list(rooms.values_list("pk", "name"))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return dates.start_of_day(day), dates.end_of_day(day)


# What a calendar shows of a booking (counseling/templatetags/booking_tags.py): a coordinator's week of fifty
# bookings read every field of each and of its client, counselor, account, profile and room, a tenth of the page.
CALENDAR_FIELDS = (
    "start",
    "end",
    "status",
    "kind",
    "client__alias",
    "client__interpreter_needed",
    "client__interpreter_language",
    "counselor__user__username",
    "counselor__user__profile__full_name",
    "room__name",
)


def bookings_between(*, user, first_day: date, days: int, counselor=None):
    """The bookings `user` may see that overlap the days, earliest first, read with what a calendar shows."""
    start, _end = day_bounds(first_day)
    _start, end = day_bounds(first_day + timedelta(days=days - 1))
    qs = bookings_for(user).overlapping(start, end).only(*CALENDAR_FIELDS)
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
_UNKNOWN = object()


@dataclass
class _Schedule:
    """One counselor as the slot finder needs her: her weekly windows, absences, buffer and earliest start."""

    pk: int
    name: str
    windows: dict  # weekday -> [(start_time, end_time)]
    absences: list  # [(start, end)] in POSIX seconds
    buffer: float
    earliest: float


class _Spans:
    """Windows on a day as POSIX seconds, each worked out once per call: two hundred counselors share a few
    windows (nine to five), and the day's timestamps were worked out for each of them."""

    def __init__(self, tz):
        self.tz, self.known = tz, {}

    def of(self, schedule: _Schedule, day: date) -> list[tuple[float, float]]:
        spans = []
        for start, end in schedule.windows.get(day.weekday(), ()):
            span = self.known.get((day, start, end))
            if span is None:
                span = self.known[day, start, end] = (
                    datetime.combine(day, start, tzinfo=self.tz).timestamp(),
                    datetime.combine(day, end, tzinfo=self.tz).timestamp(),
                )
            spans.append(span)
        return spans


class _FirstFreeRoom:
    """The id of the first of `rooms` (ids, in the order they are offered) free for [start, end): None for a
    home visit, False when none is. Looked for once per time: the counselors free at nine all ask for a room
    at nine."""

    def __init__(self, rooms, room_occupied):
        self.rooms = [(r, _FREE if r is None else room_occupied.get(r, _FREE)) for r in rooms]
        self.known = {}

    def __call__(self, start: float, end: float):
        room = self.known.get((start, end), _UNKNOWN)
        if room is _UNKNOWN:
            room = self.known[start, end] = next(
                (r for r, occupied in self.rooms if occupied.blocked_until(start, end) is None), False
            )
        return room


def _counselor_slots(*, schedule, occupied, first_free_room, spans, days, duration, step):
    """Her free times on `days` in time order, produced one at a time: the caller stops when it has enough.
    Times stay POSIX seconds: only the ones shown become datetimes."""
    for day in days:
        for w_start, w_end in spans.of(schedule, day):
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
                room = first_free_room(candidate, finish)
                if room is not False:
                    yield (candidate, schedule.name, schedule.pk), (schedule.pk, candidate, finish, room)
                candidate += step


def _day_chunks(first_day: date, days: int):
    """The days of the search in runs of 1, 2, 4, 8 ... days: most searches are answered by the first run."""
    offset, size = 0, 1
    while offset < days:
        yield [first_day + timedelta(days=n) for n in range(offset, min(days, offset + size))]
        offset, size = offset + size, size * 2


def _schedules(*, counselors: list[CounselorRow], kind, range_start, range_end, now) -> list[_Schedule]:
    """The counselors who may hold `kind`, with their absences (one query: the counselors are read already,
    counselor_rows). Their windows are read with the days searched (`_read_windows`)."""
    profiles = {
        row.pk: (row.name, row.buffer_minutes, row.min_notice_hours)
        for row in counselors
        if CounselorProfile.holds(kind, session_kinds=row.session_kinds, trained_for_violence=row.trained_for_violence)
    }
    absences = defaultdict(list)
    if profiles:
        for counselor_id, start, end in _absences_between(Ids(profiles), range_start, range_end):
            absences[counselor_id].append((start.timestamp(), end.timestamp()))
    return [
        _Schedule(
            pk=pk,
            name=name,
            windows={},
            absences=absences[pk],
            buffer=buffer * 60,
            earliest=(now + timedelta(hours=notice)).timestamp(),
        )
        for pk, (name, buffer, notice) in profiles.items()
    ]


def _read_windows(schedules: list[_Schedule], weekdays: set[int]) -> None:
    """Each counselor's windows on `weekdays`, in one query. Read with the run of days that first needs
    them: the first day's search, which most often fills the page, reads a fifth of the week's windows (the
    thousand windows of two hundred counselors were a third of the finder's time)."""
    of = {s.pk: s.windows for s in schedules}
    for schedule in schedules:
        for weekday in weekdays:
            schedule.windows[weekday] = []
    for counselor_id, weekday, start, end in _windows_on(Ids(of), Ids(weekdays)):
        of[counselor_id][weekday].append((start, end))


# The finder's queries with only their values changing, compiled once (core.sql.PreparedRows): built through
# the ORM with two hundred counselors' ids, they were a fifth of the finder's time at ten times the bench's
# data set.
_windows_on = PreparedRows(
    lambda counselors, weekdays: (
        AvailabilityWindow.objects.filter(counselor_id__in=counselors, weekday__in=weekdays)
        .order_by("start_time")
        .values_list("counselor_id", "weekday", "start_time", "end_time")
    ),
    kinds=(Ids, Ids),
)
_absences_between = PreparedRows(
    lambda counselors, start, end: (
        AvailabilityException.objects.filter(counselor_id__in=counselors, start__lt=end, end__gt=start)
        .order_by()
        .values_list("counselor_id", "start", "end")
    ),
    kinds=(Ids, datetime, datetime),
)
_ROOM_FIELDS = [field.attname for field in Room._meta.concrete_fields]
_active_rooms = PreparedRows(
    lambda: Room.objects.filter(active=True).order_by("name", "pk").values_list(*_ROOM_FIELDS), kinds=()
)
# Booking.objects.overlapping(start, end), its earliest start given as a value of its own (a prepared query
# takes each value as it is): called with booking_earliest_start(start).
_active_bookings_between = PreparedRows(
    lambda start, end, earliest: (
        Booking.objects.filter(start__lt=end, end__gt=start, start__gte=earliest, status__in=ACTIVE_BOOKING_STATUSES)
        .order_by()
        .values_list("counselor_id", "room_id", "start", "end")
    ),
    kinds=(datetime, datetime, datetime),
)


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
    absences, minus her bookings (with buffer), minus room occupancy. `counselors`: a queryset of counselor
    profiles, or the rows counselor_rows() read from one (a page that names them too reads them once).

    The work follows the slots shown, not the size of the calendar: the days are searched in runs of 1, 2,
    4 ... days, each run's bookings read in one query, and the search stops once `limit` slots are found.
    Within a run each counselor's free times are produced lazily and merged in time order; occupancy is
    checked by bisection over sorted, merged intervals. Queries: counselors (as values, unless given as
    rows), absences and rooms (3), plus one per run for its bookings (at most 5 for four weeks) and one for
    the windows of the weekdays a run is the first to reach (at most 3: runs of 1, 2 and 4 days cover the
    week; one more for each first day over for everyone by her notice, which gets no run), whatever the
    number of counselors and bookings; each time's counselor is named from the first query (`SlotCounselor`).
    """
    now = now or dates.now()
    range_start, range_end = dates.start_of_day(first_day), dates.end_of_day(first_day + timedelta(days=days - 1))
    if not isinstance(counselors, list):
        counselors = counselor_rows(counselors)
    schedules = _schedules(counselors=counselors, kind=kind, range_start=range_start, range_end=range_end, now=now)
    if not schedules:
        return []
    # Rooms by id; a Room made only for the ones shown (the first free times of a day share a few rooms).
    if kind == SessionKind.HOME_VISIT:
        rooms, room_of = [None], {}
    elif room is not None:
        rooms, room_of = [room.pk], {room.pk: room}
    else:
        rows = _active_rooms()
        if not rows:
            return []
        rooms, room_of = [row[0] for row in rows], {row[0]: row for row in rows}
    max_buffer = timedelta(seconds=max(s.buffer for s in schedules))
    tz = timezone.get_current_timezone()
    spans, found, weekdays_read = _Spans(tz), [], set()
    # The runs start on the first day on which someone's window still holds a time after her notice: late in
    # the day, tomorrow can be over for everyone (a day's notice), and a first run spent on it made the next
    # one read two days of bookings (the finder took 19 ms at ten times the bench's data, against 7).
    seconds = duration.total_seconds()
    while days > 0:
        if first_day.weekday() not in weekdays_read:
            _read_windows(schedules, {first_day.weekday()})
            weekdays_read.add(first_day.weekday())
        if any(end - seconds >= max(start, s.earliest) for s in schedules for start, end in spans.of(s, first_day)):
            break
        first_day, days = first_day + timedelta(days=1), days - 1
    for chunk in _day_chunks(first_day, days):
        if unread := {day.weekday() for day in chunk} - weekdays_read:
            _read_windows(schedules, unread)
            weekdays_read |= unread
        busy = {s.pk: list(s.absences) for s in schedules}
        buffers = {s.pk: s.buffer for s in schedules}
        room_spans = defaultdict(list)
        run_start, run_end = dates.start_of_day(chunk[0]) - max_buffer, dates.end_of_day(chunk[-1]) + max_buffer
        for counselor_id, room_id, b_start, b_end in _active_bookings_between(
            run_start, run_end, booking_earliest_start(run_start)
        ):
            start, end = b_start.timestamp(), b_end.timestamp()
            if counselor_id in busy:
                busy[counselor_id].append((start - buffers[counselor_id], end + buffers[counselor_id]))
            if room_id is not None:
                room_spans[room_id].append((start, end))
        first_free_room = _FirstFreeRoom(rooms, {room_id: _Occupied(spans) for room_id, spans in room_spans.items()})
        merged = heapq.merge(
            *(
                _counselor_slots(
                    schedule=s,
                    occupied=_Occupied(busy[s.pk]),
                    first_free_room=first_free_room,
                    spans=spans,
                    days=chunk,
                    duration=duration.total_seconds(),
                    step=step.total_seconds(),
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
    used = {room_id for *_slot, room_id in found}
    shown_rooms = {
        pk: value if isinstance(value, Room) else Room.from_db(DEFAULT_DB_ALIAS, _ROOM_FIELDS, value)
        for pk, value in room_of.items()
        if pk in used
    }
    return [
        Slot(named[pk], datetime.fromtimestamp(start, tz), datetime.fromtimestamp(end, tz), shown_rooms.get(room_id))
        for pk, start, end, room_id in found
    ]
