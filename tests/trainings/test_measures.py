"""What trainings count for donor reports: trainees split by the type of organisation they work for
(trainings/measures.py)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from accounts.enums import OrganisationType
from accounts.models import Profile
from core import dates
from core.enums import AttendanceStatus
from reporting.measures import NOT_STATED, registry
from trainings.enums import EnrollmentStatus
from trainings.measures import ORGANISATION_TYPE, TraineesTrained
from trainings.models import Enrollment, TrainingAttendance


@pytest.fixture
def attended(make_edition, project):
    """attended(people, days_ago=20): an edition of the project they were present at, every day of it."""

    def _attended(people, *, days_ago=20, status=AttendanceStatus.PRESENT):
        edition = make_edition(start_in=-days_ago, capacity=len(people) + 1, project=project)
        for user in people:
            enrollment = Enrollment.objects.create(edition=edition, user=user, status=EnrollmentStatus.ENROLLED)
            for session in edition.sessions.all():
                TrainingAttendance.objects.create(session=session, enrollment=enrollment, status=status)
        return edition

    return _attended


def of_type(users, kind):
    Profile.objects.filter(user__in=users).update(organisation_type=kind)
    return users


def span():
    today = dates.today()
    # A year back through core.dates: replace(year=...) fails on 29 February.
    return SimpleNamespace(start_date=dates.add_months(today, -12), end_date=today)


def test_trainees_by_type_of_organisation_count_each_person_once(project, attended, trainees):
    police = of_type(trainees(2), OrganisationType.POLICE)
    social_work = of_type(trainees(1), OrganisationType.SOCIAL_WORK)
    unstated = trainees(1)
    no_profile = get_user_model().objects.create_user(username="imported@example.org")
    attended([*police, *social_work, *unstated, no_profile])
    attended([police[0]], days_ago=40)  # a second edition: still one person
    attended(of_type(trainees(1), OrganisationType.SCHOOL), status=AttendanceStatus.ABSENT)

    split = TraineesTrained().split(project, span(), ORGANISATION_TYPE)
    assert split == {"police": 2, "social_work": 1, NOT_STATED: 2}
    assert sum(split.values()) == TraineesTrained().value(project, span())


def test_a_split_by_type_of_organisation_is_one_query(project, attended, trainees, django_assert_num_queries):
    attended(of_type(trainees(1), OrganisationType.NGO))
    with django_assert_num_queries(1):
        TraineesTrained().split(project, span(), ORGANISATION_TYPE)
    for kind in OrganisationType.values:
        attended(of_type(trainees(2), kind))
    with django_assert_num_queries(1):
        split = TraineesTrained().split(project, span(), ORGANISATION_TYPE)
    assert split["ngo"] == 3


def test_every_type_is_a_row_then_not_stated(project):
    dimension = registry().dimensions[ORGANISATION_TYPE]
    assert [key for key, _label in dimension.rows(project, span(), set())] == [*OrganisationType.values, NOT_STATED]
    assert dimension.display("social_work") == "Centre for social work"
    assert ORGANISATION_TYPE in TraineesTrained().dimensions


def test_every_count_of_trainees_and_their_organisations_is_one_pass(
    project, attended, trainees, django_assert_num_queries
):
    from reporting.measures import figures_cache
    from trainings.measures import EDITION, MUNICIPALITY, ORGANISATION, OrganisationsReached

    centre, police, blank, no_profile = trainees(1), trainees(2), trainees(1), []
    Profile.objects.filter(user__in=centre).update(organisation="CSR Pančevo", municipality="Pančevo")
    Profile.objects.filter(user__in=police).update(organisation="PU Pančevo", municipality="Pančevo")
    Profile.objects.filter(user__in=blank).update(organisation="", municipality="")
    no_profile.append(get_user_model().objects.create_user(username="imported-too@example.org"))
    first = attended([*centre, *police, *blank, *no_profile])
    second = attended([police[0]], days_ago=40)  # a second edition: still one person
    with figures_cache(), django_assert_num_queries(1):
        splits = {d: TraineesTrained().split(project, span(), d) for d in TraineesTrained.dimensions}
        kept = [TraineesTrained().value(project, span()), OrganisationsReached().value(project, span())]
    # Without the splits (a "to date" over the whole history), the trainees and their organisations are
    # counted from one pass over who came from where: once in a report, once each alone.
    with figures_cache(), django_assert_num_queries(1):
        to_date = [TraineesTrained().value(project, span()), OrganisationsReached().value(project, span())]
    with django_assert_num_queries(2):
        trained = TraineesTrained().value(project, span())
        organisations = OrganisationsReached().value(project, span())
    assert kept == to_date == [trained, organisations]
    assert trained == 5 and organisations == 2  # blank and missing organisations are no organisation
    assert splits[EDITION] == {first.pk: 5, second.pk: 1}
    assert splits[ORGANISATION] == {"CSR Pančevo": 1, "PU Pančevo": 2, "": 1, None: 1}
    assert splits[MUNICIPALITY] == {"Pančevo": 3, "": 1, None: 1}
    assert splits[ORGANISATION_TYPE] == {NOT_STATED: 5}


@pytest.mark.parametrize("measure", ["trainees_enrolled", "trainees_completed"])
def test_unique_trainees_are_counted_from_the_enrolments_index_alone(project, attended, trainees, measure):
    """The people of a "to date" over every edition are read from the index of enrolments by edition and
    status, which holds the person too: not from each enrolment's row (SQLite's plan, where the bench's
    figures are timed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.measures import measures

    if connection.vendor != "sqlite":
        pytest.skip("the plan asked of is SQLite's")
    attended(trainees(2))
    with CaptureQueriesContext(connection) as captured:
        measures()[measure].value(project, span())
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "COVERING INDEX enrollment_edition_status_user" in plan, plan
