"""The one export base: selectors yield rows, these builders write XLSX or .ics.

Heavy libraries are imported inside the builders so that pages that never export do not pay for them.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.http import HttpResponse

from core import dates


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = field(default_factory=list)
    number_formats: dict[int, str] = field(default_factory=dict)  # column index -> Excel number format


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_build(sheets: Sequence[Sheet]) -> bytes:
    """Write sheets with openpyxl's write-only mode: flat memory, bold frozen header, set widths, no formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        ws = workbook.create_sheet(title=_safe_title(sheet.title))
        ws.freeze_panes = "A2"
        for index, header in enumerate(sheet.header, start=1):
            width = sheet.widths[index - 1] if index - 1 < len(sheet.widths) else max(12, len(str(header)) + 2)
            ws.column_dimensions[get_column_letter(index)].width = width
        header_cells = []
        for value in sheet.header:
            cell = WriteOnlyCell(ws, value=str(value))
            cell.font = bold
            cell.alignment = wrap
            header_cells.append(cell)
        ws.append(header_cells)
        formats = sheet.number_formats
        for row in sheet.rows:
            if formats:
                cells = []
                for index, value in enumerate(row):
                    cell = WriteOnlyCell(ws, value=_plain(value))
                    if index in formats:
                        cell.number_format = formats[index]
                    cells.append(cell)
                ws.append(cells)
            else:
                ws.append([_plain(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value):
    # Strings starting with "=" would be read as formulas by spreadsheet programs.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Spreadsheets have no time zones: show the organisation's local time.
        return dates.local_time(value).replace(tzinfo=None)
    return value


def _safe_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31] or "Sheet"


def xlsx_response(sheets: Sequence[Sheet], *, filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_build(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def ics_response(calendar_bytes: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(calendar_bytes, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# Calendars ------------------------------------------------------------------------------------------------

CALENDAR_PRODID = "-//Haven//Calendar//EN"
CONFIRMED = "CONFIRMED"
TENTATIVE = "TENTATIVE"
CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class CalendarEvent:
    """One event as a calendar shows it. The same thing (a session, a booking) always has the same `uid`, in
    every file and feed it appears in, and a higher `sequence` after each change of time or status."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    sequence: int = 0
    status: str = CONFIRMED
    location: str = ""
    description: str = ""


def calendar_build(events: Iterable[CalendarEvent], *, name: str = "", method: str = "PUBLISH", uid: str = "") -> bytes:
    """An .ics file of the events. `uid` names the calendar itself: give the same one on every build of the
    same calendar (a feed, an edition's download), or calendar programs see a new calendar each time."""
    from django.utils import timezone
    from icalendar import Calendar, Event

    tz = timezone.get_current_timezone()
    calendar = Calendar.new(prodid=CALENDAR_PRODID, method=method, name=name or None, uid=uid or None)
    if not uid:
        # icalendar invents a random calendar UID; no UID at all is better than one that changes.
        calendar.pop("UID", None)
    stamp = dates.now()
    first = last = None
    for item in events:
        start = item.start.astimezone(tz)
        end = item.end.astimezone(tz)
        event = Event.new(
            uid=item.uid,
            summary=item.summary,
            start=start,
            end=end,
            stamp=stamp,
            sequence=item.sequence,
            status=item.status,
            location=item.location or None,
            description=item.description or None,
        )
        calendar.add_component(event)
        first = start.date() if first is None else min(first, start.date())
        last = end.date() if last is None else max(last, end.date())
    if first is not None:
        calendar.add_missing_timezones(first_date=first - timedelta(days=1), last_date=last + timedelta(days=1))
    return calendar.to_ical()
