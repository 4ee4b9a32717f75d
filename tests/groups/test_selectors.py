from datetime import date, timedelta

from core.enums import AttendanceStatus
from groups.models import Attendance, Membership
from groups.selectors import cohort_attendance_grid, cohorts_for, followups_for
from tests.groups.conftest import local

P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


def _mark(session, membership, status):
    Attendance.objects.create(session=session, member=membership.member, status=status)


def test_grid_rates_ignore_sessions_before_joining_after_leaving_and_excused(make_cohort, add_members, add_session):
    cohort = make_cohort(start_date=date(2026, 3, 1))
    sessions = [add_session(cohort, local(2026, 3, 2 + 7 * n)) for n in range(4)]  # 2, 9, 16, 23 March
    (early,) = add_members(cohort, 1, joined_on=date(2026, 3, 1))
    (late,) = add_members(cohort, 1, joined_on=date(2026, 3, 10))
    Membership.objects.filter(pk=early.pk).update(left_on=date(2026, 3, 17))
    early.refresh_from_db()
    for session, status in zip(sessions[:3], [P, E, A], strict=True):
        _mark(session, early, status)
    for session, status in zip(sessions[2:], [P, A], strict=True):
        _mark(session, late, status)

    grid = cohort_attendance_grid(cohort=cohort, now=local(2026, 4, 1))

    rows = {row.membership.pk: row for row in grid.rows}
    assert (rows[early.pk].present, rows[early.pk].counted, rows[early.pk].rate) == (1, 2, 50)
    assert [c.eligible for c in rows[early.pk].cells] == [True, True, True, False]
    assert [c.eligible for c in rows[late.pk].cells] == [False, False, True, True]
    assert rows[late.pk].rate == 50
    assert grid.held_count == 4
    assert grid.rate == 50


def test_absent_from_last_two_held_sessions_is_flagged_but_cancelled_and_future_ones_do_not_count(
    cohort, add_members, add_session, facilitator
):
    first, second, third = add_members(cohort, 3, joined_on=date(2026, 9, 1))  # whatever day the suite runs on
    today = local(2026, 11, 1)
    s1 = add_session(cohort, today - timedelta(days=21))
    s2 = add_session(cohort, today - timedelta(days=14))
    add_session(cohort, today - timedelta(days=10), cancelled=True, cancel_reason="Holiday")
    s3 = add_session(cohort, today - timedelta(days=7))
    add_session(cohort, today + timedelta(days=7))
    for session in (s1, s2, s3):
        _mark(session, first, P)
    _mark(s2, second, A)
    _mark(s3, second, A)
    _mark(s2, third, A)
    _mark(s3, third, E)

    grid = cohort_attendance_grid(cohort=cohort, now=today)
    assert [row.membership for row in grid.flagged_rows] == [second]
    assert [f.membership for f in followups_for(facilitator, now=today)] == [second]


def test_member_who_left_is_not_flagged(cohort, add_members, add_session, facilitator):
    (membership,) = add_members(cohort, 1, joined_on=date(2026, 9, 1))
    today = local(2026, 11, 1)
    for days in (14, 7):
        _mark(add_session(cohort, today - timedelta(days=days)), membership, A)
    Membership.objects.filter(pk=membership.pk).update(left_on=date(2026, 10, 26))
    assert followups_for(facilitator, now=today) == []


def test_cohorts_for_scopes_to_the_facilitator(make_cohort, facilitator, make_user, coordinator, trainee):
    from accounts.enums import Role

    mine = make_cohort(facilitators=[facilitator], name="Mine")
    theirs = make_cohort(facilitators=[make_user(Role.FACILITATOR)], name="Theirs")
    assert list(cohorts_for(facilitator)) == [mine]
    assert set(cohorts_for(coordinator)) == {mine, theirs}
    assert list(cohorts_for(trainee)) == []
