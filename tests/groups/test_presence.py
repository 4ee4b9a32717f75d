"""The women's presence by cohort and month, kept counted by the database (groups/presence.py).

After every kind of change, through every door (a model's save, a queryset's update, bulk_create, raw SQL),
the kept counts are what counting the marks again gives, in the organisation's calendar months.
"""

from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from core.enums import AttendanceStatus
from groups.measures import _grouped_marks, marks
from groups.models import Attendance, GroupSession, Member, Membership, MonthlyPresence
from groups.presence import presence_rebuild, presence_triggers_found, presence_triggers_remove
from groups.triggers import install_after_migrate
from reporting.measures import MONTH, figures_cache
from reporting.models import DonorProject
from tests.groups.conftest import local

PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


def _counted_again() -> dict:
    """{(month, cohort, woman): (times present, children, times marked)} counted from the marks of held
    sessions, month by local day."""
    zone = ZoneInfo(settings.TIME_ZONE)
    present, children, marked = Counter(), Counter(), Counter()
    for mark in Attendance.objects.filter(session__cancelled=False).select_related("session"):
        key = (mark.session.start.astimezone(zone).strftime("%Y-%m"), mark.session.cohort_id, mark.member_id)
        marked[key] += 1
        if mark.status == PRESENT:
            present[key] += 1
            children[key] += mark.children_present
    return {key: (present[key], children[key], marked[key]) for key in marked}


def _kept() -> dict:
    rows = MonthlyPresence.objects.filter(marked__gt=0)
    return {(r.month, r.cohort_id, r.member_id): (r.present, r.children, r.marked) for r in rows}


def _assert_kept():
    counted = _counted_again()
    assert counted, "the test counts something"
    assert _kept() == counted


@pytest.fixture
def world(make_cohort, project):
    """Two cohorts of the project, three women in each from January, sessions in February and March."""
    cohorts = [make_cohort(name=f"Cohort {n}", start_date=date(2027, 1, 1), project=project) for n in (1, 2)]
    women = [Member.objects.create(alias=f"Alias {n}", code=f"W-{n}") for n in range(6)]
    for index, member in enumerate(women):
        Membership.objects.create(cohort=cohorts[index % 2], member=member, joined_on=date(2027, 1, 1))
    sessions = []
    for cohort in cohorts:
        for day in (date(2027, 2, 10), date(2027, 2, 17), date(2027, 3, 3)):
            start = local(day.year, day.month, day.day, 18)
            sessions.append(GroupSession.objects.create(cohort=cohort, start=start, end=start + timedelta(hours=1)))
    return SimpleNamespace(cohorts=cohorts, women=women, sessions=sessions)


def _mark(session, member, status=PRESENT, children=0):
    return Attendance.objects.create(session=session, member=member, status=status, children_present=children)


def test_marks_saved_one_by_one_and_in_bulk_are_counted_present_or_not(world):
    cohort_one = world.sessions[:3]
    _mark(cohort_one[0], world.women[0], children=2)
    _mark(cohort_one[0], world.women[2], status=ABSENT)
    Attendance.objects.bulk_create(
        Attendance(session=session, member=world.women[2], status=PRESENT, children_present=1)
        for session in cohort_one[1:]
    )
    _assert_kept()
    assert _kept()[("2027-02", world.cohorts[0].pk, world.women[2].pk)] == (1, 1, 2)
    assert _kept()[("2027-03", world.cohorts[0].pk, world.women[2].pk)] == (1, 1, 1)


def test_a_mark_changed_by_save_by_update_and_by_raw_sql_moves_its_count(world):
    first = _mark(world.sessions[0], world.women[0], children=1)
    second = _mark(world.sessions[1], world.women[0])
    _mark(world.sessions[2], world.women[4], status=ABSENT)
    first.status = ABSENT
    first.save()
    _assert_kept()
    Attendance.objects.filter(pk=first.pk).update(status=PRESENT, children_present=3)
    _assert_kept()
    assert _kept()[("2027-02", world.cohorts[0].pk, world.women[0].pk)] == (2, 3, 2)
    Attendance.objects.filter(member=world.women[4]).update(status=PRESENT)
    _assert_kept()
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "groups_attendance" SET "member_id" = %s WHERE "id" = %s', [world.women[2].pk, second.pk]
        )
    _assert_kept()
    # Nothing counted is left where the mark was: the row of a woman whose marks went is not read.
    assert _kept()[("2027-02", world.cohorts[0].pk, world.women[0].pk)] == (1, 3, 1)


def test_a_session_moved_cancelled_or_given_to_another_cohort_moves_its_marks(world):
    february, _later, march = world.sessions[:3]
    for session in world.sessions[:3]:
        _mark(session, world.women[0], children=1)
        _mark(session, world.women[2])
        _mark(session, world.women[4], status=ABSENT, children=1)
    february.start, february.end = local(2027, 3, 24, 18), local(2027, 3, 24, 19)
    february.save()
    _assert_kept()
    assert _kept()[("2027-03", world.cohorts[0].pk, world.women[0].pk)] == (2, 2, 2)
    assert _kept()[("2027-03", world.cohorts[0].pk, world.women[4].pk)] == (0, 0, 2)
    GroupSession.objects.filter(pk=march.pk).update(cancelled=True)
    _assert_kept()
    assert _kept()[("2027-03", world.cohorts[0].pk, world.women[0].pk)] == (1, 1, 1)
    GroupSession.objects.filter(pk=march.pk).update(cancelled=False, cohort=world.cohorts[1])
    _assert_kept()
    assert _kept()[("2027-03", world.cohorts[1].pk, world.women[2].pk)] == (1, 0, 1)


