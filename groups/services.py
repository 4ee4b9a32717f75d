"""Writes for self-support groups: attendance, schedules, sessions, cohorts, members, memberships, follow-ups.

Every rule lives here once; the pages, the Wagtail admin, a phone sending marks it kept offline, demo data
and tests all call these functions. Below them the models and the database refuse what these refuse
(groups/models.py, groups/triggers.py), so a shell or a queryset update meets the same rules.
"""

import secrets
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many
from core import dates
from core.attendance import (
    Mark,
    Outcome,
    SavedMark,
    device_marked_at,
    device_marks_age_check,
    device_marks_apply,
    mark_decide,
)
from core.dates import local_date
from core.enums import AgeBand, AttendanceStatus, TargetGroup
from groups.enums import FollowUpStep
from groups.models import (
    Attendance,
    AttendanceChange,
    Cohort,
    FollowUpAction,
    GroupSession,
    Member,
    Membership,
    membership_dates_problem,
    membership_marks,
)
from groups.selectors import (
    active_memberships_active_count,
    membership_is_active_on,
    session_memberships,
)
from reporting.locks import lock_refused, period_guard, period_lock_words

# Attendance can be taken from this long before the start (a facilitator preparing the room), not earlier.
ATTENDANCE_EARLY_WINDOW = timedelta(hours=12)
MAX_CHILDREN_PRESENT = 20
MAX_SCHEDULE_SESSIONS = 60


def _marks_check(marks) -> None:
    for mark in marks.values():
        if mark.status not in AttendanceStatus.values:
            raise ValidationError(_("Choose present, absent or excused."))
        if not 0 <= mark.children <= MAX_CHILDREN_PRESENT:
            raise ValidationError(
                _("The number of children present must be between 0 and %(max)s.") % {"max": MAX_CHILDREN_PRESENT}
            )


def attendance_closed_reason(*, session, now=None) -> str:
    """Why marks cannot be saved for this session now, or "" when they can: the attendance screen shows the
    reason and a read-only list instead of a form, and the service refuses with the same words."""
    now = now or dates.now()
    if session.cancelled:
        return _("This session was cancelled, so no attendance can be recorded for it.")
    if session.start - now > ATTENDANCE_EARLY_WINDOW:
        return _(
            "This session has not started yet. Attendance can be taken from %(time)s on the day; "
            "an absence can be excused on the cohort page."
        ) % {"time": formats.date_format(dates.local_time(session.start - ATTENDANCE_EARLY_WINDOW), "DATETIME_FORMAT")}
    try:
        period_guard(project_id=session.cohort.project_id, on_date=local_date(session.start))
    except ValidationError as refusal:
        return " ".join(refusal.messages)
    return ""


def attendance_record(*, session, marks: dict[int, Mark], by, request=None, now=None) -> list[Attendance]:
    """Upsert one mark per member: saving the same marks again changes nothing.

    `marks` maps member id -> Mark. Members left out keep whatever they had. Every change is written to
    the change log by the database (groups/triggers.py): who, marked when, received when, old -> new.
    """
    outcomes, changed = _attendance_apply(session=session, marks=marks, by=by, request=request, now=now)
    return changed


def attendance_record_from_device(*, session, marks: dict[int, Mark], by, request=None, now=None):
    """Marks her phone kept while offline, sent when the connection came back: a list of DeviceOutcome.

    Each mark carries the phone's id for it, so a mark sent twice is applied once. The later of two marks
    wins and both stay in the change log; when the other was someone else's change after her screen showed
    it, the outcome says so, and she is told. A refusal (the session was cancelled meanwhile, its period was locked)
    comes back as a refused outcome for each mark, never as an error, so her phone does not retry forever.
    """
    now = now or dates.now()
    if not by.has_perm("groups.record_attendance_cohort", session.cohort):
        raise PermissionDenied
    return device_marks_apply(
        marks=marks, apply=lambda: _attendance_apply(session=session, marks=marks, by=by, request=request, now=now)[0]
    )


