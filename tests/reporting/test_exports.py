import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook

from core.exports import xlsx_build
from reporting.breakdowns import BREAKDOWNS
from reporting.disclosure import HIDDEN
from reporting.exports import report_sheets, report_templates
from reporting.report import report_view

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def workbook_for(period, user):
    return load_workbook(
        io.BytesIO(xlsx_build(report_sheets(report_view(period=period, user=user), downloaded_by="X")))
    )


def test_workbook_has_cover_indicators_breakdowns_and_narrative(project, period, groups_data, target, coordinator):
    period.achievements = "Two cohorts started."
    period.save()
    target("women_in_groups", 40)
    groups_data("A", [date(2022, 4, 5)], 10, aliases={0: "Zvjezdana"})
    book = workbook_for(period, coordinator)
    names = book.sheetnames
    assert names[:2] == ["Cover", "Indicators"]
    assert names[-1] == "Narrative"
    assert "Self-support groups by cohort" in names
    assert len(names) == 2 + len(BREAKDOWNS) + 1  # a sheet for each table
    assert "Women in groups by age band" in names and "Trainees by organisation type" in names

    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(min_row=2, values_only=True)}
    assert cover["Project"] == "Safe Together"
    assert cover["Donor"] == "Ministry of Family Welfare"
    assert cover["Reporting period"].startswith("Q2 2022")
    assert cover["Figures computed by"] == coordinator.profile.full_name

    indicators = {row[0]: row[1:] for row in book["Indicators"].iter_rows(min_row=2, values_only=True)}
    assert indicators["Unique women in self-support groups"] == (10, 10, 40, 25.0)
    narrative = list(book["Narrative"].iter_rows(min_row=2, values_only=True))
    assert narrative[0] == ("Achievements", "Two cohorts started.")

    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["A"].width >= 20
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                assert not (isinstance(cell, str) and cell.startswith("=")), cell
                assert cell != "Zvjezdana"


def test_suppressed_cells_are_text_in_the_workbook(project, period, groups_data, coordinator):
    groups_data("A", [date(2022, 4, 5)], 3)
    book = workbook_for(period, coordinator)
    indicators = {row[0]: row[1:] for row in book["Indicators"].iter_rows(min_row=2, values_only=True)}
    assert indicators["Unique women in self-support groups"][0] == HIDDEN


def test_every_sheet_of_the_workbook_is_set_up_to_print(project, period, groups_data, target, coordinator):
    target("women_in_groups", 40)
    groups_data("A", [date(2022, 4, 5)], 10)
    book = workbook_for(period, coordinator)
    for sheet in book.worksheets:
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.print_area.startswith(f"'{sheet.title}'!$A$1:"), sheet.title
        # One page wide (fitToWidth="1" may be left out: the file format's default).
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.paperSize == 9
    assert book["Indicators"].page_setup.orientation == "portrait"
    assert book["Activity by month"].page_setup.orientation == "landscape"  # five columns of figures


def test_the_indicators_sheet_charts_each_indicator_against_its_target(
    project, period, groups_data, target, coordinator
):
    target("women_in_groups", 40)
    groups_data("A", [date(2022, 4, 5)], 10)
    data = xlsx_build(report_sheets(report_view(period=period, user=coordinator), downloaded_by="X"))
    book = load_workbook(io.BytesIO(data))
    indicators = book["Indicators"]
    assert len(indicators._charts) == 1
    assert all(not sheet._charts for sheet in book.worksheets if sheet.title != "Indicators")
    # The sheet's name is quoted in a reference only where it must be: compared without the quotes.
    chart = zipfile.ZipFile(io.BytesIO(data)).read("xl/charts/chart1.xml").decode().replace("'", "")
    assert "Indicators against targets" in chart
    last = 1 + len(report_view(period=period, user=coordinator).indicators)
    for column in "BCD":  # this period, to date, target
        assert f"Indicators!${column}$2:${column}${last}" in chart


def test_templates_are_registered_and_report_sheets_is_the_quarterly_one(period, coordinator):
    templates = report_templates()
    assert list(templates) == ["quarterly", "ministry"]
    assert str(templates["ministry"].verbose_name) == "Ministry progress report"
    report = report_view(period=period, user=coordinator)
    quarterly = templates["quarterly"].sheets(report, downloaded_by="X")
    assert [sheet.title for sheet in report_sheets(report, downloaded_by="X")] == [sheet.title for sheet in quarterly]
    assert templates["quarterly"].filename(base="report") == "report.xlsx"
    assert templates["ministry"].filename(base="report") == "report-ministry.xlsx"


def ministry_rows(period, user):
    report = report_view(period=period, user=user)
    sheets = report_templates()["ministry"].sheets(report, downloaded_by="Dragana")
    book = load_workbook(io.BytesIO(xlsx_build(sheets)))
    assert book.sheetnames == ["Report"]
    return report, [
        tuple(cell for cell in row if cell is not None) for row in book["Report"].iter_rows(values_only=True)
    ]


