"""The one export base: selectors yield rows, these builders write XLSX or .ics.

Heavy libraries are imported inside the builders so that pages that never export do not pay for them.
"""

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

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
DEFAULT_WIDTH = 8.43  # a column without a width of its own


def _column_points(width: float) -> float:
    """A column's width in points: its pixels (as `_column_pixels` counts them), three quarters of a point
    each."""
    return _column_pixels(width) * 0.75


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


class _Formats:
    """The workbook's cell formats, each combination of fonts, alignment, border, fill and number format made
    once (XlsxWriter keeps every format it is given, in use or not)."""

    BOLD = {"bold": True}
    WRAP = {"text_wrap": True, "valign": "top"}
    HEADING = {"text_wrap": True, "valign": "bottom"}
    NUMBER = {"text_wrap": True, "valign": "top", "align": "right"}
    COLUMN = {"text_wrap": True, "valign": "vcenter", "align": "center"}
    BORDER = {"border": 1, "border_color": "#808080"}
    FILL = {"pattern": 1, "bg_color": "#E7E6E6"}
    # What openpyxl, which wrote these files before, gave dates and times without a format of their own.
    DATES = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd", time: "h:mm:ss"}

    def __init__(self, workbook):
        self.workbook = workbook
        self.made = {}
        self.fonts = {style: {"bold": bold, "font_size": size} for style, (size, bold) in FONTS.items()}

    def __call__(self, *parts: dict, number_format: str | None = None):
        key = (*(id(part) for part in parts), number_format)
        made = self.made.get(key)
        if made is None:
            properties = {}
            for part in parts:
                properties.update(part)
            if number_format is not None:
                properties["num_format"] = number_format
            made = self.made[key] = self.workbook.add_format(properties)
        return made


