"""What self-support groups count for donor reports, split by who the women are (groups/measures.py)."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation

from core.enums import AgeBand, AttendanceStatus, TargetGroup
from core.models import Municipality
from groups.measures import AccompanyingChildren, GroupAttendances, WomenInGroups
from groups.models import Attendance, GroupSession, Member, Membership
from reporting.measures import (
    AGE_BAND,
    BENEFICIARY_MUNICIPALITY,
    MONTH,
    NOT_STATED,
    TARGET_GROUP,
    figures_cache,
    month_spans,
    registry,
)
from reporting.models import DonorProject
from tests.groups.conftest import local

QUARTER = SimpleNamespace(start_date=date(2022, 4, 1), end_date=date(2022, 6, 30))
# The span's marks are grouped by a query per month of it (reporting.measures.grouped_by_month).
MONTHS = len(month_spans(QUARTER))
APRIL = [date(2022, 4, 5), date(2022, 4, 12), date(2022, 4, 19)]


@pytest.fixture
def meets(make_cohort, project):
    """meets(women, days=APRIL, status=PRESENT): a cohort of the project whose women each have that mark at
    each of its sessions."""
    counter = {"n": 0}

    def _meets(
        women, *, days=APRIL, status=AttendanceStatus.PRESENT, hour=18, minute=0, cancelled=False, project_=None
    ):
        counter["n"] += 1
        cohort = make_cohort(name=f"Cohort {counter['n']}", start_date=days[0], project=project_ or project)
        for member in women:
            Membership.objects.create(cohort=cohort, member=member, joined_on=days[0])
        for day in days:
            start = local(day.year, day.month, day.day, hour, minute)
            session = GroupSession.objects.create(
                cohort=cohort, start=start, end=start + timedelta(minutes=20), cancelled=cancelled
            )
            Attendance.objects.bulk_create(Attendance(session=session, member=m, status=status) for m in women)
        return cohort

    return _meets


@pytest.fixture
def woman(db):
    counter = {"n": 0}

    def _woman(**profile):
        counter["n"] += 1
        return Member.objects.create(alias=f"Alias {counter['n']}", code=f"W-{counter['n']}", **profile)

    return _woman


def test_women_by_age_band_count_each_woman_once_and_attendances_every_mark(project, meets, woman):
    young = [woman(age_band=AgeBand.AGE_18_24) for _ in range(2)]
    middle = woman(age_band=AgeBand.AGE_35_44)
    unstated = woman()
    meets([*young, middle, unstated])
    meets([young[0]])  # a second cohort: she is still one woman
    meets([woman(age_band=AgeBand.AGE_65_PLUS)], status=AttendanceStatus.ABSENT)  # absent: not counted

    assert WomenInGroups().split(project, QUARTER, AGE_BAND) == {"18_24": 2, "35_44": 1, NOT_STATED: 1}
    assert GroupAttendances().split(project, QUARTER, AGE_BAND) == {"18_24": 9, "35_44": 3, NOT_STATED: 3}


def test_women_by_municipality_and_by_target_group(project, meets, woman):
    novi_sad, kikinda = Municipality.objects.create(name="Novi Sad"), Municipality.objects.create(name="Kikinda")
    meets(
        [
            woman(municipality=novi_sad, target_group=TargetGroup.ROMA),
            woman(municipality=novi_sad, target_group=TargetGroup.ROMA),
            woman(municipality=kikinda, target_group=TargetGroup.RURAL),
            woman(),
        ]
    )
    assert WomenInGroups().split(project, QUARTER, BENEFICIARY_MUNICIPALITY) == {
        novi_sad.pk: 2,
        kikinda.pk: 1,
        NOT_STATED: 1,
    }
    assert WomenInGroups().split(project, QUARTER, TARGET_GROUP) == {"roma": 2, "rural": 1, NOT_STATED: 1}
    assert GroupAttendances().split(project, QUARTER, BENEFICIARY_MUNICIPALITY)[novi_sad.pk] == 6


def test_a_split_outside_the_span_or_the_project_counts_nothing(project, meets, woman, make_cohort):
    meets([woman(age_band=AgeBand.AGE_25_34)], days=[date(2022, 7, 5)])
    assert WomenInGroups().split(project, QUARTER, AGE_BAND) == {}


@pytest.mark.parametrize("dimension", [AGE_BAND, BENEFICIARY_MUNICIPALITY, TARGET_GROUP])
def test_a_split_is_a_query_per_month_and_one_whatever_the_number_of_women(
    project, meets, woman, dimension, django_assert_num_queries
):
    """The span's marks grouped (a query per month), then what the records of the women among them say."""
    places = [Municipality.objects.create(name=f"Place {n}") for n in range(3)]
    meets([woman(age_band=AgeBand.AGE_18_24, municipality=places[0])])
    with django_assert_num_queries(MONTHS + 1):
        WomenInGroups().split(project, QUARTER, dimension)
    for n in range(12):
        meets(
            [
                woman(
                    age_band=AgeBand.values[n % 6], municipality=places[n % 3], target_group=TargetGroup.values[n % 7]
                )
                for _ in range(3)
            ]
        )
    with django_assert_num_queries(MONTHS + 1):
        women = WomenInGroups().split(project, QUARTER, dimension)
    with django_assert_num_queries(MONTHS + 1):
        GroupAttendances().split(project, QUARTER, dimension)
    assert sum(women.values()) == WomenInGroups().value(project, QUARTER) == 37


