"""The one export base: selectors yield rows, these builders write XLSX or .ics.

Heavy libraries are imported inside the builders so that pages that never export do not pay for them.
"""

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.http import HttpResponse

from core import dates


@dataclass(frozen=True)
class Chart:
    """A chart drawn under a sheet's table from the sheet's own cells: 0-based column indexes, the header row
    naming the series. Text in a value cell (a hidden small number) is simply not drawn.

    kind "bar" draws horizontal bars (long category labels stay readable), "column" vertical ones. The
    target column is drawn as markers over the columns of a "column" chart and as a grey bar in a "bar"
    chart (spreadsheet programs cannot lay a line over horizontal bars)."""

    title: str
    series_columns: Sequence[int]
    categories_column: int = 0
    kind: str = "bar"
    target_column: int | None = None
    y_title: str = ""


@dataclass(frozen=True)
class Row:
    """A row with a look of its own, for a sheet laid out as a document (headings, small tables, paragraphs)
    rather than as one table. Styles: "title", "heading", "th" (a table's header), "td" (a table's row),
    "total", or "" (plain). With `merge` the last value spans the sheet's remaining columns, wrapped."""

    values: Sequence
    style: str = ""
    merge: bool = False
    number_formats: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Block:
    """Rows printed on one page whenever they fit on one: a heading with its table, a label with its text."""

    rows: Sequence[Row]


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence | Row | Block]
    widths: Sequence[int] = field(default_factory=list)
    number_formats: dict[int, str] = field(default_factory=dict)  # column index -> Excel number format
    wrap: Sequence[int] = ()  # column indexes whose text wraps (the row grows to fit it)
    charts: Sequence[Chart] = ()
    gridlines: bool = True  # printed; a sheet of styled Rows draws its own borders


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Printing. A4 with modest margins (in inches, as the file keeps them), the header row repeated on every
# page. A sheet wider than a portrait page prints landscape, fitted to the page width unless that would
# shrink it below MIN_SCALE (a wide grid then runs over a few pages across, its first column on each).
A4 = (595.3, 841.9)  # points
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}
MIN_SCALE = 0.5
# Spreadsheet programs do not grow a row to fit wrapped text they did not lay out themselves (LibreOffice
# opens such a row one line high), so the builder sets the height of a row whose text wraps, estimated from
# the column widths. A column width unit is a digit of the default font (7 pixels of 11 pt text).
LINE = 15.0  # points: one line of 11 pt text
CHAR = 6.0  # pixels: an average character of 11 pt text, erring on the wide side
FONTS = {"title": (14, True), "heading": (12, True), "th": (11, True), "total": (11, True)}  # size, bold
SPACE_ABOVE = {"title": 6.0, "heading": 8.0}  # points above a heading (its text sits at the bottom)
CHART_CM = (4.0, 0.3)  # a bar chart's height: fixed part, and per bar, in centimetres
COLUMN_CHART_CM = 9.0


def _column_points(width: float) -> float:
    return (width * 7 + 5) * 0.75


def _lines(text, width: float, *, size: int = 11, bold: bool = False) -> int:
    """How many lines a text wraps to in a column of this width: words laid out greedily, a word longer than
    a line broken across lines."""
    char = CHAR * size / 11 * (1.1 if bold else 1.0)
    per_line = max(1, int(_column_points(width) / 0.75 / char) - 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        count, used = 1, 0
        for word in paragraph.split():
            length = len(word)
            if used and used + 1 + length <= per_line:
                used += 1 + length
                continue
            if used:
                count += 1
            count += (length - 1) // per_line
            used = (length - 1) % per_line + 1
        lines += count
    return lines


def _row_height(values: Sequence, widths: Sequence[float], *, wrap, merge: bool = False, style: str = "") -> float:
    """The height of a row in points: the tallest of its wrapped texts (the last one spans the rest of the
    columns when the row is merged), at least one line of its font."""
    size, bold = FONTS.get(style, (11, False))
    line = LINE * size / 11
    lines = 1
    for index, value in enumerate(values):
        if value is None or value == "" or index >= len(widths):
            continue
        if merge and index == len(values) - 1:
            width = sum(widths[index:])
        elif index in wrap:
            width = widths[index]
        else:
            continue
        lines = max(lines, _lines(value, width, size=size, bold=bold))
    return line * lines + SPACE_ABOVE.get(style, 0.0)


class _Page:
    """Where rows fall on the printed pages, estimated from their heights: enough to keep a Block or a chart
    off a page break. A reader's program whose default font is wider than Calibri makes the columns wider,
    and fitting them to the page then prints every row smaller: the estimate errs towards an early break."""

    def __init__(self, widths: Sequence[float]):
        content = sum(_column_points(width) for width in widths) or 1.0
        side = 72 * (MARGINS["left"] + MARGINS["right"])
        self.landscape = content > A4[0] - side
        page_width, page_height = (A4[1], A4[0]) if self.landscape else A4
        printable = page_width - side
        self.pages_wide = max(1, math.ceil(content * MIN_SCALE / printable))
        scale = min(1.0, printable * self.pages_wide / content)
        self.height = (page_height - 72 * (MARGINS["top"] + MARGINS["bottom"])) / scale  # the sheet's points
        self.title = 0.0  # the header row, repeated at the top of every page
        self.y = 0.0

    def add(self, height: float) -> None:
        if self.y + height > self.height:
            self.y = self.title
        self.y += height

    def breaks_before(self, height: float) -> bool:
        """Whether something this tall should start a new page: it does not fit under what is there, and it
        would fit on a page of its own."""
        return self.y + height > self.height and self.title + height <= self.height

    def new_page(self) -> None:
        self.y = self.title


class _Styles:
    """Fonts, borders and alignments, made once per workbook."""

    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="808080")
        self.bold = Font(bold=True)
        self.fonts = {style: Font(bold=bold, size=size) for style, (size, bold) in FONTS.items()}
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.heading = Alignment(wrap_text=True, vertical="bottom")
        self.number = Alignment(horizontal="right", vertical="top", wrap_text=True)
        self.column = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.fill = PatternFill("solid", fgColor="E7E6E6")


