from datetime import date

import pytest

from counseling.enums import SessionKind
from reporting.breakdowns import BREAKDOWNS
from reporting.disclosure import HIDDEN
from reporting.report import report_figures, report_view

pytestmark = pytest.mark.django_db

APRIL = [date(2022, 4, 5), date(2022, 4, 12)]


def table(report, code):
    return next(t for t in report.tables if t.code == code)


def indicator(report, code):
    return next(row for row in report.indicators if row.code == code)


def test_new_and_continuing(project, period, groups_data, counseling_data, coordinator):
    _c, returning = groups_data("Spring", [date(2022, 3, 1)], 6)  # before the project's first period
    groups_data("April", APRIL, [*returning, *groups_data("Newcomers", APRIL, 7)[1]])
    figures = next(t for t in report_figures(period=period)["tables"] if t["code"] == "new_continuing")
    assert figures["rows"][0] == {"label": "women", "values": [7, 6, 13]}
    assert figures["rows"][1] == {"label": "clients", "values": [0, 0, 0]}


def test_new_and_continuing_is_suppressed_along_the_row(project, period, groups_data, coordinator):
    _c, returning = groups_data("Spring", [date(2022, 3, 1)], 2)
    groups_data("April", APRIL, [*returning, *groups_data("Newcomers", APRIL, 9)[1]])
    rows = table(report_view(period=period, user=coordinator), "new_continuing").rows
    # Two continuing women are hidden; with all eleven shown, the nine new ones must go too.
    assert rows[0][1] == [HIDDEN, HIDDEN, 11]


def test_by_cohort_and_by_month(project, period, groups_data, coordinator):
    groups_data("Novi Sad Wednesday", [*APRIL, date(2022, 5, 4)], 8)
    groups_data("Zrenjanin Monday", APRIL, 3)
    report = report_view(period=period, user=coordinator)
    cohorts = dict(table(report, "by_cohort").rows)
    # Three women in Zrenjanin are hidden, and whatever would give them away with them; sessions held
    # are activity, not people, and stay.
    assert cohorts["Zrenjanin Monday"][:2] == [2, HIDDEN]
    assert cohorts["Novi Sad Wednesday"][0] == 3
    assert table(report, "by_cohort").total[0] == 5
    months = table(report, "by_month")
    assert [label for label, _cells in months.rows][:2] == ["April 2022", "May 2022"]
    assert [cells[0] for _label, cells in months.rows][:2] == [4, 1]
    assert months.total[0] == 5
    for view in (table(report, "by_cohort"), months):
        for _label, cells in [*view.rows, ("", view.total)]:
            assert all(cell == HIDDEN or isinstance(cell, int) for cell in cells)


def test_counseling_by_kind_suppresses_small_kinds(project, period, counseling_data, coordinator):
    for day in range(1, 11):
        counseling_data(date(2022, 4, day), kind=SessionKind.EXPERIENTIAL)
    for day in range(1, 3):
        counseling_data(date(2022, 5, day), kind=SessionKind.CASE_BASED)
    by_kind = table(report_view(period=period, user=coordinator), "counseling_by_kind")
    rows = dict(by_kind.rows)
    # Two case-based sessions and the kinds nobody had (zero is protected by default) are hidden; the
    # ten experiential ones go too, or the total would give the two away.
    assert rows["Case-based counseling"] == [HIDDEN, HIDDEN]
    assert rows["Home visit"] == [HIDDEN, HIDDEN]
    assert rows["Experiential counseling"] == [HIDDEN, HIDDEN]
    assert by_kind.total == [12, 12]


def test_indicator_parts_are_suppressed_with_their_total(project, period, counseling_data, coordinator):
    for day in range(1, 9):
        counseling_data(date(2022, 4, day), kind=SessionKind.EXPERIENTIAL)
    counseling_data(date(2022, 5, 2), kind=SessionKind.HOME_VISIT)
    report = report_view(period=period, user=coordinator)
    assert indicator(report, "counseling_sessions_home_visit").value == HIDDEN
    assert indicator(report, "counseling_sessions_experiential").value == HIDDEN
    assert indicator(report, "counseling_sessions_held").value == 9


def test_professionals_are_not_suppressed(project, period, trainings_data, make_user, coordinator):
    trainings_data(date(2022, 5, 1), [make_user("Trainee", organisation="CSW Kikinda")])
    report = report_view(period=period, user=coordinator)
    assert indicator(report, "trainees_trained").value == 1
    assert dict(table(report, "trainees_by_organisation").rows) == {"CSW Kikinda": [1]}


def test_share_of_target_uses_the_project_to_date(project, period, groups_data, target, coordinator):
    target("women_in_groups", 40)
    groups_data("A", APRIL, 10)
    row = indicator(report_view(period=period, user=coordinator), "women_in_groups")
    assert (row.value, row.to_date, row.target, str(row.share)) == (10, 10, 40.0, "25.0")


def test_share_of_a_suppressed_value_is_not_shown(project, period, groups_data, target, coordinator):
    target("women_in_groups", 40)
    groups_data("A", APRIL, 2)
    row = indicator(report_view(period=period, user=coordinator), "women_in_groups")
    assert row.value == HIDDEN
    assert row.share is None


def test_threshold_is_set_per_project(project, period, groups_data, coordinator):
    groups_data("A", APRIL, 7)
    assert indicator(report_view(period=period, user=coordinator), "women_in_groups").value == 7
    project.suppression_threshold = 10
    project.save()
    assert indicator(report_view(period=period, user=coordinator), "women_in_groups").value == HIDDEN


def test_figures_hold_no_alias(project, period, groups_data, counseling_data, coordinator):
    groups_data("A", APRIL, 6, aliases={0: "Zvjezdana"})
    counseling_data(APRIL[0], alias="Ljiljanka")
    text = str(report_figures(period=period))
    assert "Zvjezdana" not in text
    assert "Ljiljanka" not in text


def test_every_breakdown_runs_on_an_empty_period(project, period):
    figures = report_figures(period=period)
    assert [t["code"] for t in figures["tables"]] == list(BREAKDOWNS)


def test_report_query_count_is_constant(project, period, groups_data, counseling_data, django_assert_max_num_queries):
    groups_data("A", APRIL, 3)
    with django_assert_max_num_queries(60) as small:
        report_figures(period=period)
    for index in range(10):
        groups_data(f"Cohort {index}", APRIL, 5)
        counseling_data(APRIL[1])
    with django_assert_max_num_queries(len(small.captured_queries)):
        report_figures(period=period)