def _attendance_apply(*, session, marks, by, request=None, now=None):
    now = now or dates.now()
    _marks_check(marks)
    if not marks:
        return [], []

    def guard():
        period_guard(project_id=session.cohort.project_id, on_date=local_date(session.start))

    with period_lock_words(guard), transaction.atomic():
        # Serialises two people saving the same session at once.
        session = GroupSession.objects.select_for_update().select_related("cohort").get(pk=session.pk)
        reason = attendance_closed_reason(session=session, now=now)
        if reason:
            raise ValidationError(reason)
        memberships = {m.member_id: m for m in session_memberships(session=session)}
        if set(marks) - set(memberships):
            raise ValidationError(
                _("Attendance can only be recorded for members of this cohort on the day of the session.")
            )
        device_marks_age_check(marks, now=now)
        existing = {a.member_id: a for a in Attendance.objects.filter(session=session, member_id__in=list(marks))}
        client_ids = [m.client_id for m in marks.values() if m.client_id]
        received_before = set(
            AttendanceChange.objects.filter(client_id__in=client_ids).values_list("client_id", flat=True)
        )
        opens_at = session.start - ATTENDANCE_EARLY_WINDOW
        created, updated, superseded, outcomes = [], [], [], []
        for member_id, mark in marks.items():
            current = existing.get(member_id)
            marked_at = device_marked_at(mark, opens_at=opens_at, now=now) if mark.client_id else now
            saved = None if current is None else SavedMark(
                status=current.status, children=current.children_present, by_id=current.recorded_by_id,
                at=current.recorded_at,
            )  # fmt: skip
            outcome = mark_decide(
                subject_id=member_id, mark=mark, saved=saved, by_id=getattr(by, "pk", None), marked_at=marked_at,
                received_before=received_before,
            )  # fmt: skip
            outcomes.append(outcome)
            if outcome.outcome in (Outcome.ALREADY, Outcome.UNCHANGED):
                continue
            if outcome.outcome == Outcome.SUPERSEDED:
                superseded.append(
                    AttendanceChange(
                        attendance=current,
                        changed_by=by,
                        changed_at=now,
                        marked_at=marked_at,
                        old_status=current.status,
                        new_status=mark.status,
                        old_children=current.children_present,
                        new_children=mark.children,
                        client_id=mark.client_id,
                        applied=False,
                    )  # fmt: skip
                )
            elif current is None:
                created.append(
                    Attendance(
                        session=session,
                        member_id=member_id,
                        status=mark.status,
                        children_present=mark.children,
                        recorded_by=by,
                        recorded_at=marked_at,
                        received_at=now,
                        client_id=mark.client_id,
                    )  # fmt: skip
                )
            else:
                current.status, current.children_present = mark.status, mark.children
                current.recorded_by, current.recorded_at, current.received_at = by, marked_at, now
                current.client_id = mark.client_id
                updated.append(current)
        try:
            with transaction.atomic():
                if created:
                    Attendance.objects.bulk_create(created)
                if updated:
                    Attendance.objects.bulk_update(
                        updated,
                        ["status", "children_present", "recorded_by", "recorded_at", "received_at", "client_id"],
                    )
                if superseded:
                    AttendanceChange.objects.bulk_create(superseded)
        except IntegrityError as exc:
            if lock_refused(exc):
                raise  # a period locked meanwhile: said in its own words (period_lock_words)
            # The same marks sent twice at the very same moment: the change log's unique id caught the second.
            raise ValidationError(_("These marks are being saved by another request. Try again in a moment.")) from exc
        touched = [memberships[a.member_id].member for a in (*created, *updated)]
        audit_record_many(
            actor=by, action=AuditAction.CHANGE, objects=touched, request=request, detail=f"attendance {session.pk}"
        )
    return outcomes, created + updated


