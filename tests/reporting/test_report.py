from datetime import date

import pytest
from django.utils import translation

from accounts.enums import OrganisationType
from accounts.models import Profile
from core.enums import AgeBand, TargetGroup
from core.models import Municipality
from counseling.enums import SessionKind
from counseling.models import Client
from groups.models import Member
from reporting.breakdowns import BREAKDOWNS
from reporting.disclosure import HIDDEN
from reporting.protection import published_report, report_protect
from reporting.report import report_figures, report_view

pytestmark = pytest.mark.django_db

APRIL = [date(2022, 4, 5), date(2022, 4, 12)]


def table(report, code):
    return next(t for t in report.tables if t.code == code)


def indicator(report, code):
    return next(row for row in report.indicators if row.code == code)


JULY = [date(2022, 7, 5), date(2022, 7, 12)]


def test_new_and_continuing(project, groups_data, counseling_data, coordinator):
    second = project.periods.order_by("start_date")[1]
    _c, returning = groups_data("Spring", [date(2022, 5, 3)], 6)  # in the project's first period
    groups_data("July", JULY, [*returning, *groups_data("Newcomers", JULY, 7)[1]])
    figures = next(t for t in report_figures(period=second)["tables"] if t["code"] == "new_continuing")
    assert figures["rows"][0] == {"label": "women", "values": [7, 6, 13]}
    assert figures["rows"][1] == {"label": "clients", "values": [0, 0, 0]}


def test_what_a_cohort_did_before_the_project_began_is_not_the_projects(project, period, groups_data):
    # Every woman is new once, in the period the project first served her: "new" adds up to "to date".
    _c, earlier = groups_data("Winter", [date(2022, 3, 1)], 6)
    groups_data("April", APRIL, [*earlier, *groups_data("Newcomers", APRIL, 7)[1]])
    figures = report_figures(period=period)
    new_continuing = next(t for t in figures["tables"] if t["code"] == "new_continuing")
    assert new_continuing["rows"][0] == {"label": "women", "values": [13, 0, 13]}
    women = next(i for i in figures["indicators"] if i["code"] == "women_in_groups")
    assert women["to_date"] == 13


def test_new_and_continuing_is_suppressed_along_the_row(project, groups_data, coordinator):
    second = project.periods.order_by("start_date")[1]
    _c, returning = groups_data("Spring", [date(2022, 5, 3)], 2)
    groups_data("July", JULY, [*returning, *groups_data("Newcomers", JULY, 9)[1]])
    rows = table(report_view(period=second, user=coordinator), "new_continuing").rows
    # Two continuing women are hidden, and the nine new ones beside them, whom the total would give away.
    # The spring's report is open too, so readable as it stands: beside its figures, the total of eleven
    # would leave the continuing women too few possible values, and goes as well.
    assert rows[0][1] == [HIDDEN, HIDDEN, HIDDEN]


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


# Who the people served are: age band, municipality, target group, type of organisation ----------------------

DISAGGREGATED = {
    "women_by_age_band": ["women"],
    "women_by_municipality": ["women"],
    "women_by_target_group": ["women"],
    "clients_by_age_band": ["clients"],
    "clients_by_municipality": ["clients"],
    "clients_by_target_group": ["clients"],
    "trainees_by_organisation_type": ["trainees"],
}


@pytest.fixture
def served(project, groups_data, counseling_data, trainings_data, make_user):
    """Twelve women in a group (most of them with their age band, municipality and target group recorded),
    seven clients, two trainees: the figures of the project's first period."""
    novi_sad, kikinda = Municipality.objects.create(name="Novi Sad"), Municipality.objects.create(name="Kikinda")
    _cohort, women = groups_data("April", APRIL, 12)
    recorded = [
        *[(AgeBand.AGE_25_34, novi_sad, TargetGroup.GENERAL)] * 6,
        *[(AgeBand.AGE_35_44, novi_sad, TargetGroup.GENERAL)] * 5,
        (AgeBand.AGE_65_PLUS, kikinda, TargetGroup.ROMA),
    ]
    for woman, (age_band, municipality, target_group) in zip(women, recorded, strict=True):
        Member.objects.filter(pk=woman.pk).update(
            age_band=age_band, municipality=municipality, target_group=target_group
        )
    for day in range(1, 8):
        client = Client.objects.create(alias=f"Client {day}", code=f"K-D{day}", age_band=AgeBand.AGE_25_34)
        counseling_data(date(2022, 4, day), client=client)
    Client.objects.filter(code="K-D7").update(age_band="", target_group=TargetGroup.OTHER)
    trainee = make_user("Trainee", organisation="Police Directorate Kikinda")
    Profile.objects.filter(user=trainee).update(organisation_type=OrganisationType.POLICE)
    trainings_data(date(2022, 5, 10), [trainee, make_user("Trainee")])