def test_the_ministry_report_has_its_numbered_sections(project, period, groups_data, target, coordinator):
    period.achievements = "Two cohorts started.\nA room was found."
    period.save()
    target("women_in_groups", 40)
    groups_data("A", [date(2022, 4, 5)], 10, aliases={0: "Zvjezdana"})
    report, rows = ministry_rows(period, coordinator)
    first = [row[0] for row in rows if row]
    assert first[0] == "Progress report Q2 2022"
    assert first[1] == "Safe Together"
    headings = [
        "1. Project data",
        "2. Indicators",
        "3. Breakdowns",
        *(f"3.{number} {table.title}" for number, table in enumerate(report.tables, start=1)),
        "4. Narrative",
        "4.1 Achievements",
        "4.2 Challenges",
        "4.3 Next steps",
        "5. How small numbers are protected",
    ]
    assert [text for text in first if text in headings] == headings
    facts = {row[0]: row[1] for row in rows if len(row) == 2}
    assert facts["Donor"] == "Ministry of Family Welfare"
    assert facts["Grant or contract number"] == "G-1"
    assert facts["Project duration"] == "01.04.2022 – 01.04.2023"
    assert facts["Reporting period"].startswith("Q2 2022")
    assert ("Indicator", "Target", "Achieved this period", "Achieved to date", "% of target") in rows
    assert ("Unique women in self-support groups", 40, 10, 10, 25.0) in rows
    assert ("Two cohorts started.",) in rows and ("A room was found.",) in rows
    assert ("Self-support groups by cohort" not in first) and "3.2 Self-support groups by cohort" in first
    assert any(row and row[0] == report.method[0] for row in rows)
    assert not any(cell == "Zvjezdana" for row in rows for cell in row)


def test_the_ministry_report_shows_hidden_cells_as_the_screen_does(project, period, groups_data, coordinator):
    groups_data("A", [date(2022, 4, 5)], 3)
    report, rows = ministry_rows(period, coordinator)
    women = next(row for row in rows if row and row[0] == "Unique women in self-support groups")
    assert women[1:3] == (HIDDEN, HIDDEN)  # no target: this period and to date follow the label
    shown = next(row for row in report.indicators if row.code == "women_in_groups")
    assert shown.value == HIDDEN


def _pdf_pages(xlsx: bytes, tmp_path, name: str) -> list[str]:
    """The pages of the workbook as LibreOffice prints it, each as laid-out text."""
    from pypdf import PdfReader

    source = tmp_path / f"{name}.xlsx"
    source.write_bytes(xlsx)
    profile = tmp_path / f"lo-{name}"  # a profile of its own: runs side by side do not share a lock
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return [page.extract_text(extraction_mode="layout") for page in PdfReader(tmp_path / f"{name}.pdf").pages]


def _footer(page: str) -> str:
    """The sheet a printed page belongs to: its footer reads "<sheet>   <page> / <pages>"."""
    last = [line for line in page.splitlines() if line.strip()][-1]
    # A chart's legend low on the page can share the footer's line in the text layout: the sheet's name is
    # the footer's left part, before the first wide gap.
    return re.split(r"\s{3,}", re.sub(r"\s+\d+ / \d+\s*$", "", last).strip())[0]


@pytest.mark.external
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc)")
def test_libreoffice_prints_the_demo_report_on_few_pages_with_labels_beside_their_figures(tmp_path):
    from accounts import demo as accounts_demo
    from accounts.enums import Role
    from reporting import demo
    from reporting.enums import PeriodStatus
    from reporting.models import DonorProject

    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    period = DonorProject.objects.get().periods.get(status=PeriodStatus.LOCKED)
    report = report_view(period=period, user=users[Role.PROJECT_MANAGER])
    first = report.indicators[0]
    label_and_value = re.compile(rf"{re.escape(first.label)}\s+{re.escape(str(first.value))}\b")

    quarterly = xlsx_build(report_sheets(report, downloaded_by="X"))
    pages = _pdf_pages(quarterly, tmp_path, "quarterly")
    by_sheet = Counter(_footer(page) for page in pages)
    assert set(by_sheet) == set(load_workbook(io.BytesIO(quarterly)).sheetnames)
    assert max(by_sheet.values()) <= 2, by_sheet
    assert len(pages) <= 2 * len(by_sheet)
    indicators = [page for page in pages if _footer(page) == "Indicators"]
    assert any(label_and_value.search(page) for page in indicators)
    cover = next(page for page in pages if _footer(page) == "Cover")
    assert re.search(rf"Project\s+{re.escape(report.project.title[:30])}", cover)

    ministry = xlsx_build(report_templates()["ministry"].sheets(report, downloaded_by="X"))
    pages = _pdf_pages(ministry, tmp_path, "ministry")
    assert 1 < len(pages) <= 6
    assert {_footer(page) for page in pages} == {"Report"}
    assert all(page.lstrip().startswith("Progress report Q2 2022") for page in pages)  # the title row repeats
    # Here the target comes between the label and the figure of this period.
    label_target_value = re.compile(
        rf"{re.escape(first.label)}\s+{first.target:,.0f}\s+{re.escape(str(first.value))}\b"
    )
    assert any(label_target_value.search(page) for page in pages)
    # Each breakdown's heading is printed on the page of its table's first row, with that row's figures.
    for number, table in enumerate(report.tables, start=1):
        if not table.rows:
            continue
        label, cells = table.rows[0]
        heading = next(page for page in pages if f"3.{number} {table.title}" in page)
        assert re.search(rf"{re.escape(label[:20])}.*\s{re.escape(str(cells[0]))}\b", heading), table.title
