"""The IATI file of a donor project: valid against the 2.03 schema, IATI's codes, and only figures the
project's reports published (a hidden count and an open period's count are left out, never written as 0)."""

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from reporting.disclosure import HIDDEN
from reporting.enums import IndicatorMeasure, IndicatorSource, PeriodStatus, ResultType, Transition
from reporting.iati import activity_status, project_iati_xml
from reporting.models import (
    DonorProject,
    IndicatorActual,
    IndicatorTarget,
    ReportingPeriod,
    ReportSnapshot,
    Result,
    ResultIndicator,
)
from tests.reporting.test_services import walk

pytestmark = pytest.mark.django_db

# The IATI schema files, unchanged copies kept beside the repository (see their README).
IATI_SCHEMA = Path(__file__).resolve().parents[2] / "reporting" / "standards" / "iati" / "iati-activities-schema.xsd"

# IATI codelists (iatistandard.org/en/iati-standard/203/codelists/), the codes each attribute may take.
RESULT_TYPE = {"1", "2", "3", "9"}
INDICATOR_MEASURE = {"1", "2", "3", "4", "5"}
ORGANISATION_ROLE = {"1", "2", "3", "4"}
ORGANISATION_TYPE = {"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"}
ACTIVITY_STATUS = {"1", "2", "3", "4", "5", "6"}
ACTIVITY_DATE_TYPE = {"1", "2", "3", "4"}
DESCRIPTION_TYPE = {"1", "2", "3", "4"}
SECTOR_VOCABULARY = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "98", "99"}

Q2, Q3 = date(2022, 4, 1), date(2022, 7, 1)  # the first two periods of the project fixture


@cache
def iati_schema():
    return etree.XMLSchema(etree.parse(str(IATI_SCHEMA)))


def parse(xml: bytes):
    return etree.fromstring(xml)


def indicator_element(root, title):
    (element,) = root.xpath("//indicator[title/narrative=$title]", title=title)
    return element


def period_element(indicator, start):
    found = indicator.xpath("period[period-start/@iso-date=$start]", start=start.isoformat())
    return found[0] if found else None


def actual_value(indicator, start):
    """The <actual> value of the indicator's period starting on `start`, or None when none is written."""
    actual = period_element(indicator, start).find("actual")
    return None if actual is None else actual.get("value")


def make_indicator(result, title, *, measure="", measure_type=IndicatorMeasure.UNIT, **fields):
    return ResultIndicator.objects.create(
        result=result,
        title=title,
        source=IndicatorSource.COMPUTED if measure else IndicatorSource.MANUAL,
        measure=measure,
        measure_type=measure_type,
        **fields,
    )


@pytest.fixture
def framework(project, groups_data, project_manager, coordinator):
    """Two results, five indicators (three counted by Haven, two entered by hand), targets for the first two
    quarters, activity in both; the first quarter locked with its snapshot, the second still open."""
    project.aim = "Women who survived violence find safety and support."
    project.save()
    periods = {period.start_date: period for period in project.periods.all()}
    outcome = Result.objects.create(
        project=project, result_type=ResultType.OUTCOME, title="Women live safer lives", sort_order=0
    )
    output = Result.objects.create(
        project=project,
        result_type=ResultType.OUTPUT,
        title="Self-support groups meet",
        description="Weekly groups in Novi Sad.",
        sort_order=1,
    )
    indicators = {
        "women": make_indicator(
            outcome, "Women in self-support groups", measure="women_in_groups", baseline_value=0, baseline_year=2021
        ),
        "safer": make_indicator(
            outcome,
            "Share of women who feel safer",
            measure_type=IndicatorMeasure.PERCENTAGE,
            baseline_value=Decimal("40"),
            baseline_year=2021,
            means_of_verification="Anonymous questionnaire at the end of each group cycle",
        ),
        "sessions": make_indicator(output, "Group sessions held", measure="group_sessions_held"),
        "rate": make_indicator(
            output, "Attendance rate", measure="attendance_rate", measure_type=IndicatorMeasure.PERCENTAGE
        ),
        "partners": make_indicator(output, "Referral partners met"),
    }
    for indicator in indicators.values():
        for start, value in ((Q2, "10"), (Q3, "12")):
            IndicatorTarget.objects.create(indicator=indicator, period=periods[start], value=Decimal(value))
    IndicatorActual.objects.create(indicator=indicators["safer"], period=periods[Q2], value=Decimal("55.5"))
    IndicatorActual.objects.create(indicator=indicators["partners"], period=periods[Q2], value=Decimal("4"))
    IndicatorActual.objects.create(indicator=indicators["partners"], period=periods[Q3], value=Decimal("6"))
    groups_data("Spring", [date(2022, 4, 6), date(2022, 5, 4)], 3)  # 3 women: a small count, hidden
    groups_data("Summer", [date(2022, 7, 6), date(2022, 8, 3), date(2022, 9, 7)], 9)  # the open quarter
    walk(periods[Q2], project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK)
    return SimpleNamespace(project=project, periods=periods, indicators=indicators)


