"""Case work in donor reports: aftercare held (by kind), the women it served and case conferences held are
counted for the case's project, and what a frozen report counted stays (every door: service, ORM, bulk)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from cases import services
from cases.enums import ActivityStatus, AftercareKind, ConferenceStatus
from cases.models import AftercareActivity, Case, CaseConference
from core import dates
from reporting.enums import Transition
from reporting.measures import measures
from reporting.models import DonorProject, ReportingPeriod
from reporting.report import report_figures
from reporting.services import period_transition
from tests.helpers import rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(project_manager):
    today = dates.today()
    project = DonorProject.objects.create(
        title="Aftercare grant",
        donor="Fund",
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=200),
    )
    project.managers.add(project_manager)
    first = ReportingPeriod.objects.create(
        project=project,
        label="First",
        start_date=project.start_date,
        end_date=today - dt.timedelta(days=100),
        due_date=today - dt.timedelta(days=70),
    )
    second = ReportingPeriod.objects.create(
        project=project,
        label="Second",
        start_date=today - dt.timedelta(days=99),
        end_date=project.end_date,
        due_date=project.end_date + dt.timedelta(days=30),
    )
    return SimpleNamespace(project=project, first=first, second=second)


def lock(period, manager, coordinator):
    for step in (Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK):
        period = period_transition(period=period, transition=step, by=coordinator if step == "approve" else manager)
    return period


def test_aftercare_and_conferences_count_for_the_cases_project(make_case, counselor, funded):
    today = dates.today()
    case = make_case(counselor, opened_on=today - dt.timedelta(days=190), project=funded.project)
    other = make_case(opened_on=today - dt.timedelta(days=190))  # no project: counted nowhere
    for kind, days_ago in [
        (AftercareKind.HOME_VISIT, 150),
        (AftercareKind.HOME_VISIT, 120),
        (AftercareKind.LECTURE, 20),
    ]:
        services.aftercare_record(case=case, kind=kind, held_on=today - dt.timedelta(days=days_ago), by=counselor)
    services.aftercare_record(
        case=case,
        kind=AftercareKind.WORKSHOP,
        held_on=today + dt.timedelta(days=5),
        status=ActivityStatus.PLANNED,
        by=counselor,
    )
    services.aftercare_record(
        case=other, kind=AftercareKind.HOME_VISIT, held_on=today - dt.timedelta(days=10), by=other.lead_counselor.user
    )
    CaseConference.objects.create(case=case, held_at=dates.now() - dt.timedelta(days=30), status=ConferenceStatus.HELD)
    CaseConference.objects.create(
        case=case, held_at=dates.now() - dt.timedelta(days=29), status=ConferenceStatus.CANCELLED
    )
    span = SimpleNamespace(start_date=funded.project.start_date, end_date=today)
    registered = measures()
    assert registered["aftercare_activities"].value(funded.project, span) == 3
    assert registered["women_in_aftercare"].value(funded.project, span) == 1
    assert registered["case_conferences_held"].value(funded.project, span) == 1
    assert registered["aftercare_activities"].split(funded.project, span, "aftercare_kind") == {
        AftercareKind.HOME_VISIT: 2,
        AftercareKind.LECTURE: 1,
    }
    figures = report_figures(period=funded.first)
    by_code = {item["code"]: item for item in figures["indicators"]}
    assert by_code["aftercare_activities"]["value"] == 2
    assert by_code["aftercare_activities"]["to_date"] == 2


@pytest.fixture
def counted_and_locked(make_case, counselor, funded, project_manager, coordinator):
    today = dates.today()
    case = make_case(counselor, opened_on=today - dt.timedelta(days=190), project=funded.project)
    visit = services.aftercare_record(
        case=case, kind=AftercareKind.HOME_VISIT, held_on=today - dt.timedelta(days=150), by=counselor
    )
    conference = CaseConference.objects.create(
        case=case, held_at=dates.now() - dt.timedelta(days=140), status=ConferenceStatus.HELD
    )
    lock(funded.first, project_manager, coordinator)
    return SimpleNamespace(case=case, visit=visit, conference=conference)


def test_a_locked_report_keeps_what_it_counted(counted_and_locked, counselor, funded):
    visit, conference = counted_and_locked.visit, counted_and_locked.conference
    today = dates.today()
    visit.kind = AftercareKind.LECTURE
    with pytest.raises(ValidationError, match="locked"):
        visit.save()
    with pytest.raises(ValidationError, match="locked"):
        AftercareActivity.objects.get(pk=visit.pk).delete()
    with pytest.raises(ValidationError, match="locked"):
        AftercareActivity.objects.filter(pk=visit.pk).update(status=ActivityStatus.MISSED)
    with pytest.raises(ValidationError, match="locked"):
        AftercareActivity.objects.filter(pk=visit.pk).delete()
    conference.status = ConferenceStatus.CANCELLED
    with pytest.raises(ValidationError, match="locked"):
        conference.save()
    # A new activity recorded into the locked period is refused by the service too, and saves nothing.
    with pytest.raises(ValidationError, match="locked"):
        services.aftercare_record(
            case=counted_and_locked.case,
            kind=AftercareKind.HOME_VISIT,
            held_on=today - dt.timedelta(days=130),
            by=counselor,
        )
    # The case does not move its counted work to another project.
    case = Case.objects.get(pk=counted_and_locked.case.pk)
    case.project = None
    with pytest.raises(ValidationError, match="locked"):
        case.save()
    assert AftercareActivity.objects.filter(case=counted_and_locked.case).count() == 1
    assert AftercareActivity.objects.get(pk=visit.pk).kind == AftercareKind.HOME_VISIT
    assert CaseConference.objects.get(pk=conference.pk).status == ConferenceStatus.HELD
    # Below the model, the database refuses the same (reporting.locks): raw SQL changes nothing.
    for sql, params in (
        ('UPDATE "cases_aftercareactivity" SET "status" = %s WHERE "id" = %s', [ActivityStatus.MISSED, visit.pk]),
        ('DELETE FROM "cases_aftercareactivity" WHERE "id" = %s', [visit.pk]),
        (
            'UPDATE "cases_caseconference" SET "status" = %s WHERE "id" = %s',
            [ConferenceStatus.CANCELLED, conference.pk],
        ),
        ('UPDATE "cases_case" SET "project_id" = NULL WHERE "id" = %s', [counted_and_locked.case.pk]),
    ):
        refused = pytest.raises(IntegrityError, match="donor report counts this activity")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert AftercareActivity.objects.get(pk=visit.pk).status == ActivityStatus.DONE
    assert Case.objects.get(pk=counted_and_locked.case.pk).project_id == funded.project.pk
    # Work in the open period goes on.
    services.aftercare_record(
        case=counted_and_locked.case, kind=AftercareKind.HOME_VISIT, held_on=today - dt.timedelta(days=5), by=counselor
    )


def test_the_case_form_offers_the_donor_project(client_for, counselor, funded, make_profile):
    from counseling.models import Client

    make_profile(counselor)
    client = Client.objects.create(alias="Ana", code="A-1")
    client.counselors.add(counselor.counselor_profile)
    web = client_for(counselor)
    url = reverse("cases:case_create")
    data = rendered(
        web,
        url,
        {
            "client": client.pk,
            "lead_counselor": counselor.counselor_profile.pk,
            "project": funded.project.pk,
            "opened_on": dates.today().isoformat(),
        },
    )
    response = web.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Case.objects.get(client=client).project == funded.project