def attendance_excuse(*, session, member, by, request=None, now=None) -> Attendance:
    """Mark an absence excused ahead of a session (she told the facilitator she cannot come)."""
    now = now or dates.now()
    if session.cancelled:
        raise ValidationError(_("This session was cancelled, so no absence needs excusing."))
    if session.start <= now:
        raise ValidationError(_("This session has already started: record the attendance on the session page."))

    def guard():
        period_guard(project_id=session.cohort.project_id, on_date=local_date(session.start))

    with period_lock_words(guard), transaction.atomic():
        session = GroupSession.objects.select_for_update().select_related("cohort").get(pk=session.pk)
        guard()
        membership = Membership.objects.filter(cohort=session.cohort, member=member).first()
        if membership is None or not membership_is_active_on(membership, local_date(session.start)):
            raise ValidationError(_("She is not a member of this cohort on the day of that session."))
        attendance, _created = Attendance.objects.update_or_create(
            session=session,
            member=member,
            defaults={
                "status": AttendanceStatus.EXCUSED,
                "children_present": 0,
                "recorded_by": by,
                "recorded_at": now,
                "received_at": now,
                "client_id": None,
            },
        )
        audit_record(actor=by, action=AuditAction.CHANGE, obj=member, request=request, detail=f"excused {session.pk}")
    return attendance


# Schedules and sessions ------------------------------------------------------------------------------------


def _wall_clock(day: date, at: time) -> datetime:
    """An aware datetime for a local wall-clock time, refusing times that do not exist (spring forward)."""
    typed = datetime.combine(day, at)
    local = dates.aware_from_wall_clock(typed)
    if local.replace(tzinfo=None) != typed:  # moved on: the clocks skip that time
        raise ValidationError(
            _("%(time)s does not exist on %(date)s because the clocks change that night. Choose another time.")
            % {"time": at.strftime("%H:%M"), "date": formats.date_format(day, "SHORT_DATE_FORMAT")}
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


def _overlap_refuse(*, cohort, slots, exclude_pk=None) -> None:
    """Refuse when any (start, end) slot overlaps a session the cohort already has (cancelled ones aside)."""
    existing = GroupSession.objects.filter(
        cohort=cohort, cancelled=False, start__lt=max(end for _s, end in slots), end__gt=min(s for s, _e in slots)
    ).only("start", "end")
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    existing = list(existing)
    clashes = [start for start, end in slots if any(s.start < end and start < s.end for s in existing)]
    if clashes:
        raise ValidationError(
            ngettext(
                "%(count)s session would overlap a session this cohort already has (first on %(date)s).",
                "%(count)s sessions would overlap sessions this cohort already has (first on %(date)s).",
                len(clashes),
            )
            % {"count": len(clashes), "date": formats.date_format(local_date(clashes[0]), "SHORT_DATE_FORMAT")}
        )


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
    another session of the cohort, or fall in a reporting period already submitted or locked.
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
            % {
                "date": formats.date_format(local_date(slots[-1][0]), "SHORT_DATE_FORMAT"),
                "end": formats.date_format(cohort.end_date, "SHORT_DATE_FORMAT"),
            }
        )
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        for day in sorted({local_date(start) for start, _end in slots}):
            period_guard(project_id=cohort.project_id, on_date=day)
        _overlap_refuse(cohort=cohort, slots=slots)
        sessions = GroupSession.objects.bulk_create(
            GroupSession(cohort=cohort, start=start, end=end, topic=topic, room=room or cohort.room)
            for start, end in slots
        )
    return sessions


def _session_times_check(start, end) -> None:
    if start is None or end is None:
        raise ValidationError(_("Give the session's start and end."))
    if end <= start:
        raise ValidationError(_("The session must end after it starts."))
    if end - start > timedelta(hours=8):
        raise ValidationError(_("A session lasts between 15 minutes and 8 hours."))
    if not (dates.is_sensible_date(local_date(start)) and dates.is_sensible_date(local_date(end))):
        raise ValidationError(_("Choose a date between 1900 and %(year)s.") % {"year": dates.latest_date().year})


