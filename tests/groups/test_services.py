from datetime import UTC, date, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats

from audit.models import AuditEntry
from core import dates
from core.enums import AttendanceStatus
from groups.enums import FollowUpStep
from groups.models import Attendance, AttendanceChange, FollowUpAction, GroupSession, Member, Membership
from groups.selectors import followups_for
from groups.services import (
    Mark,
    Outcome,
    attendance_closed_reason,
    attendance_excuse,
    attendance_record,
    attendance_record_from_device,
    cohort_schedule_generate,
    followup_step_record,
    member_create,
    membership_add,
    membership_delete,
    membership_end,
    membership_update,
    session_cancel,
    session_delete,
    session_update,
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
    # Each first mark is in the change log once; saving the same marks again adds nothing.
    assert AttendanceChange.objects.count() == 2
    assert set(AttendanceChange.objects.values_list("old_status", "new_status", "changed_by")) == {
        ("", P, facilitator.pk),
        ("", A, facilitator.pk),
    }


def test_a_change_after_the_session_day_is_logged_with_who_and_both_times(
    cohort, add_members, add_session, facilitator, coordinator
):
    (membership,) = add_members(cohort, 1, joined_on=date(2026, 1, 1))
    session = add_session(cohort, local(2026, 3, 3, 18))
    attendance_record(session=session, marks={membership.member_id: Mark(A)}, by=facilitator, now=local(2026, 3, 3, 20))
    corrected_at = local(2026, 3, 5, 9)
    attendance_record(session=session, marks={membership.member_id: Mark(E)}, by=coordinator, now=corrected_at)

    change = AttendanceChange.objects.get(old_status=A)
    assert (change.new_status, change.changed_by) == (E, coordinator)
    assert change.marked_at == change.changed_at == corrected_at
    assert Attendance.objects.get().status == E


@pytest.mark.parametrize("problem", ["cancelled", "far_future", "not_member", "left_before", "joined_after"])
def test_attendance_bad_input_is_refused_and_changes_nothing(
    problem, cohort, make_cohort, add_members, add_session, facilitator
):
    (membership,) = add_members(cohort, 1)
    now = dates.now()
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
        Membership.objects.filter(pk=membership.pk).update(left_on=dates.today() - timedelta(days=3))
    elif problem == "joined_after":
        Membership.objects.filter(pk=membership.pk).update(joined_on=dates.today() + timedelta(days=3))

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
    entries = list(AuditEntry.objects.filter(action="change"))
    assert entries
    assert all("Alias" not in entry.detail and "Alias" not in entry.object_id for entry in entries)


def test_excuse_in_advance_is_recorded_in_the_change_log(cohort, add_members, add_session, facilitator):
    (membership,) = add_members(cohort, 1)
    upcoming = add_session(cohort, dates.now() + timedelta(days=7))
    attendance_excuse(session=upcoming, member=membership.member, by=facilitator)
    assert Attendance.objects.get().status == E
    assert AttendanceChange.objects.get().new_status == E

    past = add_session(cohort, dates.now() - timedelta(days=7))
    with pytest.raises(ValidationError):
        attendance_excuse(session=past, member=membership.member, by=facilitator)
    assert Attendance.objects.count() == 1


# The attendance window on awkward days: a session's marks open 12 hours before it starts.


@pytest.mark.parametrize(
    "start",
    [
        local(2028, 2, 29, 18),  # leap day
        local(2027, 1, 31, 18),  # month end
        local(2026, 3, 29, 10),  # the morning after the clocks went forward
        local(2026, 10, 25, 10),  # the morning after the clocks went back
    ],
    ids=["29-february", "31-january", "spring-forward", "fall-back"],
)
def test_the_attendance_window_opens_12_hours_before_on_awkward_days(start, clock, cohort, add_members, add_session):
    add_members(cohort, 1, joined_on=date(2026, 1, 1))
    session = add_session(cohort, start)
    start = start.astimezone(UTC)  # real elapsed time: across a clock change, not wall-clock arithmetic
    clock(start - timedelta(hours=12, minutes=1), tick=False)
    assert "has not started yet" in attendance_closed_reason(session=session)
    clock(start - timedelta(hours=11, minutes=59), tick=False)
    assert attendance_closed_reason(session=session) == ""


def _local_times(sessions):
    return [dates.local_time(s.start).strftime("%Y-%m-%d %H:%M") for s in sessions]


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
    offsets = [dates.local_time(s.start).utcoffset() for s in GroupSession.objects.order_by("start")]
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


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (date(2028, 2, 29), ["2028-02-29 18:00", "2028-03-07 18:00", "2028-03-14 18:00"]),
        (date(2027, 1, 31), ["2027-01-31 18:00", "2027-02-07 18:00", "2027-02-14 18:00"]),
        (date(2026, 12, 31), ["2026-12-31 18:00", "2027-01-07 18:00", "2027-01-14 18:00"]),
    ],
    ids=["29-february", "31-january", "new-years-eve"],
)
def test_schedule_from_a_month_end_or_leap_day(first, expected, clock, cohort):
    clock(first - timedelta(days=1))
    sessions = cohort_schedule_generate(
        cohort=cohort, first_date=first, start_time=time(18, 0), duration_minutes=90, count=3
    )
    assert _local_times(sessions) == expected


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