def xlsx_build(sheets: Sequence[Sheet]) -> bytes:
    """Write sheets with openpyxl's write-only mode: flat memory, bold frozen header, set widths, no formulas;
    set up to print (A4, fitted to the page width, the header row on every page), charts under the table.

    Write-only mode streams each row into the file as it is appended. So what the file keeps before the
    rows (column widths, the fit-to-page flag) is set before the first row, a row's height before the row,
    and what it keeps after them or in the workbook (page setup, margins, page breaks, merged cells, charts,
    print area and print titles) once the rows are written and the used range is known."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    styles = _Styles()
    for sheet in sheets:
        _write_sheet(workbook, sheet, styles)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook, sheet: Sheet, styles: _Styles) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = workbook.create_sheet(title=_safe_title(sheet.title))
    ws.freeze_panes = "A2"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    widths = [
        sheet.widths[index] if index < len(sheet.widths) else max(12, len(str(header)) + 2)
        for index, header in enumerate(sheet.header)
    ]
    widths.extend(sheet.widths[len(widths) :])
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    page = _Page(widths)
    every_column = range(len(widths))

    header = [str(value) for value in sheet.header]
    height = _row_height(header, widths, wrap=every_column, style="th")
    if height > LINE:
        ws.row_dimensions[1].height = height
    header_cells = []
    for value in header:
        cell = WriteOnlyCell(ws, value=value)
        cell.font = styles.bold
        cell.alignment = styles.wrap
        header_cells.append(cell)
    ws.append(header_cells)
    ws.print_title_rows = "1:1"
    page.title = height
    page.add(height)

    formats, wrap = sheet.number_formats, frozenset(sheet.wrap)
    columns, last_row = max(len(widths), 1), 1  # a merged cell reaches the last column with a width
    for item in sheet.rows:
        if isinstance(item, Row | Block):
            rows = item.rows if isinstance(item, Block) else [item]
            heights = [
                _row_height(row.values, widths, wrap=every_column, merge=row.merge, style=row.style) for row in rows
            ]
            if isinstance(item, Block) and page.breaks_before(sum(heights)):
                ws.row_breaks.append(Break(id=last_row))
                page.new_page()
            for row, height in zip(rows, heights, strict=True):
                last_row += 1
                _append_styled(ws, row, styles, widths, row_number=last_row, height=height)
                page.add(height)
                columns = max(columns, len(row.values))
            continue
        last_row += 1
        if formats or wrap:
            values = list(item)
            cells = []
            for index, value in enumerate(values):
                cell = WriteOnlyCell(ws, value=_plain(value))
                if index in formats:
                    cell.number_format = formats[index]
                if index in wrap:
                    cell.alignment = styles.wrap
                cells.append(cell)
            height = _row_height(values, widths, wrap=wrap) if wrap else LINE
            if height > LINE:
                ws.row_dimensions[last_row].height = height
        else:
            cells = [_plain(value) for value in item]
            height = LINE
        ws.append(cells)
        page.add(height)
        columns = max(columns, len(cells))

    if last_row > 1:
        data_rows = last_row - 1
        for chart in sheet.charts:
            last_row = _add_chart(ws, chart, page, data_rows=data_rows, below=last_row, columns=columns)

    ws.print_area = f"A1:{get_column_letter(columns)}{last_row}"
    setup = ws.page_setup
    setup.paperSize = 9  # A4
    setup.orientation = "landscape" if page.landscape else "portrait"
    setup.fitToWidth = page.pages_wide
    setup.fitToHeight = 0  # as many pages down as the rows need
    if page.pages_wide > 1:
        ws.print_title_cols = "A:A"
    for name, inches in MARGINS.items():
        setattr(ws.page_margins, name, inches)
    ws.print_options.gridLines = sheet.gridlines
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"


def _append_styled(ws, row: Row, styles: _Styles, widths, *, row_number: int, height: float) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    boxed = row.style in ("th", "td", "total")
    font = styles.fonts.get(row.style)
    merged = len(row.values) - 1 if row.merge else None
    cells = []
    for index, value in enumerate(row.values):
        cell = WriteOnlyCell(ws, value=_plain(value))
        if font is not None:
            cell.font = font
        if row.style == "th":
            cell.alignment = styles.column if index else styles.wrap
            cell.fill = styles.fill
        elif row.style in SPACE_ABOVE:
            cell.alignment = styles.heading
        elif boxed and index and index != merged:
            cell.alignment = styles.number
        else:
            cell.alignment = styles.wrap
        if boxed:
            cell.border = styles.border
        if index in row.number_formats:
            cell.number_format = row.number_formats[index]
        cells.append(cell)
    if merged is not None and len(row.values) < len(widths):
        ws.merged_cells.add(f"{get_column_letter(merged + 1)}{row_number}:{get_column_letter(len(widths))}{row_number}")
        for _index in range(len(row.values), len(widths)):
            # The cells under a merged one carry its border, or its box has a gap.
            filler = WriteOnlyCell(ws)
            if boxed:
                filler.border = styles.border
            cells.append(filler)
    # Every styled row gets its height, one line included: the page estimate then holds in any font.
    ws.row_dimensions[row_number].height = height
    ws.append(cells)


def _add_chart(ws, spec: Chart, page: _Page, *, data_rows: int, below: int, columns: int) -> int:
    """Draw the chart under row `below`, one row apart, across the table's columns (on a new page when it does
    not fit under the table); the last row it covers."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
    from openpyxl.worksheet.pagebreak import Break

    if spec.kind not in ("bar", "column"):
        raise ValueError(f"Unknown kind of chart: {spec.kind}")
    bars = BarChart()
    bars.type = "bar" if spec.kind == "bar" else "col"
    bars.grouping = "clustered"
    bars.title = spec.title
    bars.gapWidth = 60
    series_columns = list(spec.series_columns)
    if spec.target_column is not None and spec.kind == "bar":
        series_columns.append(spec.target_column)
    for column in series_columns:
        bars.add_data(Reference(ws, min_col=column + 1, min_row=1, max_row=data_rows + 1), titles_from_data=True)
    if spec.target_column is not None and spec.kind == "bar":
        bars.series[-1].graphicalProperties = GraphicalProperties(solidFill="A6A6A6")
    bars.set_categories(Reference(ws, min_col=spec.categories_column + 1, min_row=2, max_row=data_rows + 1))
    if spec.y_title:
        bars.y_axis.title = spec.y_title
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    bars.legend.position = "b"
    if spec.kind == "bar":
        # The first category at the top, as in the table; the value axis stays at the bottom.
        bars.x_axis.scaling.orientation = "maxMin"
        bars.y_axis.crosses = "max"
        fixed, per_bar = CHART_CM
        height_cm = fixed + per_bar * data_rows * len(series_columns)
    else:
        height_cm = COLUMN_CHART_CM
        if spec.target_column is not None:
            # The targets as short dashes over the columns.
            markers = LineChart()
            reference = Reference(ws, min_col=spec.target_column + 1, min_row=1, max_row=data_rows + 1)
            markers.add_data(reference, titles_from_data=True)
            line = markers.series[0]
            line.marker.symbol = "dash"
            line.marker.size = 14
            line.marker.graphicalProperties = GraphicalProperties(solidFill="404040")
            line.graphicalProperties.line.noFill = True
            bars += markers  # on the columns' axes
    height = min(height_cm / 2.54 * 72, page.height - page.title - LINE)
    first = below + 2  # one row apart
    page.add(LINE)
    if page.breaks_before(height):
        ws.row_breaks.append(Break(id=below + 1))
        page.new_page()
    page.add(height)
    rows = math.ceil(height / LINE)
    # Anchored to cells at both corners: as wide as the table in whatever font the reader's program uses.
    anchor = TwoCellAnchor()
    anchor._from = AnchorMarker(col=0, row=first - 1)
    anchor.to = AnchorMarker(col=columns, row=first - 1 + rows)
    bars.anchor = anchor
    ws.add_chart(bars)
    return first + rows - 1


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
