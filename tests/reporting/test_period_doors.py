"""A submitted or locked period keeps its dates and project and cannot be deleted, whichever door is tried:
the report pages, the Wagtail admin (its own edit and delete forms, posted as a coordinator), the services
and the ORM. Each refusal names the period and saves nothing; unlocking stays the logged step."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse

from accounts.roles import role_permissions_sync
from core.appendonly import AppendOnlyError
from reporting.enums import PeriodStatus, Transition
from reporting.models import ReportingPeriod, ReportSnapshot
from reporting.services import period_delete, period_save, period_transition
from tests.reporting.test_services import walk

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.reference_index]


@pytest.fixture
def coordinator(coordinator):
    role_permissions_sync()  # what migrate does for the Coordinator group
    return coordinator


@pytest.fixture
def locked(period, project_manager, coordinator):
    return walk(period, project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK)


def unchanged(period):
    stored = ReportingPeriod.objects.get(pk=period.pk)
    assert (stored.start_date, stored.end_date, stored.project_id, stored.status) == (
        date(2022, 4, 1),
        date(2022, 6, 30),
        period.project_id,
        PeriodStatus.LOCKED,
    )
    assert ReportSnapshot.objects.filter(period=period).count() == 1


def names_the_lock(message, period):
    assert period.label in message and "locked by" in message


def test_the_service_refuses_new_dates_and_deletion(locked, coordinator):
    locked.start_date = date(2022, 4, 2)
    with pytest.raises(ValidationError) as refused:
        period_save(period=locked, by=coordinator)
    names_the_lock(refused.value.messages[0], locked)
    with pytest.raises(ValidationError) as refused:
        period_delete(period=locked, by=coordinator)
    names_the_lock(refused.value.messages[0], locked)
    unchanged(locked)


def test_the_service_lets_a_coordinator_change_what_may_change(locked, coordinator, project_manager):
    locked.refresh_from_db()
    locked.label = "Q2 2022 (April to June)"
    locked.due_date = date(2022, 8, 15)
    period_save(period=locked, by=coordinator)
    assert ReportingPeriod.objects.get(pk=locked.pk).label == "Q2 2022 (April to June)"
    with pytest.raises(PermissionDenied):
        period_save(period=locked, by=project_manager)


def test_the_orm_refuses_too(locked):
    period = ReportingPeriod.objects.get(pk=locked.pk)
    period.end_date = date(2022, 7, 31)
    with pytest.raises(ValidationError) as refused:
        period.save()
    names_the_lock(refused.value.messages[0], locked)
    with pytest.raises(ValidationError):
        ReportingPeriod.objects.filter(pk=locked.pk).update(start_date=date(2022, 3, 1))
    with pytest.raises(ValidationError):
        ReportingPeriod.objects.filter(pk=locked.pk).delete()
    with pytest.raises(ValidationError):
        period.delete()
    unchanged(locked)


def test_the_snapshot_is_written_once_and_protects_its_period(locked):
    snapshot = ReportSnapshot.objects.get(period=locked)
    with pytest.raises(AppendOnlyError):
        snapshot.delete()
    with pytest.raises(AppendOnlyError):
        ReportSnapshot.objects.filter(pk=snapshot.pk).update(data={})
    with pytest.raises(Exception), transaction.atomic(), connection.cursor() as cursor:  # noqa: B017
        cursor.execute("DELETE FROM reporting_reportsnapshot WHERE id = %s", [snapshot.pk])
    unchanged(locked)


def test_an_unlocked_period_that_reported_keeps_its_history(locked, coordinator):
    period = period_transition(period=locked, transition=Transition.UNLOCK, by=coordinator, reason="Donor asked")
    period.start_date = date(2022, 4, 4)
    period_save(period=period, by=coordinator)  # open again: dates may change, the step is in the log
    with pytest.raises(ValidationError) as refused:
        period_delete(period=period, by=coordinator)
    assert "submitted once" in refused.value.messages[0]
    assert ReportingPeriod.objects.filter(pk=period.pk).exists()


def test_a_period_that_never_reported_can_be_deleted(project, coordinator):
    period = project.periods.order_by("start_date").last()
    period_delete(period=period, by=coordinator)
    assert not ReportingPeriod.objects.filter(pk=period.pk).exists()


def admin_form(page):
    return next(form for form in page.forms.values() if "start_date" in form.fields)


def test_the_admin_edit_form_refuses_new_dates(django_app, locked, coordinator):
    page = django_app.get(reverse("reporting_periods:edit", args=[locked.pk]), user=coordinator)
    form = admin_form(page)
    form["start_date"] = "2022-04-02"
    response = form.submit()
    assert response.status_code == 200
    names_the_lock(response.text, locked)
    unchanged(locked)


def test_the_admin_edit_form_saves_an_open_period_through_the_service(django_app, project, coordinator):
    period = project.periods.order_by("start_date").last()
    page = django_app.get(reverse("reporting_periods:edit", args=[period.pk]), user=coordinator)
    form = admin_form(page)
    form["label"] = "Q1 2023 (last)"
    assert form.submit().status_code == 302
    assert ReportingPeriod.objects.get(pk=period.pk).label == "Q1 2023 (last)"


def test_the_admin_delete_form_refuses(django_app, locked, coordinator):
    page = django_app.get(reverse("reporting_periods:delete", args=[locked.pk]), user=coordinator)
    form = next(form for form in page.forms.values() if form.method.lower() == "post")
    response = form.submit().follow()
    names_the_lock(response.text, locked)
    unchanged(locked)


def test_the_report_page_offers_no_way_round(client_for, locked, project_manager):
    client = client_for(project_manager)
    # crafted: a locked period's pages offer neither the narrative form nor (to her) an unlock button.
    response = client.post(
        reverse("reporting:period_edit", args=[locked.pk]),
        {"achievements": "x", "challenges": "", "next_steps": ""},
        follow=True,
    )
    names_the_lock(response.content.decode(), locked)
    response = client.post(
        reverse("reporting:period_transition", args=[locked.pk]), {"transition": "unlock", "reason": "x"}
    )
    assert response.status_code == 302
    unchanged(locked)