# Memberships


def test_membership_capacity_is_enforced(make_cohort, add_members):
    cohort = make_cohort(capacity=2)
    add_members(cohort, 2)
    newcomer = member_create(alias="Vesna")
    with pytest.raises(ValidationError, match="full"):
        membership_add(cohort=cohort, member=newcomer, joined_on=dates.today())
    assert Membership.objects.filter(cohort=cohort).count() == 2


def test_membership_after_someone_left_fits_again(make_cohort, add_members):
    cohort = make_cohort(capacity=1)
    (old,) = add_members(cohort, 1)
    Membership.objects.filter(pk=old.pk).update(left_on=dates.today() - timedelta(days=1))
    membership = membership_add(cohort=cohort, member=member_create(alias="Snežana"), joined_on=dates.today())
    assert membership.pk


def test_member_create_makes_a_pseudonymous_code(db):
    member = member_create(alias="  Đurđa ")
    assert member.alias == "Đurđa"
    assert member.code.startswith("M-")
    assert Member.objects.count() == 1


@pytest.fixture
def six_marks(cohort, add_members, add_session, facilitator):
    """A member with six weekly marks, the last one on 9 March 2026 (the grid of the issue: 6 present)."""
    (membership,) = add_members(cohort, 1, joined_on=date(2026, 1, 1))
    for week in range(6):
        session = add_session(cohort, local(2026, 2, 2, 18) + timedelta(weeks=week))
        Attendance.objects.create(session=session, member=membership.member, status=P)
    return membership


def test_ending_a_membership_before_her_last_mark_is_refused(six_marks, facilitator):
    with pytest.raises(ValidationError, match="attendance marked on") as refused:
        membership_end(membership=six_marks, left_on=date(2026, 2, 10), outcome="left_early", by=facilitator)
    assert formats.date_format(date(2026, 3, 9), "SHORT_DATE_FORMAT") in refused.value.messages[0]
    six_marks.refresh_from_db()
    assert six_marks.left_on is None

    membership_end(membership=six_marks, left_on=date(2026, 3, 9), outcome="completed", by=facilitator)
    six_marks.refresh_from_db()
    assert six_marks.left_on == date(2026, 3, 9)


def test_moving_the_join_date_after_her_first_mark_is_refused(six_marks):
    with pytest.raises(ValidationError, match="cannot have joined after"):
        membership_update(membership=six_marks, joined_on=date(2026, 2, 3), left_on=None)
    six_marks.refresh_from_db()
    assert six_marks.joined_on == date(2026, 1, 1)