def xlsx_build(sheets: Sequence[Sheet]) -> bytes:
    """Write sheets with XlsxWriter: bold frozen header, set widths, no formulas; set up to print (A4, fitted
    to the page width, the header row on every page), charts under the table. The workbook is made in memory
    (no temporary file per sheet) and written at once; values are written by their type, so a text is always
    a text (never read as a formula, a number or a link)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,  # a count divided by nothing is an error cell, not a failed download
        },
    )
    formats, titles = _Formats(workbook), set()
    for sheet in sheets:
        _write_sheet(workbook, sheet, formats, title=_unique_title(sheet.title, titles))
    workbook.close()
    return buffer.getvalue()


def _write_value(ws, row: int, column: int, value, formats: _Formats, parts=(), number_format=None) -> None:
    """One cell, written by the value's type, in the format of `parts` and `number_format` (a date or a time
    without a number format of its own gets the usual one)."""
    value = _plain(value)
    kind = type(value)
    if kind in _Formats.DATES:
        ws.write_datetime(row, column, value, formats(*parts, number_format=number_format or _Formats.DATES[kind]))
        return
    cell_format = formats(*parts, number_format=number_format) if parts or number_format else None
    if kind is int or kind is float:
        ws.write_number(row, column, value, cell_format)
        return
    text = kind is str or isinstance(value, str)
    if text and value:
        ws.write_string(row, column, value, cell_format)
    elif value is None or text:  # an empty text is an empty cell, as spreadsheet programs keep it
        if cell_format is not None:
            ws.write_blank(row, column, None, cell_format)
    else:
        ws.write(row, column, value, cell_format)


def _write_sheet(workbook, sheet: Sheet, formats: _Formats, *, title: str) -> None:
    ws = workbook.add_worksheet(title)
    ws.freeze_panes(1, 0)
    widths = [
        sheet.widths[index] if index < len(sheet.widths) else max(12, len(str(header)) + 2)
        for index, header in enumerate(sheet.header)
    ]
    widths.extend(sheet.widths[len(widths) :])
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)
    page = _Page(widths)
    every_column = range(len(widths))

    header = [str(value) for value in sheet.header]
    height = _row_height(header, widths, wrap=every_column, style="th")
    if height > LINE:
        ws.set_row(0, height)
    for index, value in enumerate(header):
        _write_value(ws, 0, index, value, formats, (_Formats.BOLD, _Formats.WRAP))
    ws.repeat_rows(0)
    page.title = height
    page.add(height)

    number_formats, wrap = sheet.number_formats, frozenset(sheet.wrap)
    wrapped = (_Formats.WRAP,)
    breaks = []
    columns, last_row = max(len(widths), 1), 1  # a merged cell reaches the last column with a width
    for item in sheet.rows:
        if isinstance(item, Row | Block):
            rows = item.rows if isinstance(item, Block) else [item]
            heights = [
                _row_height(row.values, widths, wrap=every_column, merge=row.merge, style=row.style) for row in rows
            ]
            if isinstance(item, Block) and page.breaks_before(sum(heights)):
                breaks.append(last_row)
                page.new_page()
            for row, height in zip(rows, heights, strict=True):
                _write_styled(ws, row, formats, widths, row_index=last_row, height=height)
                last_row += 1
                page.add(height)
                columns = max(columns, len(row.values))
            continue
        values = item if isinstance(item, list | tuple) else list(item)
        height = _row_height(values, widths, wrap=wrap) if wrap else LINE
        if height > LINE:
            ws.set_row(last_row, height)
        for index, value in enumerate(values):
            _write_value(
                ws, last_row, index, value, formats, wrapped if index in wrap else (), number_formats.get(index)
            )
        last_row += 1
        page.add(height)
        columns = max(columns, len(values))

    if last_row > 1:
        data_rows = last_row - 1
        for chart in sheet.charts:
            last_row = _add_chart(
                workbook,
                ws,
                title,
                chart,
                page,
                data_rows=data_rows,
                below=last_row,
                widths=widths,
                columns=columns,
                breaks=breaks,
            )

    if breaks:
        ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, last_row - 1, columns - 1)
    ws.set_paper(9)  # A4
    if page.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(page.pages_wide, 0)  # as many pages down as the rows need
    if page.pages_wide > 1:
        ws.repeat_columns(0)
    ws.set_margins(left=MARGINS["left"], right=MARGINS["right"], top=MARGINS["top"], bottom=MARGINS["bottom"])
    ws.set_header("", {"margin": MARGINS["header"]})
    ws.set_footer("&L&A&R&P / &N", {"margin": MARGINS["footer"]})
    if sheet.gridlines:
        ws.hide_gridlines(0)  # shown on screen and printed


def _write_styled(ws, row: Row, formats: _Formats, widths, *, row_index: int, height: float) -> None:
    boxed = row.style in ("th", "td", "total")
    font = formats.fonts.get(row.style)
    frame = tuple(part for part in (font, _Formats.BORDER if boxed else None) if part is not None)
    merged = len(row.values) - 1 if row.merge else None
    # Every styled row gets its height, one line included: the page estimate then holds in any font.
    ws.set_row(row_index, height)
    for index, value in enumerate(row.values):
        if row.style == "th":
            alignment = (_Formats.COLUMN if index else _Formats.WRAP, _Formats.FILL)
        elif row.style in SPACE_ABOVE:
            alignment = (_Formats.HEADING,)
        elif boxed and index and index != merged:
            alignment = (_Formats.NUMBER,)
        else:
            alignment = (_Formats.WRAP,)
        parts, number_format = frame + alignment, row.number_formats.get(index)
        if index == merged and len(row.values) < len(widths):
            # The cells under a merged one carry its format (its border too, or its box has a gap).
            ws.merge_range(
                row_index, index, row_index, len(widths) - 1, "", formats(*parts, number_format=number_format)
            )
        _write_value(ws, row_index, index, value, formats, parts, number_format)


def _column_pixels(width: float) -> int:
    """A column's width in pixels as spreadsheet programs (and XlsxWriter, placing a chart) count it."""
    return int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5


