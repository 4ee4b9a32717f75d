from django.utils import formats
from django.utils.translation import gettext as _

from core.dates import local_date
from core.exports import Sheet, xlsx_response
from groups.selectors import AttendanceGrid, cohort_overview_rows


def cohort_overview_xlsx(*, grid: AttendanceGrid):
    """The members x sessions grid as a spreadsheet. Aliases only: no codes, no notes."""
    session_headers = [formats.date_format(local_date(s.start), "SHORT_DATE_FORMAT") for s in grid.sessions]
    header = [_("Member"), *session_headers, _("Present"), _("Marked sessions"), _("Attendance rate (%)")]
    sheet = Sheet(
        title=_("Attendance"),
        header=header,
        rows=cohort_overview_rows(grid=grid),
        widths=[24, *[11] * len(session_headers), 10, 12, 14],
    )
    return xlsx_response([sheet], filename=f"cohort-{grid.cohort.pk}-attendance.xlsx")