def test_the_file_is_valid_iati(framework):
    xml = project_iati_xml(project=framework.project)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    iati_schema().assertValid(etree.fromstring(xml).getroottree())


def test_a_project_without_results_or_aim_is_valid_iati(project):
    project.title = "Safe\x0b Together"  # a control character pasted in: XML cannot hold it
    project.save()
    root = parse(project_iati_xml(project=project))
    iati_schema().assertValid(root.getroottree())
    assert root.xpath("string(//iati-activity/title/narrative)") == "Safe Together"
    assert root.xpath("string(//iati-activity/description/narrative)") == "Safe Together"
    assert not root.xpath("//result")


def test_the_codes_are_iatis(framework):
    root = parse(project_iati_xml(project=framework.project))
    assert root.get("version") == "2.03"
    assert [r.get("type") for r in root.xpath("//result")] == ["2", "1"]
    assert set(root.xpath("//result/@type")) <= RESULT_TYPE
    assert root.xpath("//indicator/@measure") == ["1", "2", "1", "2", "1"]
    assert set(root.xpath("//indicator/@measure")) <= INDICATOR_MEASURE
    assert root.xpath("//participating-org/@role") == ["1", "4"]
    assert set(root.xpath("//participating-org/@type | //reporting-org/@type")) <= ORGANISATION_TYPE
    assert root.xpath("//reporting-org/@type") == ["22"]
    assert set(root.xpath("//activity-status/@code")) <= ACTIVITY_STATUS
    assert set(root.xpath("//activity-date/@type")) <= ACTIVITY_DATE_TYPE
    assert set(root.xpath("//iati-activity/description/@type")) <= DESCRIPTION_TYPE
    (sector,) = root.xpath("//sector")
    assert sector.get("vocabulary") in SECTOR_VOCABULARY
    assert (sector.get("vocabulary"), sector.get("code")) == ("1", "15180")


def test_identifier_organisation_and_language_come_from_the_settings(project, settings):
    settings.HAVEN_IATI_ORGANISATION_REF = "GB-CHC-1234567"
    settings.HAVEN_ORGANISATION_NAME = "Haven Test Centre"
    settings.LANGUAGE_CODE = "sr-latn"
    root = parse(project_iati_xml(project=project))
    activity = root.find("iati-activity")
    assert activity.get("{http://www.w3.org/XML/1998/namespace}lang") == "sr"
    assert activity.findtext("iati-identifier") == f"GB-CHC-1234567-{project.pk}"
    assert root.xpath("//reporting-org/@ref") == ["GB-CHC-1234567"]
    assert root.xpath("string(//reporting-org/narrative)") == "Haven Test Centre"
    assert root.xpath("//participating-org[@role='1']/narrative/text()") == [project.donor]
    assert root.xpath("//participating-org[@role='4']/narrative/text()") == ["Haven Test Centre"]

    project.iati_identifier = "GB-CHC-1234567-SAFE-2022"
    project.save()
    assert parse(project_iati_xml(project=project)).findtext("iati-activity/iati-identifier") == (
        "GB-CHC-1234567-SAFE-2022"
    )


def test_baselines_and_targets(framework):
    root = parse(project_iati_xml(project=framework.project))
    safer = indicator_element(root, "Share of women who feel safer")
    assert [(b.get("year"), b.get("value")) for b in safer.findall("baseline")] == [("2021", "40")]
    assert safer.xpath("string(description/narrative)") == "Anonymous questionnaire at the end of each group cycle"
    sessions = indicator_element(root, "Group sessions held")
    assert not sessions.findall("baseline")  # none was set
    assert [
        (p.find("period-start").get("iso-date"), p.find("period-end").get("iso-date"), p.find("target").get("value"))
        for p in sessions.findall("period")
    ] == [("2022-04-01", "2022-06-30", "10"), ("2022-07-01", "2022-09-30", "12")]
    assert all(indicator.get("ascending") == "1" for indicator in root.iter("indicator"))


def test_a_hidden_count_is_not_written(framework):
    snapshot = ReportSnapshot.objects.get(period=framework.periods[Q2])
    assert snapshot.data["published"]["indicators"]["women_in_groups"][0] == HIDDEN  # 3 women: protected
    root = parse(project_iati_xml(project=framework.project))
    period = period_element(indicator_element(root, "Women in self-support groups"), Q2)
    assert period.find("target").get("value") == "10"
    assert period.find("actual") is None


def test_an_open_periods_count_is_not_written_and_a_locked_one_is(framework):
    assert framework.periods[Q3].status == PeriodStatus.OPEN
    root = parse(project_iati_xml(project=framework.project))
    sessions = indicator_element(root, "Group sessions held")
    assert actual_value(sessions, Q2) == "2"  # what the locked report published
    assert actual_value(sessions, Q3) is None  # 3 sessions held, no report yet
    assert root.xpath("//actual[@value='0']") == []


