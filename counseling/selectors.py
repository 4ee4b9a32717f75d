"""Reads for counseling: querysets scoped to the user first, then the free-slot finder."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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


@dataclass(frozen=True)
class Slot:
    counselor: CounselorProfile
    start: datetime
    end: datetime
    room: Room | None


def _overlaps(spans, start, end) -> bool:
    return any(s < end and e > start for s, e in spans)


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
    limit: int | None = None,
) -> list[Slot]:
    """Free times: availability windows minus absences, minus her bookings (with buffer), minus room occupancy.

    A constant number of queries whatever the number of counselors and days: counselors with windows and
    absences (3), rooms (1), bookings in the range (1).
    """
    now = now or dates.now()
    range_start, _e = day_bounds(first_day)
    _s, range_end = day_bounds(first_day + timedelta(days=days - 1))
    profiles = list(
        counselors.filter(active=True)
        .select_related("user__profile")
        .prefetch_related(
            "windows",
            Prefetch(
                "exceptions",
                queryset=AvailabilityException.objects.filter(start__lt=range_end, end__gt=range_start),
            ),
        )
    )
    profiles = [p for p in profiles if p.may_hold(kind)]
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
    tz = timezone.get_current_timezone()
    # Occupancy indexed by (counselor or room, local date), so each candidate looks at one day's bookings only.
    busy_counselor = defaultdict(list)
    busy_room = defaultdict(list)
    profile_ids = {p.pk for p in profiles}
    for counselor_id, room_id, b_start, b_end in Booking.objects.filter(
        status__in=ACTIVE_BOOKING_STATUSES, start__lt=range_end + max_buffer, end__gt=range_start - max_buffer
    ).values_list("counselor_id", "room_id", "start", "end"):
        day = (b_start - max_buffer).astimezone(tz).date()
        last = (b_end + max_buffer).astimezone(tz).date()
        while day <= last:
            if counselor_id in profile_ids:
                busy_counselor[counselor_id, day].append((b_start, b_end))
            if room_id is not None:
                busy_room[room_id, day].append((b_start, b_end))
            day += timedelta(days=1)

    slots = []
    for profile in profiles:
        windows = list(profile.windows.all())
        absences = [(a.start, a.end) for a in profile.exceptions.all()]
        buffer = timedelta(minutes=profile.buffer_minutes)
        earliest = now + timedelta(hours=profile.min_notice_hours)
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            busy = busy_counselor[profile.pk, day]
            for w_start, w_end in window_spans(windows, day):
                candidate = w_start
                while candidate + duration <= w_end:
                    finish = candidate + duration
                    if (
                        candidate >= earliest
                        and not _overlaps(absences, candidate, finish)
                        and not _overlaps(busy, candidate - buffer, finish + buffer)
                    ):
                        free_room = next(
                            (r for r in rooms if r is None or not _overlaps(busy_room[r.pk, day], candidate, finish)),
                            False,
                        )
                        if free_room is not False:
                            slots.append(Slot(profile, candidate, finish, free_room))
                    candidate += step
    slots.sort(key=lambda s: (s.start, str(s.counselor)))
    return slots[:limit] if limit else slots