def _add_chart(workbook, ws, title, spec: Chart, page: _Page, *, data_rows, below, widths, columns, breaks) -> int:
    """Draw the chart under row `below`, one row apart, across the table's columns (on a new page when it does
    not fit under the table); the last row it covers."""
    if spec.kind not in ("bar", "column"):
        raise ValueError(f"Unknown kind of chart: {spec.kind}")
    chart = workbook.add_chart({"type": spec.kind})
    chart.set_title({"name": spec.title})

    def series_of(column, **look):
        """One column's values against the categories, named by its header."""
        return {
            "name": [title, 0, column],
            "categories": [title, 1, spec.categories_column, data_rows, spec.categories_column],
            "values": [title, 1, column, data_rows, column],
            **look,
        }

    series_columns = list(spec.series_columns)
    for number, column in enumerate(series_columns):
        chart.add_series(series_of(column, gap=60) if number == 0 else series_of(column))
    if spec.target_column is not None and spec.kind == "bar":
        series_columns.append(spec.target_column)
        chart.add_series(series_of(spec.target_column, fill={"color": "#A6A6A6"}))
    chart.set_legend({"position": "bottom"})
    value_axis = {"name": spec.y_title} if spec.y_title else {}
    if spec.kind == "bar":
        # The first category at the top, as in the table; the value axis stays at the bottom. (A bar chart's
        # x axis is its value axis in XlsxWriter.)
        chart.set_x_axis(value_axis)
        chart.set_y_axis({"reverse": True, "crossing": "max"})
        fixed, per_bar = CHART_CM
        height_cm = fixed + per_bar * data_rows * len(series_columns)
    else:
        chart.set_y_axis(value_axis)
        height_cm = COLUMN_CHART_CM
        if spec.target_column is not None:
            # The targets as short dashes over the columns.
            markers = workbook.add_chart({"type": "line"})
            dash = {"type": "dash", "size": 14, "fill": {"color": "#404040"}, "border": {"color": "#404040"}}
            markers.add_series(series_of(spec.target_column, marker=dash, line={"none": True}))
            chart.combine(markers)  # on the columns' axes
    height = min(height_cm / 2.54 * 72, page.height - page.title - LINE)
    first = below + 2  # one row apart
    page.add(LINE)
    if page.breaks_before(height):
        breaks.append(below + 1)
        page.new_page()
    page.add(height)
    rows = math.ceil(height / LINE)
    # Anchored to cells at both corners: as wide as the table in whatever font the reader's program uses.
    width = sum(_column_pixels(widths[c] if c < len(widths) else DEFAULT_WIDTH) for c in range(columns))
    chart.set_size({"width": width, "height": rows * 20})  # rows of the default height, 20 pixels each
    ws.insert_chart(first - 1, 0, chart, {"object_position": 1})
    return first + rows - 1


# What makes a spreadsheet program read a text as a formula (or, a tab or a return first, skip to one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """A text a spreadsheet program shows as the text it is: one that would read as a formula gets an
    apostrophe first. Anything else as it is."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _plain(value):
    value = formula_safe(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Spreadsheets have no time zones: show the organisation's local time.
        return dates.local_time(value).replace(tzinfo=None)
    return value


SHEET_NAME_LENGTH = 31  # what spreadsheet programs accept


def _shortened(title: str, length: int) -> str:
    """The title in at most `length` characters: cut after a whole word, with an ellipsis, where it is longer
    (cut at the 31st character, Danish and Serbian sheet names ended mid-word)."""
    if len(title) <= length:
        return title
    cut = title[: length - 1]
    words = cut.rsplit(" ", 1)[0] if " " in cut[length // 2 :] else cut
    return words.rstrip(" ,;:–-") + "…"


def sheet_name(title: str, suffix: str = "") -> str:
    """The title as spreadsheet programs take a sheet's name: without the characters they refuse, at most 31
    characters long, cut after a whole word."""
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    title = " ".join(title.split())
    return (_shortened(title, SHEET_NAME_LENGTH - len(suffix)) + suffix).strip("'") or "Sheet"


def _unique_title(title: str, taken: set) -> str:
    """A sheet name no other sheet of the workbook has (spreadsheet programs ignore case), numbered if it must."""
    name = sheet_name(title)
    number = 0
    while name.casefold() in taken:
        number += 1
        name = sheet_name(title, f" {number}")
    taken.add(name.casefold())
    return name


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