def test_values_entered_by_hand_up_to_the_latest_frozen_report(framework):
    root = parse(project_iati_xml(project=framework.project))
    assert actual_value(indicator_element(root, "Share of women who feel safer"), Q2) == "55.5"
    partners = indicator_element(root, "Referral partners met")
    assert actual_value(partners, Q2) == "4"
    assert actual_value(partners, Q3) is None  # entered, but the quarter's report is not submitted yet


def test_only_periods_with_a_target_or_an_actual(framework):
    root = parse(project_iati_xml(project=framework.project))
    starts = set(root.xpath("//indicator/period/period-start/@iso-date"))
    assert starts == {Q2.isoformat(), Q3.isoformat()}  # the later quarters have neither


@pytest.mark.parametrize(
    ("day", "status", "date_types"),
    [
        (date(2022, 3, 1), "1", ["1", "3"]),  # signed, not started: pipeline, planned start and end
        (date(2022, 10, 1), "2", ["2", "3"]),  # running: actual start, planned end
        (date(2023, 5, 2), "3", ["2", "4"]),  # ended, reports still to submit: finalisation, actual end
    ],
)
def test_status_and_dates_follow_the_clock(project, clock, day, status, date_types):
    clock(day)
    root = parse(project_iati_xml(project=project))
    assert root.xpath("//activity-status/@code") == [status]
    assert root.xpath("//activity-date/@type") == date_types
    assert root.xpath("//activity-date/@iso-date") == ["2022-04-01", "2023-04-01"]
    iati_schema().assertValid(root.getroottree())


def test_an_ended_project_is_closed_once_every_report_is_frozen():
    project = SimpleNamespace(start_date=date(2022, 4, 1), end_date=date(2023, 4, 1))
    frozen = SimpleNamespace(is_frozen=True)
    assert activity_status(project=project, periods=[frozen, frozen], today=date(2023, 4, 1)) == "2"
    assert activity_status(project=project, periods=[frozen, frozen], today=date(2023, 4, 2)) == "4"
    open_ = SimpleNamespace(is_frozen=False)
    assert activity_status(project=project, periods=[frozen, open_], today=date(2023, 4, 2)) == "3"


# The page


def test_the_file_is_downloaded_from_the_project_page(client_for, project_manager, project):
    client = client_for(project_manager)
    url = reverse("reporting:project_iati", args=[project.pk])
    assert url in client.get(reverse("reporting:project", args=[project.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="iati-safe-together.xml"'
    iati_schema().assertValid(etree.fromstring(response.content).getroottree())


def test_a_coordinator_downloads_every_projects_file(client_for, coordinator, project):
    response = client_for(coordinator).get(reverse("reporting:project_iati", args=[project.pk]))
    assert response.status_code == 200


def test_another_project_manager_gets_404(client_for, make_user, project):
    other_manager = make_user("Project manager")
    response = client_for(other_manager).get(reverse("reporting:project_iati", args=[project.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["Facilitator", "Counselor", "Trainee"])
def test_other_roles_are_refused(client_for, make_user, project, role):
    response = client_for(make_user(role)).get(reverse("reporting:project_iati", args=[project.pk]))
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, project):
    response = client.get(reverse("reporting:project_iati", args=[project.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


# Queries


def _project_with_periods(count, *, project_manager, coordinator):
    start = date(2022, 1, 1)
    project = DonorProject.objects.create(
        title=f"Grant of {count} periods", donor="Fund", start_date=start, end_date=date(2022 + count, 1, 1)
    )
    project.managers.add(project_manager)
    periods = []
    for index in range(count):
        first = date(start.year + index, 1, 1)
        periods.append(
            ReportingPeriod.objects.create(
                project=project,
                label=str(first.year),
                start_date=first,
                end_date=date(first.year, 12, 31),
                due_date=date(first.year + 1, 1, 31),
            )
        )
    for kind in (ResultType.OUTCOME, ResultType.OUTPUT):
        result = Result.objects.create(project=project, result_type=kind, title=f"Result {kind}")
        counted = make_indicator(result, "Sessions", measure="group_sessions_held")
        entered = make_indicator(result, "Partners", baseline_value=1, baseline_year=2021)
        for period in periods:
            IndicatorTarget.objects.create(indicator=counted, period=period, value=5)
            IndicatorTarget.objects.create(indicator=entered, period=period, value=5)
            IndicatorActual.objects.create(indicator=entered, period=period, value=3)
    walk(periods[0], project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK)
    return project


def test_the_number_of_queries_does_not_grow_with_the_periods(project_manager, coordinator):
    counts = {}
    for periods in (2, 12):
        project = _project_with_periods(periods, project_manager=project_manager, coordinator=coordinator)
        with CaptureQueriesContext(connection) as captured:
            root = parse(project_iati_xml(project=project))
        assert len(root.xpath("(//indicator)[1]/period")) == periods
        counts[periods] = len(captured)
    assert counts[2] == counts[12]
    assert counts[2] == 6  # periods, results, indicators, snapshots, targets, values entered by hand