@pytest.mark.parametrize(
    ("start", "month"),
    [
        # Half past midnight on the 1st, local time: still the last day of the month before in UTC.
        ((2027, 3, 1, 0, 30), "2027-03"),
        # The night the clocks go forward, and a leap day's evening.
        ((2027, 3, 28, 3, 30), "2027-03"),
        ((2028, 2, 29, 23, 30), "2028-02"),
        ((2027, 10, 31, 23, 59), "2027-10"),
    ],
)
def test_a_mark_counts_in_the_organisations_month_of_its_session(world, start, month):
    session = world.sessions[0]
    GroupSession.objects.filter(pk=session.pk).update(start=local(*start), end=local(*start) + timedelta(minutes=20))
    _mark(session, world.women[0])
    _assert_kept()
    assert set(_kept()) == {(month, world.cohorts[0].pk, world.women[0].pk)}


def test_the_counts_are_made_again_from_the_marks_after_a_migrate(world):
    _mark(world.sessions[0], world.women[0], children=2)
    _mark(world.sessions[3], world.women[1])
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "groups_monthlypresence" SET "present" = 7')
        cursor.execute('DELETE FROM "groups_monthlypresence" WHERE "member_id" = %s', [world.women[1].pk])
    presence_rebuild()
    _assert_kept()
    # The triggers are in place after it: a new mark counts.
    _mark(world.sessions[1], world.women[0])
    _assert_kept()


def test_a_migrate_that_finds_a_trigger_missing_counts_the_marks_again_and_one_finding_all_rewrites_nothing(world):
    _mark(world.sessions[0], world.women[0])
    # A migration that rebuilt the marks' table on SQLite dropped its triggers: a mark written then is missed.
    presence_triggers_remove()
    assert not presence_triggers_found()
    _mark(world.sessions[1], world.women[0], children=1)
    assert _kept() != _counted_again()
    install_after_migrate(sender=None)
    assert presence_triggers_found()
    _assert_kept()
    # With every trigger found, the counts are right already and the table is not written again.
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "groups_monthlypresence" SET "present" = 7')
    install_after_migrate(sender=None)
    assert {present for present, _children, _marked in _kept().values()} == {7}


def test_the_application_cannot_write_the_counts(world):
    _mark(world.sessions[0], world.women[0])
    row = MonthlyPresence.objects.get()
    fields = {"month": "2027-02", "cohort": world.cohorts[0], "member": world.women[0]}
    for attempt in (
        lambda: MonthlyPresence.objects.create(**fields),
        lambda: MonthlyPresence.objects.bulk_create([MonthlyPresence(**fields)]),
        lambda: MonthlyPresence.objects.update(present=5),
        lambda: MonthlyPresence.objects.all().delete(),
        row.save,
        row.delete,
    ):
        with pytest.raises(TypeError, match="triggers only"):
            attempt()
    _assert_kept()


def _sorted(rows):
    return sorted((row[MONTH], row["session__cohort_id"], row["member_id"], row["n"], row["children"]) for row in rows)


def test_a_reports_rows_read_from_the_counts_are_those_of_its_marks_and_a_cut_month_is_read_from_its_marks(
    world, project, django_assert_num_queries
):
    for index, session in enumerate(world.sessions):
        for member in world.women[index % 2 :: 2]:
            _mark(session, member, children=index)
    whole = SimpleNamespace(start_date=date(2027, 2, 1), end_date=date(2027, 3, 31))
    cut = SimpleNamespace(start_date=date(2027, 2, 15), end_date=date(2027, 3, 31))
    with figures_cache():
        assert _sorted(marks(project, whole)) == _sorted(_grouped_marks(project, whole))
    with figures_cache():
        found = marks(project, cut)
    assert _sorted(found) == _sorted(_grouped_marks(project, cut))
    assert {row[MONTH] for row in found} == {"2027-02", "2027-03"}
    # Another project's cohorts are not read.
    other = DonorProject.objects.create(
        title="Other", donor="Ministry", grant_number="G-2", start_date=date(2027, 1, 1), end_date=date(2028, 1, 1)
    )
    with figures_cache():
        assert marks(other, whole) == []


def test_the_attendance_rate_counts_a_whole_months_marks_from_the_counts_and_a_cut_months_from_its_marks(
    world, project
):
    from groups.measures import AttendanceRate

    for index, session in enumerate(world.sessions):
        for member in world.women[index % 2 :: 2]:
            _mark(session, member, status=PRESENT if member.pk % 3 else ABSENT, children=1)
    GroupSession.objects.filter(pk=world.sessions[1].pk).update(cancelled=True)  # its marks count nowhere
    whole = SimpleNamespace(start_date=date(2027, 2, 1), end_date=date(2027, 3, 31))
    cut = SimpleNamespace(start_date=date(2027, 2, 15), end_date=date(2027, 3, 31))

    def rate_parts(span):
        """(as a report counts them, after its splits; from the marks alone)"""
        with figures_cache():
            marks(project, span)
            kept = AttendanceRate().parts(project, span)
        return kept, AttendanceRate().parts(project, span)

    for span in (whole, cut):
        kept, counted = rate_parts(span)
        assert kept == counted
    assert rate_parts(whole)[0]["marked"] == Attendance.objects.filter(session__cancelled=False).count() == 15
    assert rate_parts(cut)[0]["marked"] == 9  # the sessions of 10 February are before it
    # Read from the counts where the span holds the month whole, from the marks where it cuts it.
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "groups_monthlypresence" SET "marked" = "marked" + 100 WHERE "month" = %s', ["2027-02"])
    february_rows = MonthlyPresence.objects.filter(month="2027-02", marked__gt=0).count()
    assert rate_parts(whole)[0]["marked"] == 15 + 100 * february_rows
    assert rate_parts(cut)[0]["marked"] == 9  # February is cut: its marks, not its counts
