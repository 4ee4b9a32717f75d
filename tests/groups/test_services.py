from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from core.enums import AttendanceStatus
from groups.models import Attendance, AttendanceChange, GroupSession, Member, Membership
from groups.services import (
    Mark,
    attendance_excuse,
    attendance_record,
    cohort_schedule_generate,
    member_create,
    membership_add,
)
from tests.groups.conftest import local

P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


def test_attendance_record_upserts_and_saving_again_changes_nothing(cohort, add_members, today_session, facilitator):
    first, second = add_members(cohort, 2)
    marks = {first.member_id: Mark(P, 2), second.member_id: Mark(A)}

    attendance_record(session=today_session, marks=marks, by=facilitator)
    saved_again = attendance_record(session=today_session, marks=marks, by=facilitator)

    assert saved_again == []
    assert Attendance.objects.count() == 2
    assert dict(Attendance.objects.values_list("member_id", "status")) == {first.member_id: P, second.member_id: A}
    assert Attendance.objects.get(member=first.member).children_present == 2
    assert not AttendanceChange.objects.exists()  # same day: no change log


def test_attendance_change_after_the_session_day_is_logged_with_who_and_when(
    cohort, add_members, add_session, facilitator, coordinator
):
    (membership,) = add_members(cohort, 1, joined_on=date(2026, 1, 1))
    session = add_session(cohort, local(2026, 3, 3, 18))
    attendance_record(session=session, marks={membership.member_id: Mark(A)}, by=facilitator, now=local(2026, 3, 3, 20))
    assert not AttendanceChange.objects.exists()

    attendance_record(session=session, marks={membership.member_id: Mark(E)}, by=coordinator, now=local(2026, 3, 5, 9))

    change = AttendanceChange.objects.get()
    assert (change.old_status, change.new_status, change.changed_by) == (A, E, coordinator)
    assert change.changed_at is not None
    assert Attendance.objects.get().status == E


@pytest.mark.parametrize("problem", ["cancelled", "far_future", "not_member", "left_before", "joined_after"])
def test_attendance_bad_input_is_refused_and_changes_nothing(
    problem, cohort, make_cohort, add_members, add_session, facilitator
):
    (membership,) = add_members(cohort, 1)
    now = timezone.now()
    session = add_session(cohort, now - timedelta(minutes=1))
    member_id = membership.member_id
    if problem == "cancelled":
        session.cancelled, session.cancel_reason = True, "Holiday"
        session.save()
    elif problem == "far_future":
        session = add_session(cohort, now + timedelta(days=14))
    elif problem == "not_member":
        (other,) = add_members(make_cohort(name="Other"), 1)
        member_id = other.member_id
    elif problem == "left_before":
        Membership.objects.filter(pk=membership.pk).update(left_on=timezone.localdate() - timedelta(days=3))
    elif problem == "joined_after":
        Membership.objects.filter(pk=membership.pk).update(joined_on=timezone.localdate() + timedelta(days=3))

    with pytest.raises(ValidationError):
        attendance_record(session=session, marks={member_id: Mark(P)}, by=facilitator)
    assert not Attendance.objects.exists()


def test_attendance_bad_status_and_children_are_refused(cohort, add_members, today_session, facilitator):
    (membership,) = add_members(cohort, 1)
    with pytest.raises(ValidationError):
        attendance_record(session=today_session, marks={membership.member_id: Mark("maybe")}, by=facilitator)
    with pytest.raises(ValidationError):
        attendance_record(session=today_session, marks={membership.member_id: Mark(P, 99)}, by=facilitator)
    assert not Attendance.objects.exists()


def test_attendance_record_writes_the_audit_log_without_aliases(cohort, add_members, today_session, facilitator):
    memberships = add_members(cohort, 3)
    attendance_record(session=today_session, marks={m.member_id: Mark(P) for m in memberships}, by=facilitator)
    entries = AuditEntry.objects.filter(action="change")
    assert entries.count() == 3
    assert all("Alias" not in entry.detail for entry in entries)


