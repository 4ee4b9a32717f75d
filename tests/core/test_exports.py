"""The XLSX builder: what every sheet carries for printing, charts, and document-like sheets of styled rows."""

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.exports import Block, Chart, Row, Sheet, formula_safe, xlsx_build


def build(*sheets):
    data = xlsx_build(list(sheets))
    return load_workbook(io.BytesIO(data)), data


def test_every_sheet_prints_on_a4_fitted_to_the_page_width_with_its_header_on_every_page():
    rows = [(f"Row {index}", index, index * 2) for index in range(200)]
    book, _data = build(Sheet("Figures", ["Label", "One", "Two"], rows, widths=[30, 12, 12]))
    ws = book["Figures"]
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_area == "'Figures'!$A$1:$C$201"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    # One page wide: a file may leave out fitToWidth="1", the file format's default.
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_margins.left < 0.75
    assert ws.print_options.gridLines is True
    assert ws.print_title_cols is None
    assert ws.freeze_panes == "A2"
    assert ws.oddFooter.right.text == "&P / &N"


def test_a_sheet_wider_than_a_portrait_page_prints_landscape():
    book, _data = build(
        Sheet("Narrow", ["A", "B"], [(1, 2)], widths=[40, 40]),
        Sheet("Wide", ["A", "B", "C"], [(1, 2, 3)], widths=[40, 40, 40]),
    )
    assert book["Narrow"].page_setup.orientation == "portrait"
    assert book["Wide"].page_setup.orientation == "landscape"
    assert (book["Wide"].page_setup.fitToWidth or 1) == 1


def test_a_very_wide_grid_runs_over_pages_across_with_its_first_column_on_each():
    header = ["Member", *[f"Session {index}" for index in range(60)]]
    book, _data = build(Sheet("Attendance", header, [("Ana", *range(60))], widths=[24, *[11] * 60]))
    ws = book["Attendance"]
    assert ws.page_setup.fitToWidth > 1
    assert ws.print_title_cols == "$A:$A"
    assert ws.print_area == "'Attendance'!$A$1:$BI$2"


def test_wrapped_text_gets_the_height_it_needs():
    long_text = "A sentence of about fifty characters, said again. " * 6
    book, _data = build(
        Sheet("Cover", ["Item", "Value"], [("Short", "one line"), ("Long", long_text)], widths=[20, 40], wrap=[1])
    )
    ws = book["Cover"]
    assert ws["B3"].alignment.wrap_text
    assert ws.row_dimensions[3].height >= 5 * 15
    assert ws.row_dimensions[2].height is None


def test_a_chart_is_drawn_under_the_table_from_its_own_cells_hidden_values_included():
    rows = [("Women", 11, 11, 60), ("Clients", "x", "x", 80), ("Trainees", 1, 1, None)]
    chart = Chart("Against targets", series_columns=[1, 2], target_column=3)
    book, data = build(Sheet("Indicators", ["Indicator", "This period", "To date", "Target"], rows, charts=[chart]))
    ws = book["Indicators"]
    assert len(ws._charts) == 1
    # The print area reaches down over the chart, so that it is printed with the table.
    assert ws.print_area.endswith("$D$" + str(ws._charts[0].anchor.to.row))
    assert ws._charts[0].anchor._from.row >= len(rows) + 1
    # A sheet's name is quoted in a reference only where it must be: compared without the quotes.
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/charts/chart1.xml").decode().replace("'", "")
    assert "Indicators!$B$2:$B$4" in xml
    assert "Indicators!$D$2:$D$4" in xml  # the targets
    assert "Indicators!$A$2:$A$4" in xml  # the categories
    assert [row[1] for row in ws.iter_rows(min_row=2, max_row=4, values_only=True)] == [11, "x", 1]


def test_a_column_chart_shows_targets_as_markers_over_the_columns():
    rows = [("Q1", 3, 5), ("Q2", 4, 5)]
    chart = Chart("Sessions", series_columns=[1], target_column=2, kind="column", y_title="Sessions")
    _book, data = build(Sheet("Sessions", ["Quarter", "Held", "Target"], rows, charts=[chart]))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/charts/chart1.xml").decode()
    assert re.search(r"<(c:)?barChart>", xml)
    assert re.search(r"<(c:)?lineChart>", xml)