def session_create(*, cohort, start, end, topic="", room="", by=None) -> GroupSession:
    """One session added by hand (the admin); schedules come from cohort_schedule_generate."""
    _session_times_check(start, end)
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        period_guard(project_id=cohort.project_id, on_date=local_date(start))
        _overlap_refuse(cohort=cohort, slots=[(start, end)])
        session = GroupSession.objects.create(
            cohort=cohort, start=start, end=end, topic=topic.strip(), room=room.strip() or cohort.room
        )
    return session


# What a change of a session means to the people who run it: the email says which.
MOVED, CANCELLED, REINSTATED, ROOM_CHANGED = "moved", "cancelled", "reinstated", "room"


def session_update(
    *, session, start, end, topic, room, cancelled, cancel_reason="", by=None, request=None, now=None
) -> GroupSession:
    """Change a session: its time, place, topic, or whether it takes place. The one door for every change.

    Moving or cancelling (or un-cancelling) it checks the reporting-period lock on its old and new day, adds
    one to the calendar SEQUENCE so that calendars replace the event, and tells the cohort's other
    facilitators by email. A session that already has attendance marks took place: it cannot be cancelled
    or moved to another day or into the future.
    """
    now = now or dates.now()
    _session_times_check(start, end)
    topic, room, cancel_reason = (topic or "").strip(), (room or "").strip(), (cancel_reason or "").strip()
    if cancelled and not cancel_reason:
        raise ValidationError(_("Give a reason for cancelling the session."))
    with transaction.atomic():
        current = GroupSession.objects.select_for_update().select_related("cohort").get(pk=session.pk)
        moved = (start, end) != (current.start, current.end)
        changes = {
            MOVED: moved,
            CANCELLED: cancelled and not current.cancelled,
            REINSTATED: not cancelled and current.cancelled,
            ROOM_CHANGED: room != current.room,
        }
        if not any(changes.values()) and topic == current.topic and cancel_reason == (current.cancel_reason or ""):
            return current
        if changes[MOVED] or changes[CANCELLED] or changes[REINSTATED]:
            project_id = current.cohort.project_id
            for day in sorted({local_date(current.start), local_date(start)}):
                period_guard(project_id=project_id, on_date=day)
        if changes[CANCELLED] or changes[MOVED]:
            has_marks = current.attendances.exists()
            if has_marks and changes[CANCELLED]:
                raise ValidationError(
                    _("This session already has attendance marks: it took place, so it cannot be cancelled.")
                )
            if has_marks and (local_date(start) != local_date(current.start) or start > now):
                raise ValidationError(
                    _(
                        "This session already has attendance marks, so it cannot move to another day or into "
                        "the future. Only its time on the same day can be corrected."
                    )
                )
        if not cancelled and (moved or changes[REINSTATED]):
            _overlap_refuse(cohort=current.cohort, slots=[(start, end)], exclude_pk=current.pk)
        old_start = current.start
        calendar_changed = any(changes.values()) or topic != current.topic
        current.start, current.end, current.topic, current.room = start, end, topic, room
        current.cancelled, current.cancel_reason = cancelled, cancel_reason if cancelled else ""
        if calendar_changed:
            current.sequence += 1
        current.save()
        what = next((name for name in (CANCELLED, REINSTATED, MOVED, ROOM_CHANGED) if changes[name]), None)
        if what is not None:
            _facilitators_tell(session=current, what=what, by=by, old_start=old_start)
    return current


def session_cancel(*, session, reason: str, by=None, request=None) -> GroupSession:
    return session_update(
        session=session,
        start=session.start,
        end=session.end,
        topic=session.topic,
        room=session.room,
        cancelled=True,
        cancel_reason=reason,
        by=by,
        request=request,
    )


