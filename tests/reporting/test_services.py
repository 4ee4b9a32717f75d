from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reporting.enums import Cadence, PeriodStatus, Transition
from reporting.models import DonorProject, PeriodLogEntry, ReportingPeriod, ReportSnapshot
from reporting.report import report_view
from reporting.services import period_guard, period_narrative_save, period_transition, periods_generate

pytestmark = pytest.mark.django_db


def walk(period, by, coordinator, *steps):
    for step in steps:
        period = period_transition(period=period, transition=step, by=coordinator if step == Transition.APPROVE else by)
    return period


@pytest.fixture
def bare_project(project_manager):
    project = DonorProject.objects.create(
        title="New grant", donor="Ministry", start_date=date(2022, 4, 1), end_date=date(2023, 4, 1)
    )
    project.managers.add(project_manager)
    return project


@pytest.mark.parametrize(
    ("cadence", "months", "expected"),
    [(Cadence.MONTHLY, None, 12), (Cadence.QUARTERLY, None, 4), (Cadence.HALF_YEARLY, None, 2), (Cadence.CUSTOM, 4, 3)],
)
def test_periods_cover_the_project_without_gaps(bare_project, project_manager, cadence, months, expected):
    periods_generate(project=bare_project, cadence=cadence, months=months, due_days=20, by=project_manager)
    periods = list(bare_project.periods.order_by("start_date"))
    assert len(periods) == expected
    assert periods[0].start_date == bare_project.start_date
    assert periods[-1].end_date == bare_project.end_date
    for before, after in zip(periods, periods[1:], strict=False):
        assert (after.start_date - before.end_date).days == 1
    assert all((p.due_date - p.end_date).days == 20 for p in periods)


def test_quarters_are_labelled(bare_project, project_manager):
    periods_generate(project=bare_project, cadence=Cadence.QUARTERLY, by=project_manager)
    assert [p.label for p in bare_project.periods.order_by("start_date")] == [
        "Q2 2022",
        "Q3 2022",
        "Q4 2022",
        "Q1 2023",
    ]


def test_generating_twice_is_refused(project, project_manager):
    with pytest.raises(ValidationError):
        periods_generate(project=project, cadence=Cadence.MONTHLY, by=project_manager)
    assert project.periods.count() == 4


def test_custom_needs_a_length(bare_project, project_manager):
    with pytest.raises(ValidationError):
        periods_generate(project=bare_project, cadence=Cadence.CUSTOM, months=None, by=project_manager)
    assert not bare_project.periods.exists()


def test_another_managers_project_cannot_be_generated(bare_project, make_user):
    with pytest.raises(PermissionDenied):
        periods_generate(project=bare_project, cadence=Cadence.QUARTERLY, by=make_user("Project manager"))


def test_full_workflow_freezes_the_figures(period, project_manager, coordinator, groups_data):
    groups_data("A", [date(2022, 4, 5)], 6)
    period = walk(
        period, project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.SUBMIT
    )
    assert period.status == PeriodStatus.SUBMITTED
    assert ReportSnapshot.objects.filter(period=period).count() == 1
    period = period_transition(period=period, transition=Transition.LOCK, by=project_manager)
    assert period.status == PeriodStatus.LOCKED
    assert period.locked_by == project_manager
    assert PeriodLogEntry.objects.filter(period=period).count() == 4

    with pytest.raises(IntegrityError), transaction.atomic():
        groups_data("B", [date(2022, 4, 6)], 10)  # data entered later: refused below every door (reporting.locks)
    figures = {row.code: row.value for row in report_view(period=period, user=coordinator).indicators}
    assert figures["women_in_groups"] == 6


def test_project_manager_cannot_approve(period, project_manager):
    period = period_transition(period=period, transition=Transition.SUBMIT_FOR_REVIEW, by=project_manager)
    with pytest.raises(PermissionDenied):
        period_transition(period=period, transition=Transition.APPROVE, by=project_manager)
    period.refresh_from_db()
    assert period.status == PeriodStatus.IN_REVIEW


def test_only_a_coordinator_unlocks_and_says_why(period, project_manager, coordinator):
    period = walk(
        period, project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK
    )
    with pytest.raises(ValidationError) as refused:
        period_transition(period=period, transition=Transition.UNLOCK, by=project_manager, reason="typo")
    assert period.label in refused.value.messages[0]
    assert project_manager.profile.full_name in refused.value.messages[0]
    with pytest.raises(ValidationError):
        period_transition(period=period, transition=Transition.UNLOCK, by=coordinator, reason="  ")
    period.refresh_from_db()
    assert period.status == PeriodStatus.LOCKED

    period = period_transition(period=period, transition=Transition.UNLOCK, by=coordinator, reason="Donor asked")
    assert period.status == PeriodStatus.OPEN
    entry = PeriodLogEntry.objects.filter(period=period).first()
    assert (entry.transition, entry.by, entry.reason) == (Transition.UNLOCK, coordinator, "Donor asked")


def test_a_step_from_the_wrong_status_is_refused(period, project_manager):
    with pytest.raises(ValidationError):
        period_transition(period=period, transition=Transition.SUBMIT, by=project_manager)
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert not ReportSnapshot.objects.exists()


def test_narrative_of_a_locked_period_cannot_change(period, project_manager, coordinator):
    period = walk(
        period, project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK
    )
    with pytest.raises(ValidationError) as refused:
        period_narrative_save(period=period, by=project_manager, achievements="x", challenges="", next_steps="")
    assert "locked by" in refused.value.messages[0]
    assert ReportingPeriod.objects.get(pk=period.pk).achievements == ""


def test_period_guard_names_the_locked_period(period, project_manager, coordinator):
    walk(period, project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK)
    period_guard(project_id=period.project_id, on_date=date(2022, 8, 1))  # next period is open
    with pytest.raises(ValidationError) as refused:
        period_guard(project_id=period.project_id, on_date=date(2022, 5, 1))
    assert "Q2 2022" in refused.value.messages[0]
    assert project_manager.profile.full_name in refused.value.messages[0]