def test_the_rows_are_every_choice_and_every_municipality_then_not_stated(project, django_assert_num_queries):
    Municipality.objects.create(name="Zrenjanin")
    Municipality.objects.create(name="Kikinda")
    dimensions = registry().dimensions
    ages = dimensions[AGE_BAND].rows(project, QUARTER, set())
    assert [key for key, _label in ages] == [*AgeBand.values, NOT_STATED]
    with django_assert_num_queries(1):
        places = dimensions[BENEFICIARY_MUNICIPALITY].rows(project, QUARTER, set())
    assert [label for _key, label in places] == ["Kikinda", "Zrenjanin", NOT_STATED]
    assert [key for key, _label in dimensions[TARGET_GROUP].rows(project, QUARTER, set())][-1] == NOT_STATED


def test_row_labels_are_codes_read_in_the_readers_language():
    dimensions = registry().dimensions
    assert dimensions[AGE_BAND].display("65_plus") == "65 and over"
    assert dimensions[BENEFICIARY_MUNICIPALITY].display("Kikinda") == "Kikinda"
    with translation.override("da"):
        assert dimensions[TARGET_GROUP].display(NOT_STATED) == "Ikke oplyst"
        assert dimensions[TARGET_GROUP].display("other") == "Andet"
        assert dimensions[BENEFICIARY_MUNICIPALITY].display(NOT_STATED) == "Ikke oplyst"


def test_the_group_measures_offer_the_new_dimensions():
    for measure in (WomenInGroups(), GroupAttendances()):
        assert {AGE_BAND, BENEFICIARY_MUNICIPALITY, TARGET_GROUP} <= set(measure.dimensions)


def test_a_span_is_counted_to_its_last_day(project, meets, woman):
    meets([woman(age_band=AgeBand.AGE_45_54)], days=[QUARTER.end_date])
    meets([woman(age_band=AgeBand.AGE_45_54)], days=[QUARTER.end_date + timedelta(days=1)])
    assert WomenInGroups().split(project, QUARTER, AGE_BAND) == {"45_54": 1}


def test_every_split_of_a_report_is_counted_from_one_pass(project, meets, woman, django_assert_num_queries):
    """One pass over the span's marks (a query per month), and one read of the records of the women among
    them."""
    places = [Municipality.objects.create(name=f"Place {n}") for n in range(2)]
    first = meets([woman(age_band=AgeBand.AGE_18_24, municipality=places[0]), woman(target_group=TargetGroup.ROMA)])
    second = meets([woman(municipality=places[1])], days=[date(2022, 5, 3), date(2022, 6, 7)])
    Attendance.objects.filter(session__cohort=second).update(children_present=2)
    with figures_cache(), django_assert_num_queries(MONTHS + 1):
        women = {d: WomenInGroups().split(project, QUARTER, d) for d in WomenInGroups.dimensions}
        marks = {d: GroupAttendances().split(project, QUARTER, d) for d in GroupAttendances.dimensions}
        kept = [m().value(project, QUARTER) for m in (WomenInGroups, GroupAttendances, AccompanyingChildren)]
    # Alone (a "to date" over the whole history asks for nothing else) a total is one aggregate: cheaper there
    # than the rows of every mark since the start.
    with django_assert_num_queries(3):
        totals = [m().value(project, QUARTER) for m in (WomenInGroups, GroupAttendances, AccompanyingChildren)]
    assert kept == totals and totals == [3, 8, 4]  # the totals from the splits' rows, the children's too
    assert women["cohort"] == {first.pk: 2, second.pk: 1}
    assert marks["cohort"] == {first.pk: 6, second.pk: 2}
    assert women[MONTH] == {"2022-04": 2, "2022-05": 1, "2022-06": 1}
    assert marks[MONTH] == {"2022-04": 6, "2022-05": 1, "2022-06": 1}
    assert women["group_programme"] == {first.programme_id: 3}
    assert women[BENEFICIARY_MUNICIPALITY] == {places[0].pk: 1, places[1].pk: 1, NOT_STATED: 1}
    assert marks[TARGET_GROUP] == {"roma": 3, NOT_STATED: 5}