def session_delete(*, session, by=None, now=None) -> None:
    """Delete a session entered by mistake. One with attendance marks took place and stays (cancel instead)."""
    now = now or dates.now()
    with transaction.atomic():
        current = GroupSession.objects.select_for_update().select_related("cohort").get(pk=session.pk)
        if current.attendances.exists():
            raise ValidationError(
                _(
                    "This session has attendance marks, so it cannot be deleted. "
                    "Cancel it instead if it did not take place."
                )
            )
        period_guard(project_id=current.cohort.project_id, on_date=local_date(current.start))
        if current.start > now and not current.cancelled:
            _facilitators_tell(session=current, what=CANCELLED, by=by, old_start=current.start)
        current.delete()


def _facilitators_tell(*, session, what: str, by, old_start) -> None:
    """Email the cohort's facilitators (not the person who made the change) once the change is saved.

    Members are never written to: a message about a group can reveal that she attends it."""
    from groups import tasks

    recipients = list(session.cohort.facilitators.exclude(pk=getattr(by, "pk", None)).values_list("pk", flat=True))
    for user_id in recipients:
        transaction.on_commit(
            partial(
                tasks.session_change_email_send.enqueue,
                session_id=session.pk,
                cohort_id=session.cohort_id,
                user_id=user_id,
                what=what,
                old_start=old_start.isoformat(),
            )
        )


SESSION_EMAIL_SUBJECTS = {
    MOVED: gettext_noop("A group session has moved"),
    CANCELLED: gettext_noop("A group session was cancelled"),
    REINSTATED: gettext_noop("A group session takes place after all"),
    ROOM_CHANGED: gettext_noop("A group session has moved to another room"),
}


def session_change_email_send(*, session_id: int, cohort_id: int, user_id: int, what: str, old_start: str) -> bool:
    """One email to one facilitator, in her language: which session, what changed. No member, no reason.

    The session may be gone (deleted before it took place); the cohort says which group it was."""
    from django.contrib.auth import get_user_model
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    cohort = Cohort.objects.filter(pk=cohort_id).first()
    session = GroupSession.objects.filter(pk=session_id).first()
    user = get_user_model().objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if cohort is None or user is None or not user.email:
        return False
    profile = getattr(user, "profile", None)
    language = getattr(profile, "preferred_language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _(SESSION_EMAIL_SUBJECTS.get(what, SESSION_EMAIL_SUBJECTS[MOVED]))
        body = render_to_string(
            "groups/email/session_changed.txt",
            {
                "what": what,
                "cohort": cohort,
                "session": session,
                "old_start": datetime.fromisoformat(old_start),
                "name": getattr(profile, "full_name", "") or user.email,
                "site_url": settings.WAGTAILADMIN_BASE_URL,
            },
        )
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]).send()
    return True


def session_notes_save(*, session, notes: str, by, request=None) -> GroupSession:
    session.notes = notes.strip()
    session.save(update_fields=["notes"])
    audit_record(actor=by, action=AuditAction.CHANGE, obj=session, request=request, detail="session notes")
    return session


# Cohorts ---------------------------------------------------------------------------------------------------

COHORT_FIELDS = (
    "programme",
    "name",
    "start_date",
    "end_date",
    "capacity",
    "venue",
    "room",
    "language",
    "status",
    "project",
)


def _cohort_check(values) -> None:
    if values.get("end_date") and values.get("start_date") and values["end_date"] < values["start_date"]:
        raise ValidationError(_("The cohort cannot end before it starts."))


def cohort_create(*, by=None, facilitators=(), **values) -> Cohort:
    _cohort_check(values)
    with transaction.atomic():
        cohort = Cohort.objects.create(**{k: v for k, v in values.items() if k in COHORT_FIELDS})
        cohort.facilitators.set(facilitators)
    return cohort


def cohort_update(*, cohort, by=None, facilitators=None, **values) -> Cohort:
    """Change a cohort. Moving it to another donor project moves its activity between reports: refused when
    a submitted or locked period of either project already counts one of its sessions."""
    _cohort_check(values)
    with transaction.atomic():
        current = Cohort.objects.select_for_update().get(pk=cohort.pk)
        new_project_id = getattr(values.get("project"), "pk", None) if "project" in values else current.project_id
        if new_project_id != current.project_id:
            days = sorted({local_date(start) for start in current.sessions.values_list("start", flat=True)})
            for project_id in (current.project_id, new_project_id):
                for day in days:
                    period_guard(project_id=project_id, on_date=day)
        for name, value in values.items():
            if name in COHORT_FIELDS:
                setattr(current, name, value)
        current.save()
        if facilitators is not None:
            current.facilitators.set(facilitators)
    return current