def test_a_membership_with_marks_cannot_be_deleted(six_marks):
    with pytest.raises(ValidationError, match="End it instead"):
        membership_delete(membership=six_marks)
    assert Membership.objects.filter(pk=six_marks.pk).exists()


def test_a_mark_late_on_the_last_day_counts_as_that_day(cohort, add_members, add_session):
    # 23:30 on 29 February 2028 in Belgrade is already 1 March in UTC: the local day decides.
    (membership,) = add_members(cohort, 1, joined_on=date(2028, 1, 1))
    session = add_session(cohort, local(2028, 2, 29, 23, 30), minutes=20)
    Attendance.objects.create(session=session, member=membership.member, status=P)
    membership_end(membership=membership, left_on=date(2028, 2, 29), outcome="completed")
    with pytest.raises(ValidationError):
        membership_end(membership=membership, left_on=date(2028, 2, 28), outcome="completed")


# Sessions: moving, cancelling, deleting


def _session_values(session, **changes):
    values = {
        "start": session.start,
        "end": session.end,
        "topic": session.topic,
        "room": session.room,
        "cancelled": session.cancelled,
        "cancel_reason": session.cancel_reason,
    }
    return {**values, **changes}


def test_moving_a_session_bumps_its_sequence_and_tells_the_other_facilitators(
    cohort, make_user, add_session, facilitator, coordinator, django_capture_on_commit_callbacks
):
    from accounts.enums import Role

    colleague = make_user(Role.FACILITATOR)
    cohort.facilitators.add(colleague)
    session = add_session(cohort, dates.now() + timedelta(days=3))
    moved = session.start + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        session_update(
            session=session, by=facilitator, **_session_values(session, start=moved, end=moved + timedelta(hours=1))
        )

    session.refresh_from_db()
    assert session.sequence == 1 and session.start == moved
    assert [m.to for m in mail.outbox] == [[colleague.email]]  # not the person who moved it
    assert "moved" in mail.outbox[0].subject
    assert cohort.name in mail.outbox[0].body


def test_cancelling_tells_the_facilitators_without_the_reason(
    cohort, add_session, coordinator, facilitator, django_capture_on_commit_callbacks
):
    session = add_session(cohort, dates.now() + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, reason="She is in hospital", by=coordinator)
    session.refresh_from_db()
    assert session.cancelled and session.sequence == 1
    assert [m.to for m in mail.outbox] == [[facilitator.email]]
    assert "hospital" not in mail.outbox[0].body and "hospital" not in mail.outbox[0].subject

    # Taking it back is a change too.
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, by=coordinator, **_session_values(session, cancelled=False, cancel_reason=""))
    session.refresh_from_db()
    assert not session.cancelled and session.sequence == 2
    assert len(mail.outbox) == 2


def test_a_session_with_marks_cannot_be_cancelled_moved_to_another_day_or_deleted(
    cohort, add_members, today_session, facilitator
):
    (membership,) = add_members(cohort, 1)
    attendance_record(session=today_session, marks={membership.member_id: Mark(P)}, by=facilitator)
    with pytest.raises(ValidationError, match="took place"):
        session_cancel(session=today_session, reason="Oops", by=facilitator)
    with pytest.raises(ValidationError, match="another day"):
        session_update(
            session=today_session,
            by=facilitator,
            **_session_values(
                today_session, start=today_session.start - timedelta(days=1), end=today_session.end - timedelta(days=1)
            ),
        )
    with pytest.raises(ValidationError, match="Cancel it instead"):
        session_delete(session=today_session, by=facilitator)
    today_session.refresh_from_db()
    assert not today_session.cancelled and today_session.sequence == 0