def test_a_session_late_on_a_months_last_day_counts_in_that_month(project, meets, woman):
    her = woman()
    meets([her], days=[date(2022, 4, 30)], hour=23, minute=30)  # 21:30 UTC: still April where she met
    meets([her, woman()], days=[date(2022, 5, 1)], hour=0, minute=0)
    assert WomenInGroups().split(project, QUARTER, MONTH) == {"2022-04": 1, "2022-05": 2}
    assert GroupAttendances().split(project, QUARTER, MONTH) == {"2022-04": 1, "2022-05": 2}


def test_a_returning_woman_was_present_before_at_a_held_session_of_the_project_since_it_began(
    project, meets, woman, django_assert_num_queries
):
    july = SimpleNamespace(start_date=date(2022, 7, 1), end_date=date(2022, 9, 30))
    back, absent, cancelled, elsewhere, too_early, new, only_before = (woman() for _ in range(7))
    other = DonorProject.objects.create(
        title="Other", donor="Other donor", grant_number="G-2", start_date=date(2022, 1, 1), end_date=date(2023, 1, 1)
    )
    meets([back, only_before])
    meets([absent], status=AttendanceStatus.ABSENT)
    meets([cancelled], cancelled=True)
    meets([elsewhere], project_=other)
    meets([too_early], days=[date(2022, 3, 31)])  # the project began on 1 April
    meets([back, absent, cancelled, elsewhere, too_early, new], days=[date(2022, 7, 5), date(2022, 7, 12)])
    assert WomenInGroups().value(project, july) == 6
    # The span's marks (a query per month), their women's records, the women of earlier ones.
    with django_assert_num_queries(MONTHS + 2):
        assert WomenInGroups().returning(project, july) == 1
    with figures_cache():
        WomenInGroups().split(project, july, AGE_BAND)
        with django_assert_num_queries(1):  # the span's marks are those its splits were counted from
            assert WomenInGroups().returning(project, july) == 1


def test_the_sessions_held_and_both_their_splits_are_counted_from_one_query(
    project, meets, woman, django_assert_num_queries
):
    """Held sessions of the project's cohorts in the span, by cohort and by month (every month listed), and
    their total: the three from one query of the sessions counted by cohort and month."""
    from groups.measures import GroupSessionsHeld

    her = woman()
    first = meets([her], days=[date(2022, 4, 5), date(2022, 4, 30), date(2022, 6, 7)])
    second = meets([her], days=[date(2022, 4, 12)], hour=23, minute=30)  # still April where she met
    meets([her], days=[date(2022, 5, 3)], cancelled=True)  # not held
    meets([her], days=[date(2022, 7, 1), date(2022, 3, 31)])  # outside the quarter
    other = DonorProject.objects.create(
        title="Other", donor="Other donor", grant_number="G-2", start_date=date(2022, 1, 1), end_date=date(2023, 1, 1)
    )
    meets([her], days=[date(2022, 4, 6)], project_=other)
    measure = GroupSessionsHeld()
    with figures_cache(), django_assert_num_queries(1):
        by_cohort = measure.split(project, QUARTER, "cohort")
        by_month = measure.split(project, QUARTER, MONTH)
        total = measure.value(project, QUARTER)
    assert by_cohort == {first.pk: 3, second.pk: 1}
    assert by_month == {"2022-04": 3, "2022-05": 0, "2022-06": 1}
    assert total == 4 == measure.value(project, QUARTER)  # alone: a count of its own