def cohort_delete(*, cohort, by=None) -> None:
    """Delete a cohort made by mistake. One with attendance marks holds what reports count: close it instead."""
    with transaction.atomic():
        current = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if Attendance.objects.filter(session__cohort=current).exists():
            raise ValidationError(
                _("This cohort has attendance marks, so it cannot be deleted. Set its status to closed instead.")
            )
        for day in sorted({local_date(start) for start in current.sessions.values_list("start", flat=True)}):
            period_guard(project_id=current.project_id, on_date=day)
        current.delete()


# Members and memberships -----------------------------------------------------------------------------------


def member_code_new() -> str:
    return f"M-{secrets.token_hex(3).upper()}"


def _member_profile_check(*, age_band: str, target_group: str) -> None:
    """Her age band and target group are one of the listed ones, or not given (the database refuses others too)."""
    if age_band and age_band not in AgeBand.values:
        raise ValidationError({"age_band": _("Choose an age band from the list.")})
    if target_group and target_group not in TargetGroup.values:
        raise ValidationError({"target_group": _("Choose a target group from the list.")})


def member_create(
    *,
    alias: str,
    code: str = "",
    children_count=None,
    age_band: str = "",
    municipality=None,
    target_group: str = "",
    by=None,
    request=None,
) -> Member:
    alias = alias.strip()
    if not alias:
        raise ValidationError(_("Enter the alias or first name she chose."))
    _member_profile_check(age_band=age_band, target_group=target_group)
    code = code.strip() or member_code_new()
    if Member.objects.filter(code=code).exists():
        raise ValidationError(_("Another member already has this internal code."))
    member = Member.objects.create(
        alias=alias,
        code=code,
        children_count=children_count,
        age_band=age_band,
        municipality=municipality,
        target_group=target_group,
    )
    if by is not None:
        audit_record(actor=by, action=AuditAction.CREATE, obj=member, request=request)
    return member


def member_update(
    *,
    member,
    alias: str,
    code: str,
    children_count=None,
    age_band: str = "",
    municipality=None,
    target_group: str = "",
    by=None,
    request=None,
) -> Member:
    alias, code = alias.strip(), code.strip()
    if not alias:
        raise ValidationError(_("Enter the alias or first name she chose."))
    if not code:
        raise ValidationError(_("Enter her internal code."))
    _member_profile_check(age_band=age_band, target_group=target_group)
    if Member.objects.filter(code=code).exclude(pk=member.pk).exists():
        raise ValidationError(_("Another member already has this internal code."))
    member.alias, member.code, member.children_count = alias, code, children_count
    member.age_band, member.municipality, member.target_group = age_band, municipality, target_group
    member.save(update_fields=["alias", "code", "children_count", "age_band", "municipality", "target_group"])
    audit_record(actor=by, action=AuditAction.CHANGE, obj=member, request=request)
    return member


def member_delete(*, member, by=None, request=None) -> None:
    if member.memberships.exists() or member.attendances.exists():
        raise ValidationError(
            _("She belongs or belonged to a cohort, so her record stays: it is anonymised after the retention period.")
        )
    audit_record(actor=by, action=AuditAction.DELETE, obj=member, request=request)
    member.delete()


def member_by_code(*, code: str, by, request=None) -> Member:
    """The member with this internal code, for a coordinator adding her to a cohort; the look-up is audited."""
    member = Member.objects.filter(code=(code or "").strip()).first()
    if member is None:
        raise ValidationError(_("No member has this internal code. Check it in the list of members."))
    audit_record(actor=by, action=AuditAction.VIEW, obj=member, request=request, detail="looked up by code")
    return member


