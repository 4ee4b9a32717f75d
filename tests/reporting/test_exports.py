import io
from datetime import date

import pytest
from openpyxl import load_workbook

from core.exports import xlsx_build
from reporting.disclosure import HIDDEN
from reporting.exports import report_sheets
from reporting.report import report_view

pytestmark = pytest.mark.django_db


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
    assert len(names) == 2 + 7 + 1

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
