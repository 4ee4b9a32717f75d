"""The one calendar source for trainings: every session is one event with one UID.

The personal feed (website.feeds), the edition's "Add to my calendar" download and the file attached to
enrolment emails all build their training events here, so a subscriber who also downloads the file sees
each session once, and a moved or cancelled session replaces the one she already has (same UID, higher
SEQUENCE, STATUS:CANCELLED).
"""

from django.utils.translation import gettext as _

from core.exports import CANCELLED, CONFIRMED, CalendarEvent, calendar_build
from trainings.enums import EditionStatus

UID_DOMAIN = "haven"


def session_uid(session_pk: int) -> str:
    return f"training-session-{session_pk}@{UID_DOMAIN}"


def edition_calendar_uid(edition_pk: int) -> str:
    return f"training-edition-{edition_pk}@{UID_DOMAIN}"


def _join(*parts) -> str:
    return ", ".join(part for part in parts if part)


def training_session_event(session, *, dropped: bool = False) -> CalendarEvent:
    """`dropped`: she left the edition (cancelled, transferred): her copy of the session is cancelled."""
    edition = session.edition
    title = edition.programme.title
    summary = f"{title} - {session.title}" if session.title else title
    cancelled = dropped or session.cancelled or edition.status == EditionStatus.CANCELLED
    return CalendarEvent(
        uid=session_uid(session.pk),
        summary=summary,
        start=session.start,
        end=session.end,
        # Leaving an edition changes the event for her although the session itself did not change.
        sequence=session.sequence + (1 if dropped else 0),
        status=CANCELLED if cancelled else CONFIRMED,
        location=_join(edition.venue, edition.municipality) or edition.online_link,
        description=edition.online_link if edition.venue and edition.online_link else "",
    )


def edition_events(edition, sessions=None) -> list[CalendarEvent]:
    """The edition's sessions, cancelled ones included (so calendars that hold them drop them)."""
    if sessions is None:
        sessions = edition.sessions.all()
    return [training_session_event(session) for session in sorted(sessions, key=lambda s: (s.start, s.pk))]


def edition_ics(*, edition, sessions=None) -> bytes:
    """All sessions of an edition in one file: the download on the edition page and the enrolment emails."""
    return calendar_build(
        edition_events(edition, sessions),
        name=_("Training: %(title)s") % {"title": edition.programme.title},
        uid=edition_calendar_uid(edition.pk),
    )