def test_a_sheet_without_rows_draws_no_chart():
    book, _data = build(Sheet("Empty", ["A", "B"], [], charts=[Chart("Nothing", series_columns=[1])]))
    assert book["Empty"]._charts == []
    assert book["Empty"].print_area == "'Empty'!$A$1:$B$1"


def test_styled_rows_merge_box_and_keep_blocks_on_one_page():
    paragraph = "Words of a narrative written by the project team. " * 12
    table = [Row(["Indicator", "Target", "Achieved"], style="th")]
    table += [Row([f"Indicator {index}", 10, index], style="td") for index in range(12)]
    rows = [
        Row(["Project title"], style="title", merge=True),
        *[Row([paragraph], merge=True) for _index in range(13)],
        Block([Row(["2. Indicators"], style="heading"), *table]),
    ]
    book, _data = build(Sheet("Report", ["Progress report"], rows, widths=[40, 12, 12, 12], gridlines=False))
    ws = book["Report"]
    assert "A2:D2" in {str(merged) for merged in ws.merged_cells.ranges}
    assert ws["A2"].font.bold and ws["A2"].font.size == 14
    assert ws.row_dimensions[3].height > 15  # a merged paragraph never grows by itself
    heading = 2 + 13 + 1
    assert ws.cell(heading, 1).value == "2. Indicators"
    assert ws.cell(heading + 1, 1).fill.fgColor.rgb.endswith("E7E6E6")
    assert ws.cell(heading + 2, 2).border.left.style == "thin"
    # Seven paragraphs a page: the second page is nearly full, so the indicators start a third one whole.
    assert [brk.id for brk in ws.row_breaks.brk] == [heading - 1]
    assert not ws.print_options.gridLines
    assert ws.print_area == f"'Report'!$A$1:$D${heading + len(table)}"


def test_values_that_read_as_formulas_stay_text():
    book, _data = build(Sheet("S", ["A"], [("=1+1",)], wrap=[0]))
    assert book["S"]["A2"].value == "'=1+1"


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1"])
def test_every_start_a_spreadsheet_reads_as_a_formula_gets_an_apostrophe(text):
    assert formula_safe(text) == "'" + text
    assert formula_safe("1+1") == "1+1" and formula_safe(-1) == -1 and formula_safe("") == ""


def test_each_value_keeps_its_type_and_an_empty_text_is_an_empty_cell():
    when = datetime(2026, 2, 28, 23, 30)
    row = ("0123", "https://example.org", "", None, 7, 2.5, Decimal("1.25"), True, date(2024, 2, 29), when)
    book, data = build(Sheet("S", [f"C{i}" for i in range(len(row))], [row]))
    ws = book["S"]
    assert [cell.value for cell in ws[2]] == [
        "0123",
        "https://example.org",
        None,
        None,
        7,
        2.5,
        1.25,
        True,
        *[datetime(2024, 2, 29), when],
    ]
    assert ws["I2"].number_format == "yyyy-mm-dd"
    assert ws["J2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert "hyperlink" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_a_division_by_nothing_is_an_error_cell_not_a_failed_download():
    book, _data = build(Sheet("S", ["Rate"], [(float("nan"),), (float("inf"),)]))
    # Written as formulas that give the spreadsheet's own error values (#NUM!, #DIV/0!).
    assert [book["S"]["A2"].value, book["S"]["A3"].value] == ["=#NUM!", "=1/0"]


def test_sheets_whose_names_meet_once_shortened_get_a_number():
    long = "Women in groups by age band and municipality"
    book, _data = build(Sheet(long, ["A"], []), Sheet(long.upper(), ["A"], []), Sheet("'Quoted'", ["A"], []))
    assert book.sheetnames == ["Women in groups by age band…", "WOMEN IN GROUPS BY AGE BAND… 1", "Quoted"]


def test_a_long_sheet_name_is_cut_after_a_whole_word():
    """Spreadsheets take 31 characters: Danish and Serbian names were cut mid-word ("Polaznice po vrsti
    organizacij"); one long word is cut where it must."""
    titles = ["Polaznice po vrsti organizacije i opštini", "Kursister fordelt på organisationstype", "x" * 40]
    book, _data = build(*[Sheet(title, ["A"], []) for title in titles])
    assert book.sheetnames == ["Polaznice po vrsti…", "Kursister fordelt på…", "x" * 30 + "…"]
    assert all(len(name) <= 31 for name in book.sheetnames)
