import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.enums import PeriodStatus, Transition
from reporting.models import DonorProject, PeriodLogEntry, ReportSnapshot
from reporting.services import period_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_project(make_user):
    other = DonorProject.objects.create(
        title="Another NGO grant", donor="Fund", start_date=date(2022, 1, 1), end_date=date(2022, 12, 31)
    )
    other.managers.add(make_user("Project manager"))
    return other


def lock(period, by, coordinator):
    for step in (Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK):
        period = period_transition(period=period, transition=step, by=coordinator if step == "approve" else by)
    return period


def _form_with(page, field):
    """The page's form that has this field."""
    return next(form for form in page.forms.values() if field in form.fields)


def _step(app, period, user, transition, reason=None):
    """The step's button on the report page, as `user` sees the page now: the page offers only her steps."""
    page = app.get(reverse("reporting:period", args=[period.pk]), user=user)
    offered = [form for form in page.forms.values() if "transition" in form.fields]
    form = next((form for form in offered if form["transition"].value == transition), None)
    assert form is not None, f"the report page offers {user} no step {transition!r}"
    if reason is not None:
        form["reason"] = reason
    return form.submit().follow()


@pytest.mark.parametrize("role", ["Facilitator", "Counselor", "Trainer", "Trainee"])
def test_other_roles_are_refused(client_for, make_user, period, role):
    client = client_for(make_user(role))
    assert client.get(reverse("reporting:home")).status_code == 403
    assert client.get(reverse("reporting:period", args=[period.pk])).status_code == 403
    assert client.get(reverse("reporting:period_xlsx", args=[period.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, period):
    response = client.get(reverse("reporting:period", args=[period.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_project_manager_sees_only_her_projects(client_for, project_manager, project, other_project):
    client = client_for(project_manager)
    page = client.get(reverse("reporting:home")).content.decode()
    assert project.title in page
    assert other_project.title not in page
    assert client.get(reverse("reporting:project", args=[other_project.pk])).status_code == 404


def test_a_foreign_period_gives_404(client_for, project_manager, other_project):
    from reporting.models import ReportingPeriod

    foreign = ReportingPeriod.objects.create(
        project=other_project,
        label="Q1",
        start_date=date(2022, 1, 1),
        end_date=date(2022, 3, 31),
        due_date=date(2022, 4, 30),
    )
    client = client_for(project_manager)
    for name in ("reporting:period", "reporting:period_xlsx", "reporting:period_edit"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    # crafted: her pages offer no step on another project's period.
    response = client.post(reverse("reporting:period_transition", args=[foreign.pk]), {"transition": "review"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == PeriodStatus.OPEN


def test_coordinator_sees_every_project(client_for, coordinator, project, other_project):
    page = client_for(coordinator).get(reverse("reporting:home")).content.decode()
    assert project.title in page and other_project.title in page


def test_report_page_shows_tables_and_chart(client_for, project_manager, period, groups_data, target):
    target("women_in_groups", 40)
    groups_data("Novi Sad Wednesday", [date(2022, 4, 5)], 10, aliases={0: "Zvjezdana"})
    response = client_for(project_manager).get(reverse("reporting:period", args=[period.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Unique women in self-support groups" in page
    assert "25.0 % of the target (10 of 40)" in page
    assert '<rect class="target-fill" x="0" y="0" width="25.0"' in page
    assert "Novi Sad Wednesday" in page
    assert "Zvjezdana" not in page
    assert 'style="' not in page


def test_report_page_query_count_is_constant(
    client_for, project_manager, period, groups_data, counseling_data, django_assert_max_num_queries
):
    client = client_for(project_manager)
    groups_data("A", [date(2022, 4, 5)], 5)
    url = reverse("reporting:period", args=[period.pk])
    with django_assert_max_num_queries(80) as small:
        client.get(url)
    for index in range(8):
        groups_data(f"Cohort {index}", [date(2022, 4, 5), date(2022, 5, 5)], 5)
        counseling_data(date(2022, 4, 6))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_home_query_count_is_constant(client_for, coordinator, make_user, django_assert_max_num_queries):
    client = client_for(coordinator)
    for count in (5, 40):
        for index in range(count - DonorProject.objects.count()):
            DonorProject.objects.create(
                title=f"P{index}-{count}", donor="D", start_date=date(2022, 1, 1), end_date=date(2022, 12, 31)
            )
        with django_assert_max_num_queries(12):
            assert client.get(reverse("reporting:home")).status_code == 200


def test_xlsx_download(client_for, project_manager, period):
    response = client_for(project_manager).get(reverse("reporting:period_xlsx", args=[period.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="report-safe-together-2022-04-01')
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Cover"


def test_xlsx_download_in_each_template(client_for, project_manager, period):
    client = client_for(project_manager)
    url = reverse("reporting:period_xlsx", args=[period.pk])
    page = client.get(reverse("reporting:period", args=[period.pk])).content.decode()
    assert f'href="{url}?template=ministry"' in page
    assert "Ministry progress report (XLSX)" in page

    quarterly = client.get(url, {"template": "quarterly"})
    assert quarterly["Content-Disposition"] == 'attachment; filename="report-safe-together-2022-04-01.xlsx"'
    assert load_workbook(io.BytesIO(quarterly.content)).sheetnames[:2] == ["Cover", "Indicators"]
    ministry = client.get(url, {"template": "ministry"})
    assert ministry.status_code == 200
    assert ministry["Content-Disposition"] == 'attachment; filename="report-safe-together-2022-04-01-ministry.xlsx"'
    assert load_workbook(io.BytesIO(ministry.content)).sheetnames == ["Report"]


def test_an_unknown_template_gives_404(client_for, project_manager, period):
    response = client_for(project_manager).get(reverse("reporting:period_xlsx", args=[period.pk]), {"template": "nope"})
    assert response.status_code == 404


def test_narrative_is_saved_through_the_form(django_app, project_manager, period):
    url = reverse("reporting:period_edit", args=[period.pk])
    form = _form_with(django_app.get(url, user=project_manager), "achievements")
    form["achievements"], form["challenges"], form["next_steps"] = "Two cohorts", "Rooms", "Kragujevac"
    response = form.submit()
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.achievements, period.challenges, period.next_steps) == ("Two cohorts", "Rooms", "Kragujevac")


def test_narrative_naming_a_survivor_is_refused(django_app, project_manager, period, groups_data):
    groups_data("A", [date(2022, 4, 5)], 5, aliases={0: "Zvjezdana"})
    url = reverse("reporting:period_edit", args=[period.pk])
    form = _form_with(django_app.get(url, user=project_manager), "achievements")
    form["achievements"] = "zvjezdana found a job"
    response = form.submit()
    assert response.status_code == 200
    assert "alias of a woman" in response.text
    period.refresh_from_db()
    assert period.achievements == ""


def test_locked_narrative_redirects_with_who_locked_it(django_app, project_manager, coordinator, period):
    # She opened the form before the period was locked, and sends it after.
    url = reverse("reporting:period_edit", args=[period.pk])
    form = _form_with(django_app.get(url, user=project_manager), "achievements")
    lock(period, project_manager, coordinator)
    form["achievements"] = "x"
    page = form.submit().follow().text
    assert "Q2 2022" in page and "locked by" in page and project_manager.profile.full_name in page
    period.refresh_from_db()
    assert period.achievements == ""


def test_workflow_through_the_buttons(client_for, django_app, project_manager, coordinator, period):
    url = reverse("reporting:period_transition", args=[period.pk])
    _step(django_app, period, project_manager, "review")
    # crafted: the page offers her no approve button (a coordinator's step).
    response = client_for(project_manager).post(url, {"transition": "approve"}, follow=True)
    assert "Only a coordinator" in response.content.decode()
    period.refresh_from_db()
    assert period.status == PeriodStatus.IN_REVIEW

    _step(django_app, period, coordinator, "approve")
    _step(django_app, period, project_manager, "submit")
    _step(django_app, period, project_manager, "lock")
    period.refresh_from_db()
    assert period.status == PeriodStatus.LOCKED
    assert ReportSnapshot.objects.filter(period=period).count() == 1

    # crafted: the page offers her no unlock button (a coordinator's step).
    client_for(project_manager).post(url, {"transition": "unlock", "reason": "Let me"})
    period.refresh_from_db()
    assert period.status == PeriodStatus.LOCKED

    # The reason field is `required` in the browser; sent empty anyway, the server asks for it too.
    response = _step(django_app, period, coordinator, "unlock", reason="")
    assert "Say why" in response.text
    _step(django_app, period, coordinator, "unlock", reason="Donor asked for a correction")
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert PeriodLogEntry.objects.filter(period=period, transition="unlock").get().reason.startswith("Donor")


def test_periods_are_generated_through_the_project_page(django_app, project_manager):
    project = DonorProject.objects.create(
        title="Fresh", donor="D", start_date=date(2024, 1, 1), end_date=date(2024, 12, 31)
    )
    project.managers.add(project_manager)
    url = reverse("reporting:project", args=[project.pk])
    form = _form_with(django_app.get(url, user=project_manager), "cadence")
    form["cadence"], form["months"], form["due_days"] = "custom", "", "30"
    response = form.submit()
    assert response.status_code == 200
    assert not project.periods.exists()
    form = _form_with(response, "cadence")
    form["cadence"], form["months"], form["due_days"] = "half_yearly", "", "15"
    form.submit()
    assert [p.label for p in project.periods.order_by("start_date")] == [
        "01.01.2024 – 30.06.2024",
        "01.07.2024 – 31.12.2024",
    ]


def test_home_page_panel_lists_periods_due(client_for, project_manager, project):
    from django.utils import timezone

    project.periods.filter(start_date=date(2022, 4, 1)).update(due_date=timezone.localdate())
    page = client_for(project_manager).get(reverse("home")).content.decode()
    assert "Donor reports due" in page
    assert "Q2 2022" in page


def test_project_page_query_count_is_constant(client_for, project_manager, django_assert_max_num_queries):
    from reporting.models import Indicator
    from reporting.services import periods_generate

    client = client_for(project_manager)
    for months, indicators in ((3, 2), (1, 8)):
        project = DonorProject.objects.create(
            title=f"Grant {months}", donor="D", start_date=date(2022, 1, 1), end_date=date(2024, 12, 31)
        )
        project.managers.add(project_manager)
        periods_generate(project=project, cadence="custom", months=months, by=project_manager)
        for code in [
            "women_in_groups",
            "group_sessions_held",
            "group_attendances",
            "attendance_rate",
            "clients_counselled",
            "trainees_trained",
            "certificates_issued",
            "organisations_reached",
        ][:indicators]:
            Indicator.objects.create(project=project, code=code, target=10)
        with django_assert_max_num_queries(14):
            page = client.get(reverse("reporting:project", args=[project.pk]))
        assert page.status_code == 200