def test_excuse_in_advance(cohort, add_members, add_session, facilitator):
    (membership,) = add_members(cohort, 1)
    upcoming = add_session(cohort, timezone.now() + timedelta(days=7))
    attendance_excuse(session=upcoming, member=membership.member, by=facilitator)
    assert Attendance.objects.get().status == E

    past = add_session(cohort, timezone.now() - timedelta(days=7))
    with pytest.raises(ValidationError):
        attendance_excuse(session=past, member=membership.member, by=facilitator)
    assert Attendance.objects.count() == 1


def _local_times(sessions):
    return [timezone.localtime(s.start).strftime("%Y-%m-%d %H:%M") for s in sessions]


def test_schedule_weekly_keeps_local_time_across_daylight_saving_and_skips_holidays(cohort):
    # Europe/Belgrade moves the clocks on 29 March 2026; 1 April 2026 is skipped.
    sessions = cohort_schedule_generate(
        cohort=cohort,
        first_date=date(2026, 3, 18),
        start_time=time(18, 0),
        duration_minutes=90,
        count=4,
        interval_weeks=1,
        skip_dates=[date(2026, 4, 1)],
    )
    assert _local_times(sessions) == ["2026-03-18 18:00", "2026-03-25 18:00", "2026-04-08 18:00", "2026-04-15 18:00"]
    offsets = [timezone.localtime(s.start).utcoffset() for s in GroupSession.objects.order_by("start")]
    assert offsets[0] == timedelta(hours=1) and offsets[-1] == timedelta(hours=2)
    assert all(s.end - s.start == timedelta(minutes=90) for s in GroupSession.objects.all())


def test_schedule_fortnightly_across_autumn_change(cohort):
    sessions = cohort_schedule_generate(
        cohort=cohort,
        first_date=date(2026, 10, 14),
        start_time=time(17, 30),
        duration_minutes=60,
        count=3,
        interval_weeks=2,
    )
    assert _local_times(sessions) == ["2026-10-14 17:30", "2026-10-28 17:30", "2026-11-11 17:30"]


def test_schedule_refuses_a_time_the_clocks_skip(cohort):
    with pytest.raises(ValidationError):
        cohort_schedule_generate(
            cohort=cohort, first_date=date(2026, 3, 29), start_time=time(2, 30), duration_minutes=60, count=2
        )
    assert not GroupSession.objects.exists()


def test_schedule_refuses_overlapping_sessions_and_creates_none(cohort, add_session):
    add_session(cohort, local(2026, 5, 13, 18, 30))
    with pytest.raises(ValidationError, match="overlap"):
        cohort_schedule_generate(
            cohort=cohort, first_date=date(2026, 5, 6), start_time=time(18, 0), duration_minutes=90, count=4
        )
    assert GroupSession.objects.count() == 1


def test_schedule_ignores_cancelled_sessions_when_checking_overlap(cohort, add_session):
    add_session(cohort, local(2026, 5, 13, 18, 30), cancelled=True, cancel_reason="Strike")
    sessions = cohort_schedule_generate(
        cohort=cohort, first_date=date(2026, 5, 6), start_time=time(18, 0), duration_minutes=90, count=2
    )
    assert len(sessions) == 2


def test_membership_capacity_is_enforced(make_cohort, add_members):
    cohort = make_cohort(capacity=2)
    add_members(cohort, 2)
    newcomer = member_create(alias="Vesna")
    with pytest.raises(ValidationError, match="full"):
        membership_add(cohort=cohort, member=newcomer, joined_on=timezone.localdate())
    assert Membership.objects.filter(cohort=cohort).count() == 2


def test_membership_after_someone_left_fits_again(make_cohort, add_members):
    cohort = make_cohort(capacity=1)
    (old,) = add_members(cohort, 1)
    Membership.objects.filter(pk=old.pk).update(left_on=timezone.localdate() - timedelta(days=1))
    membership = membership_add(cohort=cohort, member=member_create(alias="Snežana"), joined_on=timezone.localdate())
    assert membership.pk


def test_member_create_makes_a_pseudonymous_code(db):
    member = member_create(alias="  Đurđa ")
    assert member.alias == "Đurđa"
    assert member.code.startswith("M-")
    assert Member.objects.count() == 1
