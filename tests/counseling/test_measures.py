"""What counseling counts for donor reports, split by who the clients are (counseling/measures.py)."""

from datetime import date, datetime, time
from types import SimpleNamespace

import pytest
from django.utils import timezone

from core.enums import AgeBand, TargetGroup
from core.models import Municipality
from counseling.enums import BookingStatus, SessionKind
from counseling.measures import ClientsCounselled, CounselingSessionsHeld
from counseling.models import Booking
from reporting.measures import AGE_BAND, BENEFICIARY_MUNICIPALITY, NOT_STATED, TARGET_GROUP, month_spans
from tests.helpers import donor_project

QUARTER = SimpleNamespace(start_date=date(2022, 4, 1), end_date=date(2022, 6, 30))
# The span's sessions are grouped by a query per month of it (reporting.measures.grouped_by_month).
MONTHS = len(month_spans(QUARTER))


@pytest.fixture
def project(db):
    return donor_project()


@pytest.fixture
def sessions(project, make_counselor):
    """sessions(client, days, status=HELD): her bookings of the project on those April days, one an hour."""
    counselor = make_counselor()
    taken = {}

    def _sessions(client, days, *, status=BookingStatus.HELD):
        for day in days:
            hour = taken[day] = taken.get(day, 8) + 1
            start = datetime.combine(date(2022, 4, day), time(hour), tzinfo=timezone.get_current_timezone())
            Booking.objects.create(
                counselor=counselor,
                client=client,
                start=start,
                end=start.replace(minute=50),
                kind=SessionKind.EXPERIENTIAL,
                status=status,
                project=project,
            )

    return _sessions


def test_clients_by_age_band_count_each_client_once_and_sessions_every_one(project, sessions, make_client):
    sessions(make_client(age_band=AgeBand.AGE_25_34), [4, 11, 18])
    sessions(make_client(age_band=AgeBand.AGE_25_34), [5])
    sessions(make_client(), [6, 13])
    sessions(make_client(age_band=AgeBand.AGE_55_64), [7], status=BookingStatus.NO_SHOW)  # not held: not counted

    assert ClientsCounselled().split(project, QUARTER, AGE_BAND) == {"25_34": 2, NOT_STATED: 1}
    assert CounselingSessionsHeld().split(project, QUARTER, AGE_BAND) == {"25_34": 4, NOT_STATED: 2}


def test_clients_by_municipality_and_by_target_group(project, sessions, make_client):
    pancevo = Municipality.objects.create(name="Pančevo")
    sessions(make_client(municipality=pancevo, target_group=TargetGroup.MIGRANT), [4, 5])
    sessions(make_client(municipality=pancevo, target_group=TargetGroup.DISABILITY), [4])
    sessions(make_client(target_group=TargetGroup.DISABILITY), [6])

    assert ClientsCounselled().split(project, QUARTER, BENEFICIARY_MUNICIPALITY) == {pancevo.pk: 2, NOT_STATED: 1}
    assert CounselingSessionsHeld().split(project, QUARTER, BENEFICIARY_MUNICIPALITY) == {pancevo.pk: 3, NOT_STATED: 1}
    assert ClientsCounselled().split(project, QUARTER, TARGET_GROUP) == {"migrant": 1, "disability": 2}


@pytest.mark.parametrize("dimension", [AGE_BAND, BENEFICIARY_MUNICIPALITY, TARGET_GROUP])
def test_a_split_is_a_query_per_month_whatever_the_number_of_clients(
    project, sessions, make_client, dimension, django_assert_num_queries
):
    places = [Municipality.objects.create(name=f"Place {n}") for n in range(3)]
    sessions(make_client(age_band=AgeBand.AGE_18_24), [4])
    with django_assert_num_queries(MONTHS):
        ClientsCounselled().split(project, QUARTER, dimension)
    for n in range(15):
        client = make_client(
            age_band=AgeBand.values[n % 6], municipality=places[n % 3], target_group=TargetGroup.values[n % 7]
        )
        sessions(client, [1 + n, 16 + n])
    with django_assert_num_queries(MONTHS):
        clients = ClientsCounselled().split(project, QUARTER, dimension)
    with django_assert_num_queries(MONTHS):
        held = CounselingSessionsHeld().split(project, QUARTER, dimension)
    assert sum(clients.values()) == ClientsCounselled().value(project, QUARTER) == 16
    assert sum(held.values()) == 31


def test_the_counseling_measures_offer_the_new_dimensions():
    for measure in (ClientsCounselled(), CounselingSessionsHeld()):
        assert {AGE_BAND, BENEFICIARY_MUNICIPALITY, TARGET_GROUP} <= set(measure.dimensions)


def test_every_count_and_split_of_a_report_is_counted_from_one_pass(
    project, sessions, make_client, django_assert_num_queries
):
    from counseling.measures import KIND, SessionsOfKind
    from reporting.measures import MONTH, figures_cache

    pancevo = Municipality.objects.create(name="Pančevo")
    sessions(make_client(age_band=AgeBand.AGE_25_34, municipality=pancevo), [4, 11, 18])
    sessions(make_client(target_group=TargetGroup.ROMA), [30])
    sessions(make_client(), [5], status=BookingStatus.CANCELLED)  # not held: not counted
    measures = [ClientsCounselled(), CounselingSessionsHeld(), *(SessionsOfKind(kind, 0) for kind in SessionKind)]
    with figures_cache(), django_assert_num_queries(MONTHS):
        clients = {d: ClientsCounselled().split(project, QUARTER, d) for d in ClientsCounselled.dimensions}
        held = {d: CounselingSessionsHeld().split(project, QUARTER, d) for d in CounselingSessionsHeld.dimensions}
        kept = [measure.value(project, QUARTER) for measure in measures]  # from the same rows
    # Alone (a "to date" over the whole history asks for nothing else) a total is one aggregate.
    with django_assert_num_queries(len(measures)):
        alone = [measure.value(project, QUARTER) for measure in measures]
    assert kept == alone
    totals, kinds = alone[:2], dict(zip(SessionKind, alone[2:], strict=True))
    assert totals == [2, 4]
    assert kinds == {
        SessionKind.EXPERIENTIAL: 4,
        SessionKind.CASE_BASED: 0,
        SessionKind.AFTERCARE: 0,
        SessionKind.HOME_VISIT: 0,
    }
    # Every month of the span is listed, an empty one too.
    assert clients[MONTH] == {"2022-04": 2, "2022-05": 0, "2022-06": 0}
    assert held[MONTH] == {"2022-04": 4, "2022-05": 0, "2022-06": 0}
    assert clients[KIND] == {SessionKind.EXPERIENTIAL: 2} and held[KIND] == {SessionKind.EXPERIENTIAL: 4}
    assert clients[AGE_BAND] == {"25_34": 1, NOT_STATED: 1} and held[AGE_BAND] == {"25_34": 3, NOT_STATED: 1}
    assert held[BENEFICIARY_MUNICIPALITY] == {pancevo.pk: 3, NOT_STATED: 1}
    assert clients[TARGET_GROUP] == {"roma": 1, NOT_STATED: 1}
