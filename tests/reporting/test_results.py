"""The results framework: results, indicators (counted or entered by hand), targets per period, charts.

Every door: the project manager's pages (as rendered), the administration's forms, the services and the
ORM; a target or value that a frozen report holds stays as reported."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import role_permissions_sync
from reporting.disclosure import HIDDEN
from reporting.enums import IndicatorMeasure, IndicatorSource, PeriodStatus, ResultType, Transition
from reporting.models import (
    DonorProject,
    IndicatorActual,
    IndicatorTarget,
    Programme,
    ReportingPeriod,
    Result,
    ResultIndicator,
)
from reporting.results import results_framework
from reporting.services import indicator_actuals_save, indicator_save, period_transition

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.reference_index]


def lock(period, by, coordinator):
    for step in (Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK):
        period = period_transition(period=period, transition=step, by=coordinator if step == "approve" else by)
    return period


@pytest.fixture
def framework(project):
    """Two results, five indicators: three counted by Haven, two entered by hand, a target per period."""
    outcome = Result.objects.create(project=project, result_type=ResultType.OUTCOME, title="Women feel safer")
    output = Result.objects.create(
        project=project, result_type=ResultType.OUTPUT, title="Groups and trainings held", sort_order=1
    )
    periods = list(project.periods.order_by("start_date"))
    made = {}
    for result, title, source, measure, kind in [
        (outcome, "Women in self-support groups", IndicatorSource.COMPUTED, "women_in_groups", IndicatorMeasure.UNIT),
        (outcome, "Women who report feeling safer", IndicatorSource.MANUAL, "", IndicatorMeasure.PERCENTAGE),
        (output, "Group sessions held", IndicatorSource.COMPUTED, "group_sessions_held", IndicatorMeasure.UNIT),
        (output, "Trainees trained", IndicatorSource.COMPUTED, "trainees_trained", IndicatorMeasure.UNIT),
        (output, "Partner meetings", IndicatorSource.MANUAL, "", IndicatorMeasure.UNIT),
    ]:
        indicator = ResultIndicator.objects.create(
            result=result,
            title=title,
            source=source,
            measure=measure,
            measure_type=kind,
            baseline_value=Decimal(10),
            baseline_year=2021,
            target=Decimal(40),
        )
        for period in periods:
            IndicatorTarget.objects.create(indicator=indicator, period=period, value=Decimal(10))
        made[title] = indicator
    return made


# The database's own rules -------------------------------------------------------------------------------


def test_a_counted_indicator_needs_a_measure_and_one_by_hand_has_none(project):
    result = Result.objects.create(project=project, title="R")
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultIndicator.objects.create(result=result, title="x", source=IndicatorSource.COMPUTED, measure="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultIndicator.objects.create(
            result=result, title="x", source=IndicatorSource.MANUAL, measure="women_in_groups"
        )
    indicator = ResultIndicator(result=result, title="x", source=IndicatorSource.COMPUTED, measure="")
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert "measure" in refused.value.message_dict


def test_a_percentage_measure_is_not_taken_as_a_number(project):
    result = Result.objects.create(project=project, title="R")
    indicator = ResultIndicator(
        result=result,
        title="Attendance",
        source=IndicatorSource.COMPUTED,
        measure="attendance_rate",
        measure_type=IndicatorMeasure.UNIT,
    )
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert "measure_type" in refused.value.message_dict


@pytest.fixture
def locked(project, framework, project_manager, coordinator):
    return lock(project.periods.order_by("start_date").first(), project_manager, coordinator)


def test_the_orm_keeps_a_frozen_periods_targets_and_values(locked, framework):
    counted = framework["Women in self-support groups"]
    target = IndicatorTarget.objects.get(indicator=counted, period=locked)
    target.save()  # unchanged: the admin's inline forms save every row
    target.value = Decimal(99)
    with pytest.raises(ValidationError, match="locked"):
        target.save()
    with pytest.raises(ValidationError, match="locked"):
        IndicatorTarget.objects.filter(pk=target.pk).update(value=Decimal(99))
    with pytest.raises(ValidationError, match="locked"):
        IndicatorTarget.objects.filter(pk=target.pk).delete()
    with pytest.raises(ValidationError, match="locked"):
        IndicatorActual.objects.create(
            indicator=framework["Partner meetings"], period=locked, value=Decimal(3), comment="late"
        )
    with pytest.raises(ValidationError, match="locked"):
        counted.delete()
    with pytest.raises(ValidationError, match="locked"):
        Result.objects.filter(pk=counted.result_id).delete()
    assert IndicatorTarget.objects.get(pk=target.pk).value == Decimal(10)
    assert not IndicatorActual.objects.exists()
    assert ResultIndicator.objects.filter(pk=counted.pk).exists()


def test_the_service_refuses_values_for_a_frozen_period_and_a_stranger(locked, framework, project_manager, make_user):
    manual = framework["Partner meetings"]
    with pytest.raises(ValidationError, match="locked"):
        indicator_actuals_save(period=locked, by=project_manager, values={manual: (Decimal(3), "")})
    open_period = locked.project.periods.order_by("start_date")[1]
    with pytest.raises(PermissionDenied):
        indicator_actuals_save(period=open_period, by=make_user("Project manager"), values={manual: (Decimal(3), "")})
    with pytest.raises(ValidationError):
        indicator_actuals_save(
            period=open_period,
            by=project_manager,
            values={framework["Group sessions held"]: (Decimal(3), "")},
        )
    assert indicator_actuals_save(period=open_period, by=project_manager, values={manual: (Decimal(3), "x")}) == 1
    assert IndicatorActual.objects.get().value == Decimal(3)


def test_a_target_for_another_projects_period_is_refused(project, framework, project_manager):
    other = DonorProject.objects.create(
        title="Other", donor="D", start_date=date(2022, 1, 1), end_date=date(2022, 12, 31)
    )
    other.managers.add(project_manager)
    foreign = ReportingPeriod.objects.create(
        project=other,
        label="2022",
        start_date=date(2022, 1, 1),
        end_date=date(2022, 12, 31),
        due_date=date(2023, 1, 31),
    )
    with pytest.raises(ValidationError):
        indicator_save(indicator=framework["Partner meetings"], by=project_manager, targets={foreign: Decimal(1)})
    assert not IndicatorTarget.objects.filter(period=foreign).exists()


# What the framework shows -------------------------------------------------------------------------------


def test_counted_figures_are_only_those_a_report_published(
    project, framework, groups_data, project_manager, coordinator
):
    q1, q2 = list(project.periods.order_by("start_date"))[:2]
    groups_data("Novi Sad", [date(2022, 4, 12), date(2022, 4, 19)], 2)  # 2 women: a small number
    groups_data("Zrenjanin", [date(2022, 7, 12)], 7)
    before = results_framework(project=project, period=q2)
    counted = before[0].indicators[0]
    assert [point.actual for point in counted.series[:2]] == [None, None]  # Q1 not reported yet
    lock(q1, project_manager, coordinator)
    after = results_framework(project=project, period=q2)
    counted = after[0].indicators[0]
    assert counted.series[0].actual == HIDDEN  # as Q1's report published it, never the 2 behind it
    sessions = after[1].indicators[0]
    assert sessions.series[0].actual == 2
    assert counted.series[2].actual is None  # a later period shows nothing


def test_values_entered_by_hand_add_up_or_take_the_latest(project, framework, project_manager):
    q1, q2, q3 = list(project.periods.order_by("start_date"))[:3]
    feel_safer, meetings = framework["Women who report feeling safer"], framework["Partner meetings"]
    indicator_actuals_save(
        period=q1, by=project_manager, values={feel_safer: (Decimal(40), "survey"), meetings: (Decimal(2), "")}
    )
    indicator_actuals_save(
        period=q2, by=project_manager, values={feel_safer: (Decimal(55), "survey"), meetings: (Decimal(3), "")}
    )
    results = results_framework(project=project, period=q3)
    by_title = {i.title: i for r in results for i in r.indicators}
    assert by_title["Women who report feeling safer"].to_date == 55.0
    assert by_title["Partner meetings"].to_date == 5.0
    assert by_title["Partner meetings"].value is None
    results = results_framework(project=project, period=q2)
    by_title = {i.title: i for r in results for i in r.indicators}
    assert by_title["Women who report feeling safer"].comment == "survey"
    assert by_title["Partner meetings"].share == Decimal("12.5")


# The project manager's pages, as rendered ---------------------------------------------------------------


def form_with(page, name):
    return next(form for form in page.forms.values() if name in form.fields)


def test_a_project_manager_builds_the_framework_on_her_pages(django_app, project, project_manager):
    project_url = reverse("reporting:project", args=[project.pk])
    for kind, title in [("2", "Women feel safer"), ("1", "Groups held")]:
        page = django_app.get(project_url, user=project_manager).click(
            href=reverse("reporting:result_add", args=[project.pk])
        )
        form = form_with(page, "title")
        form["result_type"], form["title"] = kind, title
        assert form.submit().status_code == 302
    outcome, output = Result.objects.filter(project=project).order_by("sort_order")
    assert (outcome.result_type, output.result_type, output.sort_order) == ("2", "1", 1)
    periods = list(project.periods.order_by("start_date"))
    specs = [
        (outcome, "Women in groups", "computed", "women_in_groups", "1"),
        (outcome, "Feeling safer", "manual", "", "2"),
        (output, "Sessions", "computed", "group_sessions_held", "1"),
        (output, "Trainees", "computed", "trainees_trained", "1"),
        (output, "Meetings", "manual", "", "1"),
    ]
    for result, title, source, measure, kind in specs:
        page = django_app.get(reverse("reporting:indicator_add", args=[project.pk, result.pk]), user=project_manager)
        form = form_with(page, "source")
        form["title"], form["source"], form["measure"], form["measure_type"] = title, source, measure, kind
        form["baseline_value"], form["baseline_year"], form["target"] = "5", "2021", "40"
        form[f"target_{periods[0].pk}"] = "10"
        form[f"target_{periods[1].pk}"] = "12"
        assert form.submit().status_code == 302, title
    assert ResultIndicator.objects.filter(result__project=project).count() == 5
    assert IndicatorTarget.objects.filter(indicator__result__project=project).count() == 10

    # A manual indicator that names a measure is refused with the field's message, nothing saved.
    page = django_app.get(reverse("reporting:indicator_add", args=[project.pk, output.pk]), user=project_manager)
    form = form_with(page, "source")
    form["title"], form["source"], form["measure"] = "Wrong", "manual", "women_in_groups"
    response = form.submit()
    assert response.status_code == 200
    assert "leave this empty" in response.text
    assert not ResultIndicator.objects.filter(title="Wrong").exists()

    # The values entered by hand, then the period page with its charts and tables.
    period_url = reverse("reporting:period", args=[periods[0].pk])
    page = django_app.get(period_url, user=project_manager).click(
        href=reverse("reporting:period_values", args=[periods[0].pk])
    )
    form = form_with(page, f"value_{ResultIndicator.objects.get(title='Feeling safer').pk}")
    form[f"value_{ResultIndicator.objects.get(title='Feeling safer').pk}"] = "45"
    form[f"comment_{ResultIndicator.objects.get(title='Feeling safer').pk}"] = "Exit survey"
    form[f"value_{ResultIndicator.objects.get(title='Meetings').pk}"] = "120"
    response = form.submit()
    assert response.status_code == 302
    assert IndicatorActual.objects.get(indicator__title="Feeling safer").value == Decimal(45)
    page = django_app.get(period_url, user=project_manager)
    assert page.text.count('class="chart"') == 5
    assert 'role="img"' in page.text
    assert "Exit survey" in page.text


def test_a_percentage_above_100_is_refused(django_app, project, framework, project_manager):
    period = project.periods.order_by("start_date").first()
    page = django_app.get(reverse("reporting:period_values", args=[period.pk]), user=project_manager)
    name = f"value_{framework['Women who report feeling safer'].pk}"
    form = form_with(page, name)
    form[name] = "140"
    response = form.submit()
    assert response.status_code == 200
    assert not IndicatorActual.objects.exists()


def test_a_frozen_periods_target_cannot_be_changed_on_the_page(django_app, locked, framework, project_manager):
    indicator = framework["Partner meetings"]
    page = django_app.get(
        reverse("reporting:indicator_edit", args=[locked.project_id, indicator.result_id, indicator.pk]),
        user=project_manager,
    )
    form = form_with(page, "source")
    assert f"target_{locked.pk}" not in form.fields or form[f"target_{locked.pk}"].attrs.get("disabled") is not None
    following = locked.project.periods.order_by("start_date")[1]
    form[f"target_{following.pk}"] = "25"
    assert form.submit().status_code == 302
    assert IndicatorTarget.objects.get(indicator=indicator, period=locked).value == Decimal(10)
    assert IndicatorTarget.objects.get(indicator=indicator, period=following).value == Decimal(25)
    # Entering values for the locked period is refused with the lock's message.
    response = django_app.get(reverse("reporting:period_values", args=[locked.pk]), user=project_manager).follow()
    assert "locked" in response.text


def test_another_project_manager_gets_404(django_app, project, framework, make_user):
    stranger = make_user("Project manager")
    result = framework["Partner meetings"].result
    for url in [
        reverse("reporting:result_add", args=[project.pk]),
        reverse("reporting:result_edit", args=[project.pk, result.pk]),
        reverse("reporting:indicator_add", args=[project.pk, result.pk]),
        reverse("reporting:period_values", args=[project.periods.first().pk]),
    ]:
        assert django_app.get(url, user=stranger, expect_errors=True).status_code == 404, url


def test_the_period_page_keeps_its_queries_as_periods_grow(client_for, project_manager, make_user):
    def build(months):
        project = DonorProject.objects.create(
            title=f"P{months}", donor="D", start_date=date(2022, 1, 1), end_date=date(2022, 1, 1)
        )
        project.managers.add(project_manager)
        for index in range(months):
            start = date(2022 + index // 12, index % 12 + 1, 1)
            ReportingPeriod.objects.create(
                project=project,
                label=f"M{index}",
                start_date=start,
                end_date=start.replace(day=28),
                due_date=start.replace(day=28),
            )
        result = Result.objects.create(project=project, title="R")
        for code in ("women_in_groups", "group_sessions_held"):
            indicator = ResultIndicator.objects.create(result=result, title=code, measure=code)
            for period in project.periods.all():
                IndicatorTarget.objects.create(indicator=indicator, period=period, value=1)
        ResultIndicator.objects.create(result=result, title="By hand", source=IndicatorSource.MANUAL)
        last = project.periods.order_by("start_date").last()
        # The periods before it frozen, as a project's past is: a live report is protected against every
        # earlier period not yet frozen, and counts each of those again after a change (reporting.report).
        project.periods.exclude(pk=last.pk).update(status=PeriodStatus.LOCKED, locked_by=project_manager)
        return last

    client = client_for(project_manager)
    counts = []
    for months in (2, 12):
        period = build(months)
        for url in (
            reverse("reporting:period", args=[period.pk]),
            reverse("reporting:period_xlsx", args=[period.pk]),
            reverse("reporting:project", args=[period.project_id]),
        ):
            client.get(url)  # warm the caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:3] == counts[3:], counts


# The administration, for coordinators --------------------------------------------------------------------


@pytest.fixture
def admin_coordinator(coordinator):
    role_permissions_sync()
    return coordinator


def test_the_admin_indicator_form_keeps_a_locked_target(django_app, locked, framework, admin_coordinator):
    indicator = framework["Partner meetings"]
    page = django_app.get(reverse("result_indicators:edit", args=[indicator.pk]), user=admin_coordinator)
    form = form_with(page, "title")
    index = next(
        name.split("-")[1]
        for name in form.fields
        if name and name.startswith("targets-") and name.endswith("-period") and form[name].value == str(locked.pk)
    )
    form[f"targets-{index}-value"] = "99"
    response = form.submit()
    assert response.status_code == 200
    assert "locked" in response.text
    assert IndicatorTarget.objects.get(indicator=indicator, period=locked).value == Decimal(10)
    # The same form with only an open period's target changed saves.
    following = locked.project.periods.order_by("start_date")[1]
    page = django_app.get(reverse("result_indicators:edit", args=[indicator.pk]), user=admin_coordinator)
    form = form_with(page, "title")
    index = next(
        name.split("-")[1]
        for name in form.fields
        if name and name.startswith("targets-") and name.endswith("-period") and form[name].value == str(following.pk)
    )
    form[f"targets-{index}-value"] = "30"
    assert form.submit().status_code == 302
    assert IndicatorTarget.objects.get(indicator=indicator, period=following).value == Decimal(30)


def test_the_admin_refuses_to_delete_a_reported_indicator(django_app, locked, framework, admin_coordinator):
    indicator = framework["Women in self-support groups"]
    page = django_app.get(reverse("result_indicators:delete", args=[indicator.pk]), user=admin_coordinator)
    form = next(form for form in page.forms.values() if form.method.lower() == "post")
    response = form.submit().follow()
    assert "locked" in response.text
    assert ResultIndicator.objects.filter(pk=indicator.pk).exists()


def test_the_admin_screens_open(client_for, admin_coordinator, framework):
    web = client_for(admin_coordinator)
    for name in ("programmes", "result_indicators"):
        assert web.get(reverse(f"{name}:index")).status_code == 200
        assert web.get(reverse(f"{name}:add")).status_code == 200


# A programme across its projects ------------------------------------------------------------------------


def test_a_programme_compares_its_projects_as_published(
    client_for, project, framework, groups_data, project_manager, coordinator, make_user
):
    programme = Programme.objects.create(name="Vojvodina programme")
    project.programme = programme
    project.save()
    groups_data("Novi Sad", [date(2022, 4, 12)], 8)
    lock(project.periods.order_by("start_date").first(), project_manager, coordinator)
    page = client_for(project_manager).get(reverse("reporting:programme", args=[programme.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert project.title in text
    assert 'role="img"' in text
    stranger = make_user("Project manager")
    assert client_for(stranger).get(reverse("reporting:programme", args=[programme.pk])).status_code == 404


def test_the_programme_page_asks_the_same_number_of_queries_for_two_projects_and_for_five(
    client_for, project, project_manager, coordinator
):
    from tests.helpers import donor_project_with_quarters, queries_of

    programme = Programme.objects.create(name="Vojvodina programme")

    def add_projects(n):
        for _ in range(n):
            other = donor_project_with_quarters(managers=[project_manager])
            other.programme = programme
            other.save()
            result = Result.objects.create(project=other, result_type=ResultType.OUTPUT, title="Groups held")
            indicator = ResultIndicator.objects.create(
                result=result, title="Women", source=IndicatorSource.COMPUTED, measure="women_in_groups"
            )
            first = other.periods.order_by("start_date").first()
            IndicatorTarget.objects.create(indicator=indicator, period=first, value=Decimal(10))
            lock(first, project_manager, coordinator)

    client = client_for(project_manager)
    url = reverse("reporting:programme", args=[programme.pk])
    add_projects(2)
    two = queries_of(client, url)
    add_projects(3)
    assert queries_of(client, url) == two


def test_the_donor_xlsx_carries_the_framework_in_both_layouts(
    client_for, project, framework, groups_data, project_manager
):
    import io
    import zipfile

    from openpyxl import load_workbook

    period = project.periods.order_by("start_date").first()
    groups_data("Novi Sad", [date(2022, 4, 12)], 8)
    indicator_actuals_save(
        period=period, by=project_manager, values={framework["Partner meetings"]: (Decimal(2), "Minutes")}
    )
    client = client_for(project_manager)
    response = client.get(reverse("reporting:period_xlsx", args=[period.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Results framework"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Women in self-support groups"][7] == 8  # reached this period, as the report shows it
    assert rows["Group sessions held"][6] == 10  # this period's target
    assert rows["Partner meetings"][7] == 2
    assert rows["Partner meetings"][9] == "Minutes"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sum(name.startswith("xl/charts/chart") for name in archive.namelist()) >= 2
    response = client.get(reverse("reporting:period_xlsx", args=[period.pk]) + "?template=ministry")
    assert response.status_code == 200
    text = [
        cell
        for row in load_workbook(io.BytesIO(response.content))["Report"].iter_rows(values_only=True)
        for cell in row
    ]
    assert "Results framework" in text
    assert "Partner meetings" in text


def test_the_admin_project_form_keeps_a_reported_result(django_app, locked, framework, admin_coordinator):
    result = framework["Women in self-support groups"].result
    page = django_app.get(reverse("donor_projects:edit", args=[locked.project_id]), user=admin_coordinator)
    form = form_with(page, "title")
    index = next(
        name.split("-")[1]
        for name in form.fields
        if name and name.startswith("results-") and name.endswith("-id") and form[name].value == str(result.pk)
    )
    form[f"results-{index}-DELETE"] = "1"  # what the panel's delete button sets
    response = form.submit()
    assert response.status_code == 200
    assert "locked" in response.text
    assert Result.objects.filter(pk=result.pk).exists()
    assert IndicatorTarget.objects.filter(indicator__result=result).count() == 2 * 4  # two indicators, four quarters


def test_an_indicator_counts_one_row_of_a_table_as_published(
    django_app, project, groups_data, project_manager, coordinator
):
    q1, q2 = list(project.periods.order_by("start_date"))[:2]
    groups_data("Novi Sad", [date(2022, 4, 12), date(2022, 4, 19)], 9)
    groups_data("Zrenjanin", [date(2022, 4, 13)], 2)  # a small number
    result = Result.objects.create(project=project, title="Women feel safer")
    for title, cohort in [("Women in Novi Sad", "Novi Sad"), ("Women in Zrenjanin", "Zrenjanin")]:
        page = django_app.get(reverse("reporting:indicator_add", args=[project.pk, result.pk]), user=project_manager)
        form = form_with(page, "only")
        form["title"], form["source"], form["measure"] = title, "computed", "women_in_groups"
        form["only"] = f"by_cohort::{cohort}"  # as the page offers it: the table and its row
        assert form.submit().status_code == 302
    novi_sad = ResultIndicator.objects.get(title="Women in Novi Sad")
    assert (novi_sad.breakdown, novi_sad.breakdown_row) == ("by_cohort", "Novi Sad")

    # A row of a table that does not count what the indicator counts is refused.
    page = django_app.get(reverse("reporting:indicator_add", args=[project.pk, result.pk]), user=project_manager)
    form = form_with(page, "only")
    form["title"], form["source"], form["measure"] = "Sessions in Novi Sad", "computed", "counseling_sessions_held"
    form["only"] = "by_cohort::Novi Sad"
    response = form.submit()
    assert response.status_code == 200
    assert "does not count what the indicator counts" in response.text

    lock(q1, project_manager, coordinator)
    snapshot = q1.snapshots.get().data
    table = next(t for t in snapshot["tables"] if t["code"] == "by_cohort")
    shown_rows = snapshot["published"]["tables"]["by_cohort"]["rows"]
    women = table["columns"].index("women")
    published = {row["label"]: shown[women] for row, shown in zip(table["rows"], shown_rows, strict=True)}
    assert published["Zrenjanin"] == HIDDEN
    by_title = {i.title: i for r in results_framework(project=project, period=q2) for i in r.indicators}
    # Each as the locked report's table published it: the 2 behind Zrenjanin's cell never comes out, and
    # Novi Sad's 9 only if the report showed it (it may be hidden too, so that the total gives nothing away).
    assert by_title["Women in Zrenjanin"].series[0].actual == HIDDEN
    assert by_title["Women in Novi Sad"].series[0].actual == published["Novi Sad"]
    assert published["Novi Sad"] in (9, HIDDEN)
    assert by_title["Women in Novi Sad"].only == "Self-support groups by cohort: Novi Sad"
    page = django_app.get(reverse("reporting:period", args=[q1.pk]), user=project_manager)
    assert "Self-support groups by cohort: Novi Sad" in page.text


def test_a_row_shown_by_the_report_is_the_indicators_figure(project, groups_data, project_manager, coordinator):
    q1, q2 = list(project.periods.order_by("start_date"))[:2]
    groups_data("Novi Sad", [date(2022, 4, 12)], 9)
    groups_data("Kikinda", [date(2022, 4, 14)], 7)
    result = Result.objects.create(project=project, title="Women feel safer")
    ResultIndicator.objects.create(
        result=result, title="Novi Sad", measure="women_in_groups", breakdown="by_cohort", breakdown_row="Novi Sad"
    )
    lock(q1, project_manager, coordinator)
    (indicator,) = results_framework(project=project, period=q2)[0].indicators
    assert indicator.series[0].actual == 9
    assert indicator.to_date is None  # tables are per period: no figure to date for one row
