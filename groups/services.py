"""Writes for self-support groups: attendance, schedules, memberships and notes.

Every rule lives here once; views, the Wagtail admin, demo data and tests call these functions.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many
from core import dates
from core.enums import AttendanceStatus
from groups.models import Attendance, AttendanceChange, Cohort, GroupSession, Member, Membership
from groups.selectors import (
    active_memberships_active_count,
    local_date,
    membership_is_active_on,
    organisation_tz,
    session_memberships,
)
from reporting.services import period_guard

# Attendance can be taken from this long before the start (a facilitator preparing the room), not earlier.
ATTENDANCE_EARLY_WINDOW = timedelta(hours=12)
MAX_CHILDREN_PRESENT = 20
MAX_SCHEDULE_SESSIONS = 60


@dataclass(frozen=True)
class Mark:
    status: str
    children: int = 0


def attendance_record(*, session, marks: dict[int, Mark], by, request=None, now=None) -> list[Attendance]:
    """Upsert one mark per member: saving the same marks again changes nothing.

    `marks` maps member id -> Mark. Members left out keep whatever they had. Changes made after the
    session day are logged (who, when, old -> new) in AttendanceChange.
    """
    now = now or dates.now()
    if session.cancelled:
        raise ValidationError(_("This session was cancelled, so no attendance can be recorded for it."))
    if session.start - now > ATTENDANCE_EARLY_WINDOW:
        raise ValidationError(
            _("This session has not started yet. Attendance can be taken on the day; an absence can be excused.")
        )
    for mark in marks.values():
        if mark.status not in AttendanceStatus.values:
            raise ValidationError(_("Choose present, absent or excused."))
        if not 0 <= mark.children <= MAX_CHILDREN_PRESENT:
            raise ValidationError(
                _("The number of children present must be between 0 and %(max)s.") % {"max": MAX_CHILDREN_PRESENT}
            )
    if not marks:
        return []
    with transaction.atomic():
        # Serialises two facilitators saving the same session at once.
        session = GroupSession.objects.select_for_update().select_related("cohort").get(pk=session.pk)
        period_guard(project_id=session.cohort.project_id, on_date=local_date(session.start))
        memberships = {m.member_id: m for m in session_memberships(session=session)}
        if set(marks) - set(memberships):
            raise ValidationError(
                _("Attendance can only be recorded for members of this cohort on the day of the session.")
            )
        existing = {a.member_id: a for a in Attendance.objects.filter(session=session, member_id__in=list(marks))}
        after_the_day = local_date(now) > local_date(session.start)
        created, updated, changes = [], [], []
        for member_id, mark in marks.items():
            current = existing.get(member_id)
            if current is None:
                attendance = Attendance(
                    session=session,
                    member_id=member_id,
                    status=mark.status,
                    children_present=mark.children,
                    recorded_by=by,
                    recorded_at=now,
                )
                created.append(attendance)
                if after_the_day:
                    changes.append((attendance, "", None, mark))
            elif current.status != mark.status or current.children_present != mark.children:
                if after_the_day:
                    changes.append((current, current.status, current.children_present, mark))
                current.status = mark.status
                current.children_present = mark.children
                current.recorded_by = by
                current.recorded_at = now
                updated.append(current)
        if created:
            Attendance.objects.bulk_create(created)
        if updated:
            Attendance.objects.bulk_update(updated, ["status", "children_present", "recorded_by", "recorded_at"])
        if changes:
            if any(attendance.pk is None for attendance, *_rest in changes):
                # Backends that cannot return ids from a bulk insert: fetch them in one query.
                ids = dict(
                    Attendance.objects.filter(session=session, member_id__in=list(marks)).values_list("member_id", "pk")
                )
                for attendance, *_rest in changes:
                    attendance.pk = ids[attendance.member_id]
            AttendanceChange.objects.bulk_create(
                AttendanceChange(
                    attendance=attendance,
                    changed_by=by,
                    old_status=old_status,
                    new_status=mark.status,
                    old_children=old_children,
                    new_children=mark.children,
                )
                for attendance, old_status, old_children, mark in changes
            )
        touched = [memberships[a.member_id].member for a in (*created, *updated)]
        audit_record_many(
            actor=by, action=AuditAction.CHANGE, objects=touched, request=request, detail=f"attendance {session.pk}"
        )
    return created + updated


def attendance_excuse(*, session, member, by, request=None, now=None) -> Attendance:
    """Mark an absence excused ahead of a session (she told the facilitator she cannot come)."""
    now = now or dates.now()
    if session.cancelled:
        raise ValidationError(_("This session was cancelled, so no absence needs excusing."))
    if session.start <= now:
        raise ValidationError(_("This session has already started: record the attendance on the session page."))
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().select_related("cohort").get(pk=session.pk)
        membership = Membership.objects.filter(cohort=session.cohort, member=member).first()
        if membership is None or not membership_is_active_on(membership, local_date(session.start)):
            raise ValidationError(_("She is not a member of this cohort on the day of that session."))
        attendance, _created = Attendance.objects.update_or_create(
            session=session,
            member=member,
            defaults={"status": AttendanceStatus.EXCUSED, "children_present": 0, "recorded_by": by},
        )
        audit_record(actor=by, action=AuditAction.CHANGE, obj=member, request=request, detail=f"excused {session.pk}")
    return attendance


def _wall_clock(day: date, at: time) -> datetime:
    """An aware datetime for a local wall-clock time, refusing times that do not exist (spring forward)."""
    tz = organisation_tz()
    local = datetime.combine(day, at, tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist on %(date)s because the clocks change that night. Choose another time.")
            % {"time": at.strftime("%H:%M"), "date": day.isoformat()}
        )
    return local


def schedule_dates(*, first_date: date, count: int, interval_weeks: int, skip_dates=()) -> list[date]:
    """The session days: every interval_weeks from first_date; a skipped day (holiday) moves to the next slot."""
    skip = set(skip_dates)
    days, day = [], first_date
    while len(days) < count:
        if day not in skip:
            days.append(day)
        day += timedelta(weeks=interval_weeks)
    return days


def cohort_schedule_generate(
    *,
    cohort,
    first_date: date,
    start_time: time,
    duration_minutes: int,
    count: int,
    interval_weeks: int = 1,
    skip_dates=(),
    topic: str = "",
    room: str = "",
    by=None,
) -> list[GroupSession]:
    """Create `count` sessions, weekly or fortnightly, at the same local time across daylight-saving changes.

    Wall-clock times are built in the organisation's time zone and stored as aware datetimes, so 18:00
    stays 18:00 after the clocks change. Refuses (creating nothing) when any session would overlap
    another session of the cohort.
    """
    if interval_weeks not in (1, 2):
        raise ValidationError(_("Sessions can be weekly or fortnightly."))
    if not 1 <= count <= MAX_SCHEDULE_SESSIONS:
        raise ValidationError(_("A schedule has between 1 and %(max)s sessions.") % {"max": MAX_SCHEDULE_SESSIONS})
    if not 15 <= duration_minutes <= 8 * 60:
        raise ValidationError(_("A session lasts between 15 minutes and 8 hours."))
    duration = timedelta(minutes=duration_minutes)
    slots = []
    for day in schedule_dates(first_date=first_date, count=count, interval_weeks=interval_weeks, skip_dates=skip_dates):
        start = _wall_clock(day, start_time).astimezone(UTC)
        # Real elapsed time: a session crossing the clock change still lasts `duration`.
        slots.append((start, start + duration))
    if cohort.end_date and local_date(slots[-1][0]) > cohort.end_date:
        raise ValidationError(
            _("The last session (%(date)s) would be after the cohort ends (%(end)s).")
            % {"date": local_date(slots[-1][0]).isoformat(), "end": cohort.end_date.isoformat()}
        )
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        existing = list(
            GroupSession.objects.filter(
                cohort=cohort, cancelled=False, start__lt=slots[-1][1], end__gt=slots[0][0]
            ).only("start", "end")
        )
        clashes = [start for start, end in slots if any(s.start < end and start < s.end for s in existing)]
        if clashes:
            raise ValidationError(
                ngettext(
                    "%(count)s session would overlap a session this cohort already has (first on %(date)s).",
                    "%(count)s sessions would overlap sessions this cohort already has (first on %(date)s).",
                    len(clashes),
                )
                % {"count": len(clashes), "date": local_date(clashes[0]).isoformat()}
            )
        sessions = GroupSession.objects.bulk_create(
            GroupSession(cohort=cohort, start=start, end=end, topic=topic, room=room or cohort.room)
            for start, end in slots
        )
    return sessions


def member_code_new() -> str:
    return f"M-{secrets.token_hex(3).upper()}"


def member_create(*, alias: str, code: str = "", children_count=None, by=None) -> Member:
    alias = alias.strip()
    if not alias:
        raise ValidationError(_("Enter the alias or first name she chose."))
    member = Member.objects.create(alias=alias, code=code or member_code_new(), children_count=children_count)
    if by is not None:
        audit_record(actor=by, action=AuditAction.CREATE, obj=member)
    return member


def membership_capacity_check(*, cohort, joined_on: date, exclude_pk=None) -> None:
    """Raise when the cohort is already full on the day she would join."""
    if active_memberships_active_count(cohort=cohort, on=joined_on, exclude_pk=exclude_pk) >= cohort.capacity:
        raise ValidationError(
            _("This cohort is full: it has room for %(capacity)s members.") % {"capacity": cohort.capacity}
        )


def membership_add(*, cohort, member, joined_on: date, by=None) -> Membership:
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if Membership.objects.filter(cohort=cohort, member=member).exists():
            raise ValidationError(_("She is already a member of this cohort."))
        membership_capacity_check(cohort=cohort, joined_on=joined_on)
        try:
            with transaction.atomic():
                membership = Membership.objects.create(cohort=cohort, member=member, joined_on=joined_on)
        except IntegrityError as exc:
            raise ValidationError(_("She is already a member of this cohort.")) from exc
        if by is not None:
            audit_record(actor=by, action=AuditAction.CREATE, obj=member, detail=f"joined cohort {cohort.pk}")
    return membership


def membership_end(*, membership, left_on: date, outcome: str, by=None) -> Membership:
    if left_on < membership.joined_on:
        raise ValidationError(_("She cannot leave before she joined."))
    membership.left_on = left_on
    membership.outcome = outcome
    membership.save(update_fields=["left_on", "outcome"])
    if by is not None:
        audit_record(actor=by, action=AuditAction.CHANGE, obj=membership.member, detail="left cohort")
    return membership


def session_cancel(*, session, reason: str, by=None) -> GroupSession:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for cancelling the session."))
    period_guard(project_id=session.cohort.project_id, on_date=local_date(session.start))
    session.cancelled = True
    session.cancel_reason = reason
    session.sequence += 1
    session.save(update_fields=["cancelled", "cancel_reason", "sequence"])
    return session


def session_notes_save(*, session, notes: str, by, request=None) -> GroupSession:
    session.notes = notes.strip()
    session.save(update_fields=["notes"])
    audit_record(actor=by, action=AuditAction.CHANGE, obj=session, request=request, detail="session notes")
    return session
