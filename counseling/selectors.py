"""Reads for counseling: querysets scoped to the user first, then the free-slot finder."""

import heapq
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from math import ceil
from operator import itemgetter

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.roles import has_role
from core import dates
from counseling.enums import ACTIVE_BOOKING_STATUSES, IntakeStatus, SessionKind
from counseling.models import AvailabilityException, Booking, Client, CounselorProfile, IntakeRequest, Room


def counselor_profile_for(user) -> CounselorProfile | None:
    """Her counselor profile, cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_haven_counselor_profile"):
        user._haven_counselor_profile = CounselorProfile.objects.filter(user=user).first()
    return user._haven_counselor_profile


def counselors_for(user):
    """Counselors the user may book for: every active one for coordinators, herself for a counselor."""
    qs = CounselorProfile.objects.filter(active=True).select_related("user__profile")
    if has_role(user, Role.COORDINATOR):
        return qs
    if has_role(user, Role.COUNSELOR):
        return qs.filter(user=user)
    return qs.none()


def clients_for(user):
    """Coordinators see every client; a counselor sees only her own clients."""
    qs = Client.objects.all()
    if has_role(user, Role.COORDINATOR):
        return qs
    if has_role(user, Role.COUNSELOR):
        return qs.filter(counselors__user=user).distinct()
    return qs.none()


def bookings_for(user):
    qs = Booking.objects.select_related("counselor__user__profile", "room", "client")
    if has_role(user, Role.COORDINATOR):
        return qs
    if has_role(user, Role.COUNSELOR):
        return qs.filter(counselor__user=user)
    return qs.none()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def bookings_between(*, user, first_day: date, days: int, counselor=None):
    start, _end = day_bounds(first_day)
    _start, end = day_bounds(first_day + timedelta(days=days - 1))
    qs = bookings_for(user).filter(start__lt=end, end__gt=start)
    if counselor is not None:
        qs = qs.filter(counselor=counselor)
    return qs.order_by("start", "pk")


def bookings_today_for(user):
    start, end = day_bounds(dates.today())
    profile = counselor_profile_for(user)
    if profile is None:
        return Booking.objects.none()
    return (
        Booking.objects.filter(counselor=profile, start__lt=end, end__gt=start, status__in=ACTIVE_BOOKING_STATUSES)
        .select_related("room", "client")
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
class Slot:
    counselor: CounselorProfile
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


def _window_spans_seconds(windows, day: date) -> list[tuple[float, float]]:
    return [(start.timestamp(), end.timestamp()) for start, end in window_spans(windows, day)]


def _counselor_slots(*, profile, occupied, rooms, room_occupied, first_day, days, duration, step, earliest, tz):
    """Her free times in time order, produced one at a time: the caller stops when it has enough."""
    windows = list(profile.windows.all())
    name = str(profile)
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for w_start, w_end in _window_spans_seconds(windows, day):
            candidate = w_start
            if candidate < earliest:
                candidate = w_start + step * ceil((earliest - w_start) / step)
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
                    slot = Slot(
                        profile, datetime.fromtimestamp(candidate, tz), datetime.fromtimestamp(finish, tz), room
                    )
                    yield (candidate, name, profile.pk), slot
                candidate += step


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

    A constant number of queries whatever the number of counselors and days: counselors with windows and
    absences (3), rooms (1), bookings in the range (1). Each counselor's free times are produced lazily and
    merged in time order, and the merge stops at `limit`: the work follows the slots shown, not the size
    of the calendar; occupancy is checked by bisection over sorted, merged intervals.
    """
    now = now or dates.now()
    range_start, range_end = dates.start_of_day(first_day), dates.end_of_day(first_day + timedelta(days=days - 1))
    profiles = [
        p
        for p in counselors.filter(active=True)
        .select_related("user__profile")
        .prefetch_related(
            "windows",
            Prefetch(
                "exceptions",
                queryset=AvailabilityException.objects.filter(start__lt=range_end, end__gt=range_start),
            ),
        )
        if p.may_hold(kind)
    ]
    if not profiles:
        return []
    if kind == SessionKind.HOME_VISIT:
        rooms = [None]
    elif room is not None:
        rooms = [room]
    else:
        rooms = list(Room.objects.filter(active=True))
        if not rooms:
            return []
    max_buffer = timedelta(minutes=max(p.buffer_minutes for p in profiles))
    buffers = {p.pk: p.buffer_minutes * 60 for p in profiles}
    counselor_spans = {p.pk: [(a.start.timestamp(), a.end.timestamp()) for a in p.exceptions.all()] for p in profiles}
    room_spans = defaultdict(list)
    for counselor_id, room_id, b_start, b_end in Booking.objects.filter(
        status__in=ACTIVE_BOOKING_STATUSES, start__lt=range_end + max_buffer, end__gt=range_start - max_buffer
    ).values_list("counselor_id", "room_id", "start", "end"):
        start, end = b_start.timestamp(), b_end.timestamp()
        if counselor_id in counselor_spans:
            buffer = buffers[counselor_id]
            counselor_spans[counselor_id].append((start - buffer, end + buffer))
        if room_id is not None:
            room_spans[room_id].append((start, end))
    room_occupied = {room_id: _Occupied(spans) for room_id, spans in room_spans.items()}
    tz = timezone.get_current_timezone()
    found = heapq.merge(
        *(
            _counselor_slots(
                profile=p,
                occupied=_Occupied(counselor_spans[p.pk]),
                rooms=rooms,
                room_occupied=room_occupied,
                first_day=first_day,
                days=days,
                duration=duration.total_seconds(),
                step=step.total_seconds(),
                earliest=(now + timedelta(hours=p.min_notice_hours)).timestamp(),
                tz=tz,
            )
            for p in profiles
        ),
        key=itemgetter(0),
    )
    return [slot for _key, slot in islice(found, limit)]