def membership_capacity_check(*, cohort, joined_on: date, exclude_pk=None) -> None:
    """Raise when the cohort is already full on the day she would join."""
    if active_memberships_active_count(cohort=cohort, on=joined_on, exclude_pk=exclude_pk) >= cohort.capacity:
        raise ValidationError(
            _("This cohort is full: it has room for %(capacity)s members.") % {"capacity": cohort.capacity}
        )


def _membership_dates_check(joined_on, left_on) -> None:
    if joined_on is None:
        raise ValidationError(_("Give the day she joined."))
    if left_on is not None and left_on < joined_on:
        raise ValidationError(_("She cannot leave before she joined."))


def membership_add(*, cohort, member, joined_on: date, by=None, request=None) -> Membership:
    _membership_dates_check(joined_on, None)
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
            audit_record(
                actor=by, action=AuditAction.CREATE, obj=member, request=request, detail=f"joined cohort {cohort.pk}"
            )
    return membership


def membership_update(
    *, membership, joined_on: date, left_on: date | None, outcome: str = "", by=None, request=None
) -> Membership:
    """Change when she joined or left. Dates that would leave out one of her attendance marks are refused
    (the grid would hide the marks that donor reports count); so are the model and the database."""
    _membership_dates_check(joined_on, left_on)
    if left_on is None:
        outcome = ""
    with transaction.atomic():
        current = Membership.objects.select_for_update().select_related("cohort").get(pk=membership.pk)
        current.joined_on, current.left_on, current.outcome = joined_on, left_on, outcome or ""
        problem = membership_dates_problem(current)
        if problem:
            raise ValidationError(problem[1])
        if left_on is None or left_on >= dates.today():
            membership_capacity_check(cohort=current.cohort, joined_on=joined_on, exclude_pk=current.pk)
        current.save(update_fields=["joined_on", "left_on", "outcome"])
        if by is not None:
            audit_record(
                actor=by, action=AuditAction.CHANGE, obj=current.member, request=request, detail="membership dates"
            )
    return current


def membership_end(*, membership, left_on: date, outcome: str, by=None, request=None) -> Membership:
    return membership_update(
        membership=membership, joined_on=membership.joined_on, left_on=left_on, outcome=outcome, by=by, request=request
    )


def membership_delete(*, membership, by=None, request=None) -> None:
    """A membership entered by mistake can go; one with attendance marks is ended instead."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().select_related("member").get(pk=membership.pk)
        if membership_marks(current).exists():
            raise ValidationError(
                _("She has attendance marks in this cohort, so her membership cannot be deleted. End it instead.")
            )
        audit_record(actor=by, action=AuditAction.DELETE, obj=current.member, request=request, detail="membership")
        current.delete()


# Follow-ups ------------------------------------------------------------------------------------------------


def followup_step_record(*, membership, absence_session, step: str, by, request=None) -> FollowUpAction:
    """She called the member who missed two sessions in a row (contacted), or it is settled (resolved)."""
    if step not in FollowUpStep.values:
        raise ValidationError(_("Choose contacted or resolved."))
    if not by.has_perm("groups.follow_up_cohort", membership.cohort):
        raise PermissionDenied
    if absence_session.cohort_id != membership.cohort_id:
        raise ValidationError(_("That session is not one of her cohort's."))
    if not Attendance.objects.filter(
        session=absence_session, member_id=membership.member_id, status=AttendanceStatus.ABSENT
    ).exists():
        raise ValidationError(_("She was not marked absent at that session."))
    try:
        with transaction.atomic():
            action = FollowUpAction.objects.create(
                membership=membership, absence_session=absence_session, step=step, by=by
            )
    except IntegrityError:
        return FollowUpAction.objects.get(membership=membership, absence_session=absence_session, step=step)
    audit_record(
        actor=by, action=AuditAction.CHANGE, obj=membership.member, request=request, detail=f"follow-up {step}"
    )
    return action
