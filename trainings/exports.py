"""Participant list (XLSX) and calendar (.ics) for an edition, built on core.exports."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from core.exports import Sheet, ics_response, xlsx_response

__all__ = ["edition_ics", "ics_response", "participants_xlsx"]


def participants_xlsx(*, edition, sessions, rows, filename):
    header = [_("Name"), _("Organisation"), _("Job title"), _("Email"), _("Status")]
    header += [dates.local_time(s.start).strftime("%d.%m.%Y %H:%M") for s in sessions]
    header += [_("Completion")]

    def _rows():
        for row in rows:
            enrollment = row.enrollment
            profile = getattr(enrollment.user, "profile", None)
            yield [
                getattr(profile, "full_name", "") or enrollment.user.email,
                getattr(profile, "organisation", ""),
                getattr(profile, "job_title", ""),
                enrollment.user.email,
                enrollment.get_status_display(),
                *[str(label or "") for label in row.labels],
                enrollment.completion_reason,
            ]

    sheet = Sheet(
        title=_("Participants"),
        header=header,
        rows=_rows(),
        widths=[28, 28, 22, 28, 16, *[16] * len(sessions), 40],
    )
    return xlsx_response([sheet], filename=filename)


def edition_ics(*, edition) -> bytes:
    """One event for the whole edition: from the first session's start to the last one's end."""
    from icalendar import Calendar, Event

    sessions = list(edition.sessions.all())
    if sessions:
        start, end = sessions[0].start, sessions[-1].end
    else:
        tz = timezone.get_current_timezone()
        start = datetime.combine(edition.start_date, time(9), tzinfo=tz)
        end = datetime.combine(edition.end_date, time(17), tzinfo=tz)
    lines = [
        f"{dates.local_time(s.start):%d.%m.%Y %H:%M}–{dates.local_time(s.end):%H:%M} {s.title}".strip()
        for s in sessions
    ]
    location = ", ".join(part for part in (edition.venue, edition.municipality) if part) or edition.online_link
    event = Event.new(
        uid=f"training-edition-{edition.pk}@haven",
        summary=edition.programme.title,
        start=start,
        end=end,
        location=location or None,
        description="\n".join(lines) or None,
        url=edition.online_link or None,
        stamp=dates.now(),
        sequence=sum(s.sequence for s in sessions),
    )
    calendar = Calendar.new(prodid="-//Haven//Trainings//EN", method="PUBLISH", subcomponents=[event])
    calendar.add_missing_timezones()
    return calendar.to_ical()
