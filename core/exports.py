"""The one export base: selectors yield rows, these builders write XLSX or .ics.

Heavy libraries are imported inside the builders so that pages that never export do not pay for them.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

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
