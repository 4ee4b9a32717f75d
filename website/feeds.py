"""Calendar feeds and single-event downloads (.ics).

Each source has a selector that yields `CalendarEvent`s for one person with one query; the builder writes
them with icalendar. Events carry only what is safe on a phone's lock screen: a booking reads
"Counseling - Room 2", never the client's alias, the kind of session, notes or a reason for cancelling.
"""

import hashlib
from datetime import timedelta

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from core.exports import CANCELLED, CONFIRMED, TENTATIVE, CalendarEvent, calendar_build
from counseling.enums import BookingStatus
from counseling.models import Booking, booking_earliest_start
from groups.models import GroupSession
from trainings.calendar import edition_ics, training_session_event
from trainings.enums import EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingSession

__all__ = ["CANCELLED", "CONFIRMED", "TENTATIVE", "CalendarEvent", "calendar_build", "training_session_event"]

UID_DOMAIN = "haven"
# A feed covers recent history and everything ahead: enough for a phone, bounded for the server.
FEED_PAST_DAYS = 90

# Enrolments whose sessions the trainee attends, and those whose sessions she must see as cancelled.
TRAINEE_ATTENDING = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)
TRAINEE_DROPPED = (EnrollmentStatus.CANCELLED, EnrollmentStatus.TRANSFERRED)


def _uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{UID_DOMAIN}"


def _join(*parts) -> str:
    return ", ".join(part for part in parts if part)


# Events from each source -------------------------------------------------------------------------------


def group_session_event(session: GroupSession) -> CalendarEvent:
    cohort = session.cohort
    return CalendarEvent(
        uid=_uid("group-session", session.pk),
        # The cohort's name and the topic are the organisation's words; members and notes never appear.
        summary=_("Group session - %(cohort)s") % {"cohort": cohort.name},
        start=session.start,
        end=session.end,
        sequence=session.sequence,
        status=CANCELLED if session.cancelled else CONFIRMED,
        location=_join(cohort.venue, session.room or cohort.room),
        description=session.topic,
    )


def booking_event(booking: Booking) -> CalendarEvent:
    if booking.room_id:
        summary = _("Counseling - %(room)s") % {"room": booking.room.name}
        location = _join(booking.room.name, booking.room.location)
    else:
        # No room means a visit away from the office; where she goes stays out of the calendar.
        summary = _("Counseling - away from the office")
        location = ""
    if booking.status == BookingStatus.CANCELLED:
        status = CANCELLED
    elif booking.status == BookingStatus.REQUESTED:
        status = TENTATIVE
    else:
        status = CONFIRMED
    return CalendarEvent(
        uid=_uid("booking", booking.pk),
        summary=summary,
        start=booking.start,
        end=booking.end,
        sequence=booking.sequence,
        status=status,
        location=location,
    )


# Selectors: one query per source -------------------------------------------------------------------------


def facilitator_session_events(*, user, since) -> list[CalendarEvent]:
    sessions = (
        GroupSession.objects.filter(cohort__facilitators=user, end__gte=since)
        .select_related("cohort")
        .distinct()
        .order_by("start")
    )
    return [group_session_event(session) for session in sessions]


def counselor_booking_events(*, user, since) -> list[CalendarEvent]:
    bookings = (
        # The start's lower bound is implied by the end's; said outright, the (counselor, start) index serves.
        Booking.objects.filter(counselor__user=user, end__gte=since, start__gte=booking_earliest_start(since))
        .select_related("room")
        .only("pk", "start", "end", "status", "sequence", "room_id", "room__name", "room__location")
        .order_by("start")
    )
    return [booking_event(booking) for booking in bookings]


def trainee_session_events(*, user, since) -> list[CalendarEvent]:
    enrolment_status = Enrollment.objects.filter(edition=OuterRef("edition"), user=user).values("status")[:1]
    sessions = (
        TrainingSession.objects.filter(
            edition__enrollments__user=user,
            edition__enrollments__status__in=[*TRAINEE_ATTENDING, *TRAINEE_DROPPED],
            end__gte=since,
        )
        .select_related("edition__programme")
        .annotate(enrolment_status=Subquery(enrolment_status))
        .order_by("start")
    )
    return [
        training_session_event(session, dropped=session.enrolment_status in TRAINEE_DROPPED) for session in sessions
    ]


def trainer_session_events(*, user, since) -> list[CalendarEvent]:
    sessions = (
        TrainingSession.objects.filter(edition__trainers=user, end__gte=since)
        .select_related("edition__programme")
        .distinct()
        .order_by("start")
    )
    return [training_session_event(session) for session in sessions]


FEED_SOURCES = [
    facilitator_session_events,
    counselor_booking_events,
    trainee_session_events,
    trainer_session_events,
]


def feed_events_for(user, *, now=None) -> list[CalendarEvent]:
    """All of a person's events, one query per source; a session she both teaches and attends appears once."""
    since = (now or dates.now()) - timedelta(days=FEED_PAST_DAYS)
    events: dict[str, CalendarEvent] = {}
    for source in FEED_SOURCES:
        for event in source(user=user, since=since):
            known = events.get(event.uid)
            # Teaching a session outranks having left its edition as a trainee.
            if known is None or (known.status == CANCELLED and event.status != CANCELLED):
                events[event.uid] = event
    return sorted(events.values(), key=lambda event: (event.start, event.uid))


# How long a built feed is kept. Only its own content finds it again (below), so this bounds the space, not
# the staleness.
FEED_KEPT_SECONDS = 24 * 60 * 60


def feed_ics(feed, *, name: str) -> bytes:
    """The person's feed as an .ics file, built once per content.

    Calendar programs fetch a feed every few minutes to hours, and it seldom changes between two fetches;
    writing it (icalendar) was nine tenths of a fetch's time. The file is kept under a digest of everything
    it says (each event as written, the calendar's name and UID, the time zone), so a changed event, another
    language or another calendar is another key and is written afresh: nothing has to be told to forget.
    The events are still read on every fetch (one query per source); only the writing is spared.
    """
    events = feed_events_for(feed.user)
    uid = feed_calendar_uid(feed)
    # Each event's repr names every field it has (a frozen dataclass of plain values); astuple() would copy
    # each value deeply first, a fifth of a fetch.
    content = (str(name), uid, timezone.get_current_timezone_name(), events)
    key = "calendar-feed:" + hashlib.sha256(repr(content).encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = calendar_build(events, name=name, uid=uid)
        cache.set(key, body, FEED_KEPT_SECONDS)
    return body


def feed_calendar_uid(feed) -> str:
    """The same UID on every fetch of a person's feed, so calendar programs know it is one calendar."""
    return f"calendar-feed-{feed.pk}@{UID_DOMAIN}"


def edition_ics_bytes(edition: Edition) -> bytes:
    """All sessions of an edition in one file: the same events, with the same UIDs, as in the feeds."""
    return edition_ics(edition=edition)
