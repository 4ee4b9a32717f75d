from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.enums import Role
from core import dates
from trainings.enums import CompletionRule, EditionStatus
from trainings.models import Edition, TrainingProgramme, TrainingSession


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: WebTest serves pages in the test's own thread, and the
    language a /da/ page activated would otherwise stay active for the next test's reverse()."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def aware(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def programme(db):
    return TrainingProgramme.objects.create(
        title="Child witnesses of domestic violence",
        summary="Consequences for children and the non-violent parent's capacities.",
        hours=Decimal("16.0"),
        completion_rule=CompletionRule.MIN_SHARE,
        min_attendance_percent=75,
    )


@pytest.fixture
def make_edition(programme):
    """make_edition(capacity=2, start_in=10, days=2, **fields): an open edition with one 8-hour session a day,
    placed relative to the clock's today when it is called."""

    def _make(*, capacity=2, start_in=10, days=2, trainers=(), programme_=None, hours=(9, 17), **fields):
        today = dates.today()
        start = today + timedelta(days=start_in)
        now = dates.now()
        values = {
            "programme": programme_ or programme,
            "start_date": start,
            "end_date": start + timedelta(days=days - 1),
            "venue": "Cultural Centre",
            "municipality": "Zrenjanin",
            "capacity": capacity,
            "enrolment_opens": now - timedelta(days=30),
            "enrolment_closes": now + timedelta(days=max(start_in - 1, 1)),
            "status": EditionStatus.OPEN,
        }
        values.update(fields)
        edition = Edition.objects.create(**values)
        for offset in range(days):
            day = start + timedelta(days=offset)
            TrainingSession.objects.create(
                edition=edition, start=aware(day, hours[0]), end=aware(day, hours[1]), title=f"Day {offset + 1}"
            )
        if trainers:
            edition.trainers.add(*trainers)
        return edition

    return _make


@pytest.fixture
def edition(make_edition, trainer):
    return make_edition(trainers=[trainer])


@pytest.fixture
def trainees(make_user):
    """trainees(n, **profile) -> n new trainees."""

    def _make(count, **kwargs):
        return [make_user(Role.TRAINEE, **kwargs) for _ in range(count)]

    return _make


@pytest.fixture
def after(clock):
    """after(edition): the clock moves to a minute after the edition's last session ends."""

    def _move(edition):
        last = edition.sessions.order_by("-end").first()
        return clock(last.end + timedelta(minutes=1))

    return _move


@pytest.fixture
def project(db, project_manager):
    from reporting.models import DonorProject

    today = dates.today()
    project = DonorProject.objects.create(
        title="Safe Together",
        donor="Ministry of Family Welfare",
        grant_number="G-1",
        start_date=today - timedelta(days=800),
        end_date=today + timedelta(days=800),
        partners="Centre for Social Work Pančevo",
    )
    project.managers.add(project_manager)
    return project


@pytest.fixture
def period_lock(project, project_manager, coordinator):
    """period_lock(first_day, last_day, project=project) -> a locked reporting period over those days."""
    from reporting.enums import Transition
    from reporting.models import ReportingPeriod
    from reporting.services import period_transition

    def _lock(start, end, *, of=None):
        of = of or project
        of.managers.add(project_manager)
        period = ReportingPeriod.objects.create(
            project=of, label="Q", start_date=start, end_date=end, due_date=end + timedelta(days=30)
        )
        for step, by in (
            (Transition.SUBMIT_FOR_REVIEW, project_manager),
            (Transition.APPROVE, coordinator),
            (Transition.LOCK, project_manager),
        ):
            period = period_transition(period=period, transition=step, by=by)
        return period

    return _lock


@pytest.fixture
def admin_as(django_app, coordinator):
    """admin_as(url, user) -> the admin page fetched by WebTest as that user, with the roles' admin
    permissions in place (the coordinator role exists once the `coordinator` fixture has made one)."""
    from accounts.roles import role_permissions_sync

    role_permissions_sync()  # what migrate does for the Coordinator group

    def _get(url, user, **kwargs):
        return django_app.get(url, user=user, **kwargs)

    return _get