def test_an_empty_future_session_can_be_deleted(
    cohort, add_session, coordinator, facilitator, django_capture_on_commit_callbacks
):
    session = add_session(cohort, dates.now() + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        session_delete(session=session, by=coordinator)
    assert not GroupSession.objects.filter(pk=session.pk).exists()
    assert [m.to for m in mail.outbox] == [[facilitator.email]]


# Marks kept on a phone while offline


def test_device_marks_are_applied_once_with_both_times_in_the_change_log(
    cohort, add_members, today_session, facilitator
):
    memberships = add_members(cohort, 3)
    marked = dates.now() - timedelta(seconds=40)
    marks = {m.member_id: Mark(P, client_id=f"phone-mark-{n:04d}", marked_at=marked) for n, m in enumerate(memberships)}
    first = attendance_record_from_device(session=today_session, marks=marks, by=facilitator)
    again = attendance_record_from_device(session=today_session, marks=marks, by=facilitator)

    assert {o.outcome for o in first} == {Outcome.SAVED}
    assert {o.outcome for o in again} == {Outcome.ALREADY}
    assert Attendance.objects.filter(status=P).count() == 3
    changes = list(AttendanceChange.objects.all())
    assert len(changes) == 3
    assert {c.client_id for c in changes} == {f"phone-mark-{n:04d}" for n in range(3)}
    assert all(c.marked_at == marked and c.changed_at > marked for c in changes)


def test_a_later_change_by_someone_else_wins_and_both_are_in_the_change_log(
    cohort, add_members, today_session, facilitator, coordinator
):
    (membership,) = add_members(cohort, 1)
    her_mark_at = dates.now() - timedelta(seconds=60)
    # Meanwhile, with her phone offline, the coordinator marks the same member.
    attendance_record(session=today_session, marks={membership.member_id: Mark(E)}, by=coordinator)

    (outcome,) = attendance_record_from_device(
        session=today_session,
        marks={membership.member_id: Mark(A, client_id="offline-mark-0001", marked_at=her_mark_at, seen=None)},
        by=facilitator,
    )

    assert (outcome.outcome, outcome.changed_by_someone_else, outcome.status) == (Outcome.SUPERSEDED, True, E)
    assert Attendance.objects.get().status == E
    hers = AttendanceChange.objects.get(client_id="offline-mark-0001")
    assert (hers.applied, hers.new_status, hers.changed_by) == (False, A, facilitator)
    assert AttendanceChange.objects.filter(applied=True, new_status=E, changed_by=coordinator).exists()


def test_her_later_mark_replaces_an_earlier_change_by_someone_else_and_she_is_told(
    cohort, add_members, today_session, facilitator, coordinator
):
    (membership,) = add_members(cohort, 1)
    attendance_record(session=today_session, marks={membership.member_id: Mark(E)}, by=coordinator)
    her_mark_at = dates.now() + timedelta(seconds=1)  # after the coordinator's, before it was received

    (outcome,) = attendance_record_from_device(
        session=today_session,
        marks={membership.member_id: Mark(A, client_id="offline-mark-0002", marked_at=her_mark_at, seen=None)},
        by=facilitator,
        now=her_mark_at + timedelta(minutes=5),
    )

    assert (outcome.outcome, outcome.changed_by_someone_else) == (Outcome.SAVED, True)
    assert Attendance.objects.get().status == A
    assert AttendanceChange.objects.filter(applied=True).count() == 2


def test_an_older_mark_from_her_phone_does_not_undo_her_own_later_mark(cohort, add_members, today_session, facilitator):
    (membership,) = add_members(cohort, 1)
    phone_mark_at = dates.now() - timedelta(minutes=10)
    # The phone's first send was saved but its answer was lost ...
    attendance_record_from_device(
        session=today_session,
        marks={membership.member_id: Mark(P, client_id="offline-mark-0010", marked_at=phone_mark_at, seen=None)},
        by=facilitator,
    )
    # ... she then changes the mark on the page, and the phone, which never heard back, sends a mark of hers
    # made before that change (a new id: the same tap saved again on the phone).
    attendance_record(session=today_session, marks={membership.member_id: Mark(A)}, by=facilitator)
    (outcome,) = attendance_record_from_device(
        session=today_session,
        marks={membership.member_id: Mark(E, client_id="offline-mark-0011", marked_at=phone_mark_at, seen=None)},
        by=facilitator,
    )

    assert (outcome.outcome, outcome.changed_by_someone_else, outcome.status) == (Outcome.SUPERSEDED, False, A)
    assert Attendance.objects.get().status == A
    assert AttendanceChange.objects.get(client_id="offline-mark-0011").applied is False


def test_device_marks_for_a_session_cancelled_meanwhile_are_refused_not_retried(
    cohort, add_members, add_session, facilitator
):
    (membership,) = add_members(cohort, 1)
    session = add_session(cohort, dates.now() - timedelta(minutes=30))
    GroupSession.objects.filter(pk=session.pk).update(cancelled=True, cancel_reason="Snow")
    session.refresh_from_db()
    (outcome,) = attendance_record_from_device(
        session=session,
        marks={membership.member_id: Mark(P, client_id="offline-mark-0003", marked_at=dates.now())},
        by=facilitator,
    )
    assert outcome.outcome == Outcome.REFUSED and "cancelled" in outcome.message
    assert not Attendance.objects.exists()


def test_device_marks_older_than_seven_days_are_refused(cohort, add_members, add_session, facilitator):
    (membership,) = add_members(cohort, 1)
    session = add_session(cohort, dates.now() - timedelta(days=9))
    (outcome,) = attendance_record_from_device(
        session=session,
        marks={membership.member_id: Mark(P, client_id="offline-mark-0004", marked_at=session.start)},
        by=facilitator,
    )
    assert outcome.outcome == Outcome.REFUSED and "seven days" in outcome.message


def test_a_phone_clock_ahead_of_time_cannot_make_a_mark_later_than_its_arrival(
    cohort, add_members, today_session, facilitator
):
    (membership,) = add_members(cohort, 1)
    attendance_record_from_device(
        session=today_session,
        marks={membership.member_id: Mark(P, client_id="offline-mark-0005", marked_at=dates.now() + timedelta(days=2))},
        by=facilitator,
    )
    change = AttendanceChange.objects.get()
    assert change.marked_at <= change.changed_at


def test_device_marks_need_the_rule_of_the_cohort(cohort, add_members, today_session, make_user):
    from accounts.enums import Role

    (membership,) = add_members(cohort, 1)
    stranger = make_user(Role.FACILITATOR)
    with pytest.raises(PermissionDenied):
        attendance_record_from_device(
            session=today_session,
            marks={membership.member_id: Mark(P, client_id="offline-mark-0006", marked_at=dates.now())},
            by=stranger,
        )


# Follow-ups


def test_a_flag_is_contacted_then_resolved(cohort, add_members, add_session, facilitator):
    (membership,) = add_members(cohort, 1)
    sessions = [add_session(cohort, dates.now() - timedelta(days=days)) for days in (14, 7)]
    for session in sessions:
        Attendance.objects.create(session=session, member=membership.member, status=A)
    (flag,) = followups_for(facilitator)
    assert flag.session == sessions[-1] and flag.contacted is None

    followup_step_record(
        membership=membership, absence_session=flag.session, step=FollowUpStep.CONTACTED, by=facilitator
    )
    (flag,) = followups_for(facilitator)
    assert flag.contacted.by == facilitator

    followup_step_record(
        membership=membership, absence_session=flag.session, step=FollowUpStep.RESOLVED, by=facilitator
    )
    assert followups_for(facilitator) == []
    assert FollowUpAction.objects.count() == 2


def test_a_follow_up_step_needs_an_absence_at_that_session(cohort, add_members, today_session, facilitator):
    (membership,) = add_members(cohort, 1)
    Attendance.objects.create(session=today_session, member=membership.member, status=P)
    with pytest.raises(ValidationError):
        followup_step_record(
            membership=membership, absence_session=today_session, step=FollowUpStep.CONTACTED, by=facilitator
        )
