"""Participant list (XLSX) for an edition, built on core.exports; its calendar is in trainings.calendar."""

from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.enums import AttendanceStatus
from core.exports import Sheet, ics_response, xlsx_response
from core.formatting import local_moment
from trainings.enums import EnrollmentStatus

__all__ = ["ics_response", "participants_xlsx"]


def participants_xlsx(*, edition, sessions, rows, filename):
    header = [_("Name"), _("Organisation"), _("Job title"), _("Email"), _("Status")]
    cancelled = _("cancelled")  # outside the f-string: the message extractor does not read inside one
    header += [local_moment(s.start) + (f" ({cancelled})" if s.cancelled else "") for s in sessions]
    header += [_("Hours attended"), _("Completion")]

    # Each label translated once for the sheet, not once per cell.
    marks = choice_labels(AttendanceStatus.choices)
    statuses = choice_labels(EnrollmentStatus.choices)

    def _rows():
        for row in rows:
            enrollment = row.enrollment
            profile = getattr(enrollment.user, "profile", None)
            yield [
                getattr(profile, "full_name", "") or enrollment.user.email,
                getattr(profile, "organisation", ""),
                getattr(profile, "job_title", ""),
                enrollment.user.email,
                statuses.get(enrollment.status, enrollment.status),
                *[marks[mark] if mark else "" for mark in row.marks],
                float(row.hours),
                enrollment.reason_shown(),
            ]

    sheet = Sheet(
        title=_("Participants"),
        header=header,
        rows=_rows(),
        widths=[28, 28, 22, 28, 16, *[16] * len(sessions), 12, 40],
    )
    return xlsx_response([sheet], filename=filename)