def test_people_by_who_they_are_are_tables_of_the_report(project, period, served):
    tables = {t["code"]: t for t in report_figures(period=period)["tables"]}
    for code, columns in DISAGGREGATED.items():
        assert tables[code]["columns"] == columns
    ages = {row["label"]: row["values"] for row in tables["women_by_age_band"]["rows"]}
    # Every age band is a row, found or not, and the women with none recorded are "Not stated" (stored "").
    assert list(ages) == [*AgeBand.values, ""]
    assert (ages["25_34"], ages["35_44"], ages["65_plus"], ages["18_24"], ages[""]) == ([6], [5], [1], [0], [0])
    assert tables["women_by_age_band"]["total"] == [12]
    places = {row["label"]: row["values"] for row in tables["women_by_municipality"]["rows"]}
    assert places == {"Kikinda": [1], "Novi Sad": [11], "": [0]}
    clients = {row["label"]: row["values"] for row in tables["clients_by_target_group"]["rows"]}
    assert (clients["other"], clients[""]) == ([1], [6])
    kinds = {row["label"]: row["values"] for row in tables["trainees_by_organisation_type"]["rows"]}
    assert (kinds["police"], kinds[""], kinds["ngo"]) == ([1], [1], [0])


def test_people_by_who_they_are_pass_the_disclosure_audit_with_small_counts_hidden(project, period, served):
    figures = report_figures(period=period)
    protection = report_protect(period=period, figures=figures)
    assert protection.ok, protection.failures
    published = published_report(figures, protection)["tables"]
    threshold = project.suppression_threshold
    for code in DISAGGREGATED:
        table = next(t for t in figures["tables"] if t["code"] == code)
        shown = published[code]
        if code == "trainees_by_organisation_type":
            # Professionals are shown as they are.
            assert shown["rows"] == [row["values"] for row in table["rows"]]
            continue
        cells = [(row["values"][0], shown_row[0]) for row, shown_row in zip(table["rows"], shown["rows"], strict=True)]
        for true, cell in cells:
            if true < threshold:
                assert cell == HIDDEN, (code, cells)
        assert any(cell == HIDDEN for _true, cell in cells)
        if shown["total"] == [HIDDEN]:
            continue  # seven clients in seven sessions: hidden by the report's other tables already
        # One person, one row: the hidden rows add up to the total less the rows shown, which must leave each
        # small one as many possible values as the threshold asks.
        assert shown["total"] == table["total"]
        hidden_sum = table["total"][0] - sum(cell for _true, cell in cells if cell != HIDDEN)
        assert hidden_sum >= threshold, (code, cells)
    assert published["women_by_age_band"]["total"] == [12]
    assert published["women_by_age_band"]["rows"][1] == [6]  # 25-34, large enough and not needed to hide


def test_a_frozen_report_shows_its_rows_in_the_readers_language(project, period, served, coordinator):
    from reporting.enums import Transition
    from tests.reporting.test_services import walk

    project.managers.add(coordinator)
    period = walk(period, coordinator, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK)
    with translation.override("da"):
        report = report_view(period=period, user=coordinator)
        assert report.frozen
        ages = dict(table(report, "women_by_age_band").rows)
        targets = dict(table(report, "clients_by_target_group").rows)
    assert "Ikke oplyst" in ages
    assert "Andet" in targets
    assert "Kikinda" in dict(table(report, "women_by_municipality").rows)


def test_a_protection_is_kept_for_the_same_figures_and_worked_out_again_when_one_changes(
    project, period, groups_data, coordinator, monkeypatch
):
    from reporting import protection as protection_module

    groups_data("April", APRIL, 3)
    calls = []
    original = protection_module.protect
    monkeypatch.setattr(protection_module, "protect", lambda **kwargs: calls.append(1) or original(**kwargs))
    first = report_view(period=period, user=coordinator)
    again = report_view(period=period, user=coordinator)
    assert len(calls) == 1
    assert [row.value for row in again.indicators] == [row.value for row in first.indicators]
    groups_data("May", [date(2022, 5, 3)], 2)
    report_view(period=period, user=coordinator)
    assert len(calls) == 2


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_pages_tables_are_written_as_the_template_writes_each_cell(language):
    """The page's rows and total are written once as HTML (tables_written): the same HTML as the template's
    own loops of `<th>{{ label }}</th>` and `<td>{{ cell }}</td>`, in each language, a number with decimals,
    a hidden figure and markup among them."""
    from decimal import Decimal

    from django.template import engines

    from reporting.report import TableView, tables_written

    values = [0, 1, 12345, -3, 1.5, 2.0, Decimal("3.25"), True, 1, None, "—", "<b>", "x", 1.5]
    rows = [("a", values), ("<i>", values[::-1]), (2.5, values[:3])]
    table = TableView(code="x", title="t", headers=[], rows=rows, total=values, suppressed_columns=False)
    engine = engines["django"]
    looped_rows = engine.from_string(
        '{% for label, cells in rows %}<tr><th scope="row">{{ label }}</th>'
        "{% for cell in cells %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}"
    )
    looped_cells = engine.from_string("{% for cell in cells %}<td>{{ cell }}</td>{% endfor %}")
    written_html = engine.from_string("{{ html }}")
    with translation.override(language):
        [written] = tables_written([table])
        expected = looped_rows.render({"rows": rows})
        assert written_html.render({"html": written.body}) == expected
        assert written_html.render({"html": written.footer}) == looped_cells.render({"cells": values})
        assert "&lt;b&gt;" in expected and "&lt;i&gt;" in expected
    assert written.rows == rows and written.total == values  # the XLSX keeps the numbers
