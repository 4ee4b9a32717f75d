"""Writes: editions and sessions, enrolment and the waitlist, attendance, completion, emails.

Every page, the Wagtail admin, tasks, commands and tests call these. Transactions and locks live here.

Capacity holds under concurrent enrolments because every write that takes or frees a seat first locks the
edition row (`select_for_update`; on SQLite the IMMEDIATE transaction mode serialises writers) and only then
counts the seat-holding enrolments. Every such write also serves the waitlist first, in order, so a seat
that became free by any door (a raised capacity, a cancellation) goes to the first who waits, never to a
newcomer. Writes run inside `models.workflow()`: the models refuse the same changes made around them.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import dates
from core.attendance import (
    DeviceOutcome,
    Mark,
    Outcome,
    SavedMark,
    device_marked_at,
    device_marks_age_check,
    device_marks_apply,
    mark_decide,
)
from core.enums import AttendanceStatus
from reporting.locks import frozen_spans, lock_refused, period_guard, period_lock_words
from trainings.enums import (
    SEAT_HOLDING_STATUSES,
    SEAT_TAKEN,
    CompletionRule,
    EditionStatus,
    EndReason,
    EnrollmentStatus,
)
from trainings.models import (
    CompletionChange,
    Edition,
    Enrollment,
    TrainingAttendance,
    TrainingAttendanceChange,
    TrainingSession,
    workflow,
)
from trainings.reasons import CORRECTED, reason_text
from trainings.signals import completion_changed, enrollment_completed

ACTIVE_STATUSES = (
    EnrollmentStatus.PENDING_APPROVAL,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.OFFERED,
)
# Enrolments that hold a seat before the edition has run: leaving one of these frees a seat.
SEAT_BEFORE_CLOSING = (EnrollmentStatus.ENROLLED, EnrollmentStatus.PENDING_APPROVAL, EnrollmentStatus.OFFERED)
# Statuses after which the same person may enrol again in the same edition (the row is reused).
REUSABLE_STATUSES = (EnrollmentStatus.CANCELLED, EnrollmentStatus.TRANSFERRED)
# Enrolments whose attendance is recorded: the people expected in the room, and after closing.
ATTENDING_STATUSES = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)
CHECK_IN_SALT = "trainings.check_in"
CHECK_IN_ROTATION_SECONDS = 30


def _day(value) -> str:
    return formats.date_format(value, "j. n. Y.")


def _moment(value) -> str:
    return formats.date_format(dates.local_time(value), "j. n. Y. H:i")


def _reason_fields(*, code="", typed="", details=None) -> dict:
    """The enrolment's fields that say why it ended: the words a person gave, else the code and its figures."""
    return {"completion_reason": typed.strip()[:255], "completion_code": code, "completion_details": details or {}}


REASON_FIELDS = tuple(_reason_fields())  # for save(update_fields=...) and bulk_update()


def _reason_set(enrollment, **reason) -> None:
    """Set why the enrolment ended (_reason_fields)."""
    for name, value in _reason_fields(**reason).items():
        setattr(enrollment, name, value)


def _language_of(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "preferred_language", None) or settings.LANGUAGE_CODE


def _edition_lock(edition_id) -> Edition:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the project.
    return Edition.objects.select_for_update(of=("self",)).select_related("programme", "project").get(pk=edition_id)


def _when_sqlite_locked_retry(func, *, attempts=200):
    """Run a write transaction again when SQLite reports a lock instead of waiting for it.

    A file database waits (busy timeout), but SQLite's shared cache (used for in-memory databases) answers
    "table is locked" at once. PostgreSQL waits on the row lock and never gets here.
    """
    for attempt in range(attempts):
        try:
            return func()
        except OperationalError as error:
            in_transaction = connection.in_atomic_block
            if connection.vendor != "sqlite" or "locked" not in str(error) or in_transaction or attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0.002, 0.02))
    return None


# Reporting periods ----------------------------------------------------------------------------------------


def _periods_check(*, project_id, days) -> None:
    """Refuse when a submitted or locked report of the project counts activity on any of these days."""
    if project_id is None:
        return
    for day in sorted(set(days)):
        period_guard(project_id=project_id, on_date=day)


def _activity_days(edition) -> set:
    """The days an edition counts in reports: its first day (editions held, trainees enrolled), its sessions'
    days and, once trainees completed it, its last day."""
    days = {edition.start_date}
    if edition.pk:
        days.update(dates.local_date(start) for start in edition.sessions.values_list("start", flat=True))
        if edition.enrollments.filter(status=EnrollmentStatus.COMPLETED).exists():
            days.add(edition.end_date)
    return days


def enrollment_counted_check(*, edition, old_status, new_status) -> None:
    """Refuse, naming the period and who locked it, a change of an enrolment's status that a submitted or
    locked report counts: a seat taken or given up where the edition began (trainees enrolled), a completion
    where it ended (trainees who completed). The database refuses the same through every other door."""
    days = set()
    if edition.status != EditionStatus.CANCELLED and (old_status in SEAT_TAKEN) != (new_status in SEAT_TAKEN):
        days.add(edition.start_date)
    if (old_status == EnrollmentStatus.COMPLETED) != (new_status == EnrollmentStatus.COMPLETED):
        days.add(edition.end_date)
    _periods_check(project_id=edition.project_id, days=days)


def _enrolment_lock_words(*edition_ids):
    """Around an enrolment's write: a period submitted or locked after the service's own check, while the
    write was on its way, is refused by the database; said in the same words (reporting.locks)."""

    def guard():
        for edition in Edition.objects.filter(pk__in=edition_ids).only("project_id", "start_date", "end_date"):
            _periods_check(project_id=edition.project_id, days={edition.start_date, edition.end_date})

    return period_lock_words(guard)


def seats_counted(*, edition, spans) -> bool:
    """Whether a frozen report counts the seats of this edition (it began in a submitted or locked period of
    its project, `spans` as `frozen_spans` gives them), so that one given or given up now would change it."""
    return edition.status != EditionStatus.CANCELLED and any(
        first <= edition.start_date <= last for first, last in spans.get(edition.project_id, ())
    )


def edition_project_change_check(*, edition, old_project_id, new_project_id) -> None:
    """An edition counts in its project's reports: it may leave or join a project only where no submitted
    or locked period of either project counts it."""
    if old_project_id == new_project_id:
        return
    days = _activity_days(edition)
    for project_id in (old_project_id, new_project_id):
        try:
            _periods_check(project_id=project_id, days=days)
        except ValidationError as error:
            message = _("This edition counts in a report that can no longer change, so its project stays.")
            raise ValidationError({"project": [message, *error.messages]}, code="locked") from None


def session_change_check(*, session, old_start) -> None:
    """Moving or cancelling a session changes the activity of both days in its project's reports."""
    project_id = Edition.objects.filter(pk=session.edition_id).values_list("project_id", flat=True).first()
    _periods_check(project_id=project_id, days={dates.local_date(old_start), dates.local_date(session.start)})


def edition_capacity_check(*, edition, capacity) -> None:
    held = Enrollment.objects.filter(edition=edition, status__in=SEAT_HOLDING_STATUSES).count()
    if capacity < held:
        raise ValidationError(
            {"capacity": _("%(held)d seats are already held: the capacity cannot be lower.") % {"held": held}},
            code="below_seats_held",
        )


# Editions -------------------------------------------------------------------------------------------------

EDITION_STATUS_SERVICES = {EditionStatus.CANCELLED, EditionStatus.CLOSED}


def edition_status_choices(edition) -> list[str]:
    """The statuses the admin's form offers: where the edition is now and where it may go from there."""
    if edition is None or edition.pk is None:
        return [EditionStatus.PLANNED, EditionStatus.OPEN]
    return {
        EditionStatus.PLANNED: [EditionStatus.PLANNED, EditionStatus.OPEN, EditionStatus.CANCELLED],
        EditionStatus.OPEN: [EditionStatus.OPEN, EditionStatus.PLANNED, EditionStatus.CANCELLED, EditionStatus.CLOSED],
    }.get(edition.status, [edition.status])


def edition_create(*, values: dict, trainers=(), by) -> Edition:
    """A new edition from the admin's form. Closing and cancelling are steps of their own."""
    if values.get("status") in EDITION_STATUS_SERVICES:
        raise ValidationError(
            {"status": _("A new edition is planned or open; it is cancelled or closed later, when that happens.")},
            code="status",
        )
    edition = Edition(**values)
    _periods_check(project_id=edition.project_id, days={edition.start_date})
    with transaction.atomic(), workflow():
        edition.save()
        edition.trainers.set(trainers)
    return edition


def edition_update(*, edition, changes: dict, by, now=None) -> Edition:
    """Apply the admin form's changes to an edition, each through its rule.

    A raised capacity (or fewer places kept for partners) gives the new seats to the waitlist in order; the
    capacity never drops below the seats held; the project changes only where no locked report counts the
    edition; the dates must still hold every session; cancelling and closing run their own workflows.
    """
    now = now or dates.now()
    changes = dict(changes)
    trainers = changes.pop("trainers", None)
    target_status = changes.pop("status", None)
    with _enrolment_lock_words(edition.pk), transaction.atomic():
        locked = _edition_lock(edition.pk)
        old_project_id, old_programme_id = locked.project_id, locked.programme_id
        old_start, old_end = locked.start_date, locked.end_date
        for name, value in changes.items():
            setattr(locked, name, value)
        if locked.programme_id != old_programme_id and locked.enrollments.exists():
            raise ValidationError(
                {"programme": _("People have enrolled in this edition, so its programme stays: plan a new edition.")},
                code="programme_in_use",
            )
        if locked.project_id != old_project_id:
            edition_project_change_check(
                edition=locked, old_project_id=old_project_id, new_project_id=locked.project_id
            )
        if "capacity" in changes:
            edition_capacity_check(edition=locked, capacity=locked.capacity)
        if {"start_date", "end_date"} & set(changes):
            _edition_dates_check(locked)
        if locked.start_date != old_start:
            # Reports count an edition in the period of its first day.
            _periods_check(project_id=locked.project_id, days={old_start, locked.start_date})
        if locked.end_date != old_end and locked.enrollments.filter(status=EnrollmentStatus.COMPLETED).exists():
            # Reports count who completed an edition in the period of its last day.
            _periods_check(project_id=locked.project_id, days={old_end, locked.end_date})
        with workflow():
            locked.save()
        if trainers is not None:
            locked.trainers.set(trainers)
        _waitlist_promote(edition=locked, now=now)
        if target_status and target_status != locked.status:
            _edition_status_change(edition=locked, status=target_status, by=by, now=now)
    return locked


def _edition_dates_check(edition) -> None:
    outside = [
        session
        for session in edition.sessions.all()
        if not edition.start_date <= dates.local_date(session.start) <= edition.end_date
    ]
    if outside:
        raise ValidationError(
            _("The sessions on %(days)s would fall outside the edition's dates: move them first.")
            % {"days": ", ".join(_day(dates.local_date(s.start)) for s in outside)},
            code="sessions_outside",
        )


def _edition_status_change(*, edition, status, by, now) -> None:
    current = edition.status
    if current in (EditionStatus.CLOSED, EditionStatus.CANCELLED):
        raise ValidationError(
            {"status": _("A closed or cancelled edition stays so: plan a new edition instead.")}, code="final"
        )
    if status == EditionStatus.CLOSED:
        edition_close(edition=edition, by=by, now=now)
    elif status == EditionStatus.CANCELLED:
        edition_cancel(edition=edition, by=by, now=now)
    else:
        if status == EditionStatus.PLANNED and edition.enrollments.filter(status__in=ACTIVE_STATUSES).exists():
            raise ValidationError(
                {
                    "status": _(
                        "People have enrolled: the edition can no longer go back to planning. Cancel it instead."
                    )
                },
                code="enrolled",
            )
        edition.status = status
        with workflow():
            edition.save(update_fields=["status"])


def edition_cancel(*, edition, by, reason="", now=None) -> int:
    """Cancel an edition: everyone enrolled or waiting is told, in her language; calendars show it cancelled.

    Returns how many enrolments were cancelled.
    """
    now = now or dates.now()
    with transaction.atomic():
        edition = _edition_lock(edition.pk)
        if edition.status in (EditionStatus.CLOSED, EditionStatus.CANCELLED):
            raise ValidationError(_("This edition is already closed or cancelled."), code="final")
        # Cancelled editions leave the reports (editions held, trainees trained).
        _periods_check(project_id=edition.project_id, days=_activity_days(edition))
        affected = list(Enrollment.objects.filter(edition=edition, status__in=ACTIVE_STATUSES))
        with workflow():
            Enrollment.objects.filter(pk__in=[e.pk for e in affected]).update(
                status=EnrollmentStatus.CANCELLED,
                offer_expires_at=None,
                **_reason_fields(code=EndReason.EDITION_CANCELLED, typed=reason),
            )
            edition.sessions.filter(cancelled=False).update(cancelled=True, sequence=F("sequence") + 1)
            edition.status = EditionStatus.CANCELLED
            edition.save(update_fields=["status"])
        for enrollment in affected:
            _email_enqueue(enrollment, kind="edition_cancelled", details={"reason": reason[:255]})
    return len(affected)


def edition_delete(*, edition, by) -> None:
    """Only an edition nobody enrolled in may be deleted; others are cancelled, so that people are told."""
    with transaction.atomic():
        edition = _edition_lock(edition.pk)
        if edition.enrollments.exists():
            raise ValidationError(
                _("People have enrolled in this edition, so it cannot be deleted. Cancel it instead."),
                code="has_enrolments",
            )
        _periods_check(project_id=edition.project_id, days=_activity_days(edition))
        edition.delete()


# Sessions -------------------------------------------------------------------------------------------------


def _session_values_check(*, edition, start, end) -> None:
    if end <= start:
        raise ValidationError({"end": _("The session must end after it starts.")}, code="end_before_start")
    if not edition.start_date <= dates.local_date(start) <= edition.end_date:
        raise ValidationError(
            {
                "start": _("The session must fall within the edition's dates, %(start)s – %(end)s.")
                % {"start": _day(edition.start_date), "end": _day(edition.end_date)}
            },
            code="outside_edition",
        )
    if edition.status in (EditionStatus.CLOSED, EditionStatus.CANCELLED):
        raise ValidationError(
            _("The edition is closed or cancelled: its sessions can no longer change."), code="edition_final"
        )


def training_session_add(*, edition, start, end, title="", by) -> TrainingSession:
    """A new session; those enrolled are told (and get the updated calendar)."""
    with transaction.atomic():
        edition = _edition_lock(edition.pk)
        _session_values_check(edition=edition, start=start, end=end)
        _periods_check(project_id=edition.project_id, days={dates.local_date(start)})
        with workflow():
            session = TrainingSession.objects.create(edition=edition, start=start, end=end, title=title)
        _session_change_notify(session=session, change="added")
    return session


def training_session_change(*, session, start, end, title, cancelled, by) -> TrainingSession:
    """Move, rename, cancel or restore a session.

    Moving or cancelling checks the reporting periods of both days, raises the session's SEQUENCE (the
    model does) and tells everyone enrolled, in her language, with the updated calendar.
    """
    with transaction.atomic():
        edition = _edition_lock(session.edition_id)
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        old_start, old_end, was_cancelled = session.start, session.end, session.cancelled
        _session_values_check(edition=edition, start=start, end=end)
        moved = (start, end) != (old_start, old_end)
        if moved or cancelled != was_cancelled:
            _periods_check(project_id=edition.project_id, days={dates.local_date(old_start), dates.local_date(start)})
        session.start, session.end, session.title, session.cancelled = start, end, title, cancelled
        with workflow():
            session.save()
        if cancelled and not was_cancelled:
            _session_change_notify(session=session, change="cancelled")
        elif was_cancelled and not cancelled:
            _session_change_notify(session=session, change="restored")
        elif moved and not cancelled:
            _session_change_notify(
                session=session,
                change="moved",
                previous={"start": old_start.isoformat(), "end": old_end.isoformat()},
            )
    return session


def training_session_delete(*, session, by) -> None:
    """Delete a session nobody holds a seat for; otherwise it is cancelled, so calendars drop it."""
    with transaction.atomic():
        edition = _edition_lock(session.edition_id)
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        if session.attendances.exists():
            raise ValidationError(
                _("Attendance was recorded for this session, so it cannot be deleted."), code="attended"
            )
        if edition.enrollments.filter(status__in=SEAT_BEFORE_CLOSING).exists():
            raise ValidationError(
                _("People are enrolled: cancel the session instead, so that their calendars show it cancelled."),
                code="enrolled",
            )
        _periods_check(project_id=edition.project_id, days={dates.local_date(session.start)})
        session.delete()


def _session_change_notify(*, session, change, previous=None) -> None:
    recipients = Enrollment.objects.filter(edition_id=session.edition_id, status__in=SEAT_BEFORE_CLOSING)
    for enrollment in recipients:
        _email_enqueue(
            enrollment, kind="session_changed", details={"session": session.pk, "change": change, **(previous or {})}
        )


# Enrolment ------------------------------------------------------------------------------------------------


def _enrolment_check_open(edition, *, now, on_behalf=False) -> None:
    if edition.status == EditionStatus.CANCELLED:
        raise ValidationError(_("This edition was cancelled: enrolment is not possible."), code="cancelled")
    today = dates.local_date(now)
    # A coordinator may still add someone while the edition runs; a trainee enrols before it starts.
    last_day = edition.end_date if on_behalf else edition.start_date
    if edition.status == EditionStatus.CLOSED or last_day < today:
        raise ValidationError(_("This edition has already taken place."), code="past")
    if on_behalf:
        return
    if edition.status != EditionStatus.OPEN or now < edition.enrolment_opens:
        raise ValidationError(_("Enrolment for this edition has not opened yet."), code="not_open")
    if now >= edition.enrolment_closes:
        raise ValidationError(_("Enrolment for this edition has closed."), code="closed")


def is_partner(*, user, edition) -> bool:
    """Whether the trainee works for a partner organisation of the project that funds the edition."""
    project = edition.project
    profile = getattr(user, "profile", None)
    if project is None or profile is None or not profile.organisation.strip():
        return False
    partners = {line.strip().casefold() for line in project.partners.replace(",", "\n").splitlines()}
    return profile.organisation.strip().casefold() in partners - {""}


def _seat_counts(edition) -> tuple[int, int]:
    counts = Enrollment.objects.filter(edition=edition, status__in=SEAT_HOLDING_STATUSES).aggregate(
        total=Count("pk"), priority=Count("pk", filter=Q(priority=True))
    )
    return counts["total"], counts["priority"]


def _seat_free(edition, *, total, priority_taken, partner) -> bool:
    if total >= edition.capacity:
        return False
    if partner:
        return True
    # Seats kept for partner organisations stay free for them until they are taken.
    reserved_left = max(0, edition.priority_places - priority_taken)
    return total + reserved_left < edition.capacity


def _seat_status(edition) -> str:
    return EnrollmentStatus.PENDING_APPROVAL if edition.requires_approval else EnrollmentStatus.ENROLLED


def _enrol_locked(*, edition, user, now, on_behalf=False) -> Enrollment:
    """Enrol `user` in the already locked `edition`: a seat if one is free, else the waitlist."""
    _enrolment_check_open(edition, now=now, on_behalf=on_behalf)
    existing = Enrollment.objects.filter(edition=edition, user=user).first()
    if existing is not None and existing.status not in REUSABLE_STATUSES:
        raise ValidationError(_("You are already enrolled in this edition."), code="duplicate")
    # Whoever waits comes first: a seat freed by any door goes to the waitlist before a newcomer.
    _waitlist_promote(edition=edition, now=now)
    partner = is_partner(user=user, edition=edition)
    total, priority_taken = _seat_counts(edition)
    if not _seat_free(edition, total=total, priority_taken=priority_taken, partner=partner):
        status = EnrollmentStatus.WAITLISTED
    else:
        # A coordinator enrolling someone on her behalf is the approval.
        status = EnrollmentStatus.ENROLLED if on_behalf else _seat_status(edition)
    enrollment_counted_check(edition=edition, old_status=getattr(existing, "status", None), new_status=status)
    with workflow():
        if existing is None:
            try:
                # A savepoint: a concurrent double click by the same person hits the unique constraint.
                with transaction.atomic():
                    enrollment = Enrollment.objects.create(edition=edition, user=user, status=status, priority=partner)
            except IntegrityError as error:
                if lock_refused(error):
                    raise  # a period locked meanwhile: said in its own words (_enrolment_lock_words)
                raise ValidationError(_("You are already enrolled in this edition."), code="duplicate") from None
        else:
            enrollment = existing
            enrollment.status = status
            enrollment.priority = partner
            enrollment.offer_expires_at = None
            _reason_set(enrollment)
            enrollment.hours_attended = None
            enrollment.transferred_to = None
            # A re-enrolment joins the end of the waitlist, as a new enrolment would.
            enrollment.created_at = now
            enrollment.save()
    _email_enqueue(enrollment, kind="enrolled_on_behalf" if on_behalf else "confirmation")
    return enrollment


def enrollment_create(*, edition, user, by=None, now=None) -> Enrollment:
    """Enrol a trainee in an edition, or put her on its waitlist when it is full.

    `by` is who does it when it is not she: a coordinator enrolling her on her behalf, who may do so outside
    the enrolment window (until the edition's last day) and whose act is the approval.
    """
    now = now or dates.now()
    on_behalf = by is not None and by.pk != user.pk
    if on_behalf and not by.has_perm("trainings.enrol_on_behalf"):
        raise PermissionDenied

    def _enrol():
        with transaction.atomic():
            locked = _edition_lock(edition.pk)
            return _enrol_locked(edition=locked, user=user, now=now, on_behalf=on_behalf)

    with _enrolment_lock_words(edition.pk):
        return _when_sqlite_locked_retry(_enrol)


def _waitlist_promote(*, edition, now) -> list[Enrollment]:
    """Give free seats to the waitlist in order (priority places first); the edition must be locked."""
    if edition.status in (EditionStatus.CLOSED, EditionStatus.CANCELLED):
        return []
    waiting = list(
        Enrollment.objects.filter(edition=edition, status=EnrollmentStatus.WAITLISTED)
        .select_related("user")
        .order_by("-priority", "created_at", "pk")
    )
    # Once a frozen report counts the edition's trainees, a freed seat stays free: giving it would change them.
    if not waiting or seats_counted(edition=edition, spans=frozen_spans(project_ids=[edition.project_id])):
        return []
    total, priority_taken = _seat_counts(edition)
    promoted = []
    for enrollment in waiting:
        if not _seat_free(edition, total=total, priority_taken=priority_taken, partner=enrollment.priority):
            if total >= edition.capacity:
                break
            continue
        if edition.promotion_needs_confirmation:
            enrollment.status = EnrollmentStatus.OFFERED
            enrollment.offer_expires_at = now + timedelta(days=edition.confirm_days)
        else:
            enrollment.status = _seat_status(edition)
        with workflow():
            enrollment.save(update_fields=["status", "offer_expires_at", "status_changed_at"])
        total += 1
        priority_taken += int(enrollment.priority)
        promoted.append(enrollment)
        _email_enqueue(enrollment, kind="promotion")
    return promoted


def enrollment_cancel(*, enrollment, by, reason="", now=None) -> Enrollment:
    """She gives up her seat or waitlist place, or a coordinator cancels it; a freed seat goes to the waitlist.

    A coordinator's cancellation is told to her by email, with the reason.
    """
    now = now or dates.now()
    by_someone_else = by is not None and by.pk != enrollment.user_id
    with _enrolment_lock_words(enrollment.edition_id), transaction.atomic():
        edition = _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status not in ACTIVE_STATUSES:
            raise ValidationError(_("This enrolment cannot be cancelled any more."), code="not_active")
        if edition.status == EditionStatus.CLOSED or edition.end_date < dates.local_date(now):
            raise ValidationError(_("This edition has already taken place."), code="past")
        enrollment_counted_check(edition=edition, old_status=enrollment.status, new_status=EnrollmentStatus.CANCELLED)
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.offer_expires_at = None
        _reason_set(enrollment, typed=reason)
        with workflow():
            enrollment.save(update_fields=["status", "offer_expires_at", *REASON_FIELDS, "status_changed_at"])
        if by_someone_else:
            _email_enqueue(enrollment, kind="cancelled", details={"reason": enrollment.completion_reason})
        _waitlist_promote(edition=edition, now=now)
    return enrollment


def enrollment_offer_confirm(*, enrollment, by, now=None) -> Enrollment:
    """A promoted waitlister takes the seat she was offered, within the set number of days."""
    now = now or dates.now()
    with _enrolment_lock_words(enrollment.edition_id), transaction.atomic():
        edition = _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.OFFERED:
            raise ValidationError(_("There is no seat offer to confirm."), code="no_offer")
        if enrollment.offer_expires_at <= now:
            raise ValidationError(_("This offer has expired and the seat has passed on."), code="expired")
        enrollment_counted_check(edition=edition, old_status=enrollment.status, new_status=_seat_status(edition))
        enrollment.status = _seat_status(edition)
        enrollment.offer_expires_at = None
        with workflow():
            enrollment.save(update_fields=["status", "offer_expires_at", "status_changed_at"])
    return enrollment


def enrollment_offers_expire(*, now=None) -> int:
    """Offers not confirmed in time are withdrawn and the seat passes to the next on the waitlist."""
    now = now or dates.now()
    edition_ids = set(
        Enrollment.objects.filter(status=EnrollmentStatus.OFFERED, offer_expires_at__lte=now).values_list(
            "edition_id", flat=True
        )
    )
    expired = 0
    for edition_id in sorted(edition_ids):
        with _enrolment_lock_words(edition_id), transaction.atomic():
            edition = _edition_lock(edition_id)
            with workflow():
                expired += Enrollment.objects.filter(
                    edition=edition, status=EnrollmentStatus.OFFERED, offer_expires_at__lte=now
                ).update(
                    status=EnrollmentStatus.CANCELLED,
                    offer_expires_at=None,
                    **_reason_fields(code=EndReason.OFFER_EXPIRED),
                )
            _waitlist_promote(edition=edition, now=now)
    return expired


def enrollment_approve(*, enrollment, by, now=None) -> Enrollment:
    with _enrolment_lock_words(enrollment.edition_id), transaction.atomic():
        edition = _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.PENDING_APPROVAL:
            raise ValidationError(_("This enrolment is not waiting for approval."), code="not_pending")
        enrollment_counted_check(edition=edition, old_status=enrollment.status, new_status=EnrollmentStatus.ENROLLED)
        enrollment.status = EnrollmentStatus.ENROLLED
        with workflow():
            enrollment.save(update_fields=["status", "status_changed_at"])
        _email_enqueue(enrollment, kind="approved")
    return enrollment


def enrollment_reject(*, enrollment, by, reason="", now=None) -> Enrollment:
    """Not approved: she is told by email, with the reason; her seat goes to the waitlist."""
    now = now or dates.now()
    with _enrolment_lock_words(enrollment.edition_id), transaction.atomic():
        edition = _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.PENDING_APPROVAL:
            raise ValidationError(_("This enrolment is not waiting for approval."), code="not_pending")
        enrollment.status = EnrollmentStatus.CANCELLED
        _reason_set(enrollment, code=EndReason.NOT_APPROVED, typed=reason)
        with workflow():
            enrollment.save(update_fields=["status", *REASON_FIELDS, "status_changed_at"])
        _email_enqueue(enrollment, kind="rejected", details={"reason": reason.strip()[:255]})
        _waitlist_promote(edition=edition, now=now)
    return enrollment


def enrollment_transfer(*, enrollment, to_edition, by, now=None) -> Enrollment:
    """Move an enrolment to another edition of the same programme; the old seat goes to the waitlist.

    Someone who holds a seat moves only to a seat: a move that would leave her on the other edition's
    waitlist is refused, and she keeps the seat she has.
    """
    now = now or dates.now()
    if to_edition.pk == enrollment.edition_id:
        raise ValidationError(_("Choose a different edition."), code="same_edition")
    with _enrolment_lock_words(enrollment.edition_id, to_edition.pk), transaction.atomic():
        # Lock both editions in id order so that two opposite transfers cannot deadlock.
        locked = {pk: _edition_lock(pk) for pk in sorted({enrollment.edition_id, to_edition.pk})}
        source, target = locked[enrollment.edition_id], locked[to_edition.pk]
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",)).select_related("user__profile").get(pk=enrollment.pk)
        )
        if enrollment.status not in ACTIVE_STATUSES:
            raise ValidationError(_("Only an active enrolment can be transferred."), code="not_active")
        if target.programme_id != source.programme_id:
            raise ValidationError(_("An enrolment can only move to an edition of the same programme."), code="other")
        if enrollment.status in SEAT_BEFORE_CLOSING:
            _enrolment_check_open(target, now=now)
            _waitlist_promote(edition=target, now=now)
            total, priority_taken = _seat_counts(target)
            partner = is_partner(user=enrollment.user, edition=target)
            if not _seat_free(target, total=total, priority_taken=priority_taken, partner=partner):
                raise ValidationError(
                    _(
                        "The edition of %(date)s has no free seat for you, so your enrolment was not moved: you "
                        "keep your seat on %(current)s."
                    )
                    % {"date": _day(target.start_date), "current": _day(source.start_date)},
                    code="would_lose_seat",
                )
        enrollment_counted_check(edition=source, old_status=enrollment.status, new_status=EnrollmentStatus.TRANSFERRED)
        new = _enrol_locked(edition=target, user=enrollment.user, now=now)
        enrollment.status = EnrollmentStatus.TRANSFERRED
        enrollment.transferred_to = new
        enrollment.offer_expires_at = None
        with workflow():
            enrollment.save(update_fields=["status", "transferred_to", "offer_expires_at", "status_changed_at"])
        _waitlist_promote(edition=source, now=now)
    return new


def enrollment_status_choices(enrollment) -> list[str]:
    """The statuses a coordinator may move an enrolment to from where it is (the admin's choices)."""
    return {
        EnrollmentStatus.PENDING_APPROVAL: [EnrollmentStatus.ENROLLED, EnrollmentStatus.CANCELLED],
        EnrollmentStatus.OFFERED: [EnrollmentStatus.ENROLLED, EnrollmentStatus.CANCELLED],
        EnrollmentStatus.ENROLLED: [EnrollmentStatus.CANCELLED],
        EnrollmentStatus.WAITLISTED: [EnrollmentStatus.CANCELLED],
    }.get(enrollment.status, [])


def enrollment_status_change(*, enrollment, status, reason="", by, now=None) -> Enrollment:
    """A coordinator's change of status in the admin, carried out by the workflow it stands for."""
    if status == enrollment.status:
        return enrollment
    if status not in enrollment_status_choices(enrollment):
        if status in (EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED):
            message = _("Completion follows the attendance: correct the attendance, and completion follows.")
        elif enrollment.status == EnrollmentStatus.WAITLISTED and status in SEAT_HOLDING_STATUSES:
            message = _("Seats go to the waitlist in order as they free: raise the capacity to give her one.")
        else:
            message = _("An enrolment cannot go from “%(from)s” to “%(to)s”.") % {
                "from": EnrollmentStatus(enrollment.status).label,
                "to": EnrollmentStatus(status).label,
            }
        raise ValidationError({"status": message}, code="transition")
    if enrollment.status == EnrollmentStatus.PENDING_APPROVAL:
        if status == EnrollmentStatus.ENROLLED:
            return enrollment_approve(enrollment=enrollment, by=by, now=now)
        return enrollment_reject(enrollment=enrollment, by=by, reason=reason, now=now)
    if enrollment.status == EnrollmentStatus.OFFERED and status == EnrollmentStatus.ENROLLED:
        return enrollment_offer_confirm(enrollment=enrollment, by=by, now=now)
    return enrollment_cancel(enrollment=enrollment, by=by, reason=reason, now=now)


def enrollment_delete(*, enrollment, by) -> None:
    """Only an enrolment that never came to the room may be deleted: cancelled or moved, with no attendance."""
    with transaction.atomic():
        _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status not in REUSABLE_STATUSES or enrollment.attendances.exists():
            raise ValidationError(
                _("Only a cancelled or transferred enrolment without attendance can be deleted; cancel it first."),
                code="in_use",
            )
        if enrollment.completion_changes.exists() or enrollment.transferred_from.exists():
            raise ValidationError(_("This enrolment is part of a history and is kept."), code="history")
        with workflow():
            enrollment.delete()


# Attendance -----------------------------------------------------------------------------------------------


def attendance_opens_at(session):
    """Attendance can be recorded from the start of the session's day (organisation time), not earlier."""
    return dates.start_of_day(dates.local_date(session.start))


def attendance_record(*, session, marks: dict, by, now=None) -> int:
    """Save marks {enrollment id: AttendanceStatus} for one session; all or nothing.

    A mark for someone not enrolled in the session's edition rejects the whole form. Marks can be recorded
    from the session's day on. After the edition has closed, a corrected mark works out her completion again.
    Every change is written to the change log by the database (trainings/triggers.py): who, marked when,
    received when, old -> new.
    """
    _attendance_apply(session=session, marks={pk: Mark(status) for pk, status in marks.items()}, by=by, now=now)
    return len(marks)


def attendance_record_from_device(*, session, marks: dict[int, Mark], by, now=None) -> list[DeviceOutcome]:
    """Marks a trainer's phone kept while offline, sent when the connection came back: a list of DeviceOutcome.

    Each mark carries the phone's id for it, so a mark sent twice is applied once. The later of two marks
    wins and both stay in the change log; when the other was someone else's change after her screen showed
    it, the outcome says so, and she is told. A refusal (the session was cancelled meanwhile, its period was locked)
    comes back as a refused outcome for each mark, never as an error, so her phone does not retry forever.
    """
    now = now or dates.now()
    if not by.has_perm("trainings.manage_edition", session.edition):
        raise PermissionDenied
    return device_marks_apply(
        marks=marks, apply=lambda: _attendance_apply(session=session, marks=marks, by=by, now=now)
    )


def _attendance_apply(*, session, marks: dict[int, Mark], by, now=None) -> list[DeviceOutcome]:
    now = now or dates.now()
    if any(mark.status not in AttendanceStatus.values for mark in marks.values()):
        raise ValidationError(_("Choose present, absent or excused."), code="status")
    if not marks:
        return []

    def guard():
        period_guard(project_id=session.edition.project_id, on_date=dates.local_date(session.start))

    def meanwhile():
        guard()
        # After closing, a corrected mark works out her completion again, which counts where the edition ended.
        if session.edition.status == EditionStatus.CLOSED:
            period_guard(project_id=session.edition.project_id, on_date=session.edition.end_date)

    with period_lock_words(meanwhile), transaction.atomic():
        # Serialises two people saving the same session at once, so that the marks compared below are still
        # the marks when this one is written.
        session = (
            TrainingSession.objects.select_for_update(of=("self",))
            .select_related("edition__programme")
            .get(pk=session.pk)
        )
        edition = session.edition
        if session.cancelled or edition.status == EditionStatus.CANCELLED:
            raise ValidationError(_("This session was cancelled: there is no attendance to record."), code="cancelled")
        if dates.local_date(session.start) > dates.local_date(now):
            raise ValidationError(
                _("Attendance can be recorded from the day of the session, %(day)s.")
                % {"day": _day(dates.local_date(session.start))},
                code="future",
            )
        enrolled = set(
            Enrollment.objects.filter(
                edition_id=session.edition_id, pk__in=list(marks), status__in=ATTENDING_STATUSES
            ).values_list("pk", flat=True)
        )
        if enrolled != set(marks):
            raise ValidationError(
                _("Attendance can only be recorded for people enrolled in this edition. Nothing was saved."),
                code="not_enrolled",
            )
        guard()
        device_marks_age_check(marks, now=now)
        marked = TrainingAttendance.objects.filter(session=session, enrollment_id__in=list(marks))
        existing = {a.enrollment_id: a for a in marked}
        client_ids = [m.client_id for m in marks.values() if m.client_id]
        received_before = set(
            TrainingAttendanceChange.objects.filter(client_id__in=client_ids).values_list("client_id", flat=True)
        )
        opens_at = attendance_opens_at(session)
        created, updated, superseded, outcomes = [], [], [], []
        for enrollment_id, mark in marks.items():
            current = existing.get(enrollment_id)
            marked_at = device_marked_at(mark, opens_at=opens_at, now=now) if mark.client_id else now
            saved = None if current is None else SavedMark(
                status=current.status, children=0, by_id=current.recorded_by_id, at=current.recorded_at
            )  # fmt: skip
            outcome = mark_decide(
                subject_id=enrollment_id, mark=mark, saved=saved, by_id=getattr(by, "pk", None), marked_at=marked_at,
                received_before=received_before,
            )  # fmt: skip
            outcomes.append(outcome)
            if outcome.outcome in (Outcome.ALREADY, Outcome.UNCHANGED):
                continue
            if outcome.outcome == Outcome.SUPERSEDED:
                superseded.append(
                    TrainingAttendanceChange(
                        attendance=current,
                        changed_by=by,
                        changed_at=now,
                        marked_at=marked_at,
                        old_status=current.status,
                        new_status=mark.status,
                        client_id=mark.client_id,
                        applied=False,
                    )
                )
            elif current is None:
                created.append(
                    TrainingAttendance(
                        session=session,
                        enrollment_id=enrollment_id,
                        status=mark.status,
                        recorded_by=by,
                        recorded_at=marked_at,
                        received_at=now,
                        client_id=mark.client_id,
                    )
                )
            else:
                current.status, current.recorded_by, current.recorded_at = mark.status, by, marked_at
                current.received_at, current.client_id = now, mark.client_id
                updated.append(current)
        try:
            with transaction.atomic():
                if created:
                    TrainingAttendance.objects.bulk_create(created)
                if updated:
                    TrainingAttendance.objects.bulk_update(
                        updated, ["status", "recorded_by", "recorded_at", "received_at", "client_id"]
                    )
                if superseded:
                    TrainingAttendanceChange.objects.bulk_create(superseded)
        except IntegrityError as exc:
            if lock_refused(exc):
                raise  # a period locked meanwhile: said in its own words (period_lock_words)
            # The same marks sent twice at the very same moment: the change log's unique id caught the second.
            raise ValidationError(_("These marks are being saved by another request. Try again in a moment.")) from exc
        changed = [a.enrollment_id for a in (*created, *updated)]
        if edition.status == EditionStatus.CLOSED and changed:
            _completion_recompute(edition=edition, enrollment_ids=changed, by=by, now=now)
    return outcomes


def check_in_token(*, session) -> str:
    """A signed token for the session's QR code; it carries its own time so it stops working soon."""
    signer = signing.TimestampSigner(salt=CHECK_IN_SALT)
    return signer.sign(str(session.pk))


def check_in_open(*, session, now=None) -> bool:
    """Self check-in works on the session's own day (organisation time), and never for a cancelled one."""
    now = now or dates.now()
    return not session.cancelled and dates.local_date(now) == dates.local_date(session.start)


def attendance_check_in(*, session, user, token, now=None) -> TrainingAttendance:
    """A trainee scans the trainer's QR code while logged in, on the day: she is marked present."""
    now = now or dates.now()
    if not session.edition.self_check_in:
        raise ValidationError(_("Self check-in is not switched on for this edition."), code="off")
    if not check_in_open(session=session, now=now):
        raise ValidationError(
            _("Check-in is open on the day of the session only (%(day)s).")
            % {"day": _day(dates.local_date(session.start))},
            code="not_today",
        )
    signer = signing.TimestampSigner(salt=CHECK_IN_SALT)
    try:
        # Two rotations of grace: the code on the screen may have changed while the phone was reading it.
        value = signer.unsign(token or "", max_age=CHECK_IN_ROTATION_SECONDS * 2)
    except signing.SignatureExpired:
        raise ValidationError(_("This code has expired: scan the code on the screen again."), code="expired") from None
    except signing.BadSignature:
        raise ValidationError(_("This check-in code is not valid."), code="invalid") from None
    if value != str(session.pk):
        raise ValidationError(_("This check-in code is not valid."), code="invalid")
    enrollment = Enrollment.objects.filter(
        edition_id=session.edition_id, user=user, status=EnrollmentStatus.ENROLLED
    ).first()
    if enrollment is None:
        raise ValidationError(_("You are not enrolled in this edition."), code="not_enrolled")
    attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.PRESENT}, by=user, now=now)
    return TrainingAttendance.objects.get(session=session, enrollment=enrollment)


# Completion -----------------------------------------------------------------------------------------------


def held_sessions(sessions) -> list:
    """Sessions that took place: completion and hours count these, never a cancelled one."""
    return [session for session in sessions if not session.cancelled]


def attended_hours(*, sessions, statuses: dict) -> Decimal:
    return sum((s.hours for s in held_sessions(sessions) if statuses.get(s.pk) == AttendanceStatus.PRESENT), Decimal(0))


def enrollment_completion(*, programme, sessions, statuses: dict) -> tuple[bool, str, dict]:
    """The one completion rule: (completed?, the reason's code, its figures); trainings.reasons writes the
    reason in a reader's language. `statuses` maps session id -> AttendanceStatus.

    Excused absences do not count as attended: accreditation bodies count hours actually present.
    """
    sessions = held_sessions(sessions)
    if not sessions:
        return False, EndReason.NO_SESSIONS, {}
    attended = [s for s in sessions if statuses.get(s.pk) == AttendanceStatus.PRESENT]
    if programme.completion_rule == CompletionRule.ALL_SESSIONS:
        if len(attended) == len(sessions):
            return True, EndReason.ALL_SESSIONS, {"total": len(sessions)}
        return False, EndReason.SESSIONS_MISSED, {"attended": len(attended), "total": len(sessions)}
    total = sum((s.hours for s in sessions), Decimal(0))
    hours = sum((s.hours for s in attended), Decimal(0))
    share = hours * 100 / total if total else Decimal(0)
    details = {
        "hours": f"{hours:.1f}",
        "total": f"{total:.1f}",
        "share": int(share),
        "needed": programme.min_attendance_percent,
    }
    if share >= programme.min_attendance_percent:
        return True, EndReason.HOURS_MET, details
    return False, EndReason.HOURS_SHORT, details


def _completion_decide(*, enrollment, programme, sessions, correction=False) -> tuple[str, Decimal, str, dict, str]:
    """(status, hours attended, the reason's code, its figures, the reason in the organisation's language)."""
    statuses = {a.session_id: a.status for a in enrollment.attendances.all()}
    hours = attended_hours(sessions=sessions, statuses=statuses).quantize(Decimal("0.1"))
    done, code, details = enrollment_completion(programme=programme, sessions=sessions, statuses=statuses)
    if correction:
        details = {**details, CORRECTED: True}
    with translation.override(settings.LANGUAGE_CODE):
        logged_reason = reason_text(code, details)[:255]
    status = EnrollmentStatus.COMPLETED if done else EnrollmentStatus.NOT_COMPLETED
    return status, hours, code, details, logged_reason


def _completion_signal(*, enrollment, change, by) -> None:
    completed = change.to_status == EnrollmentStatus.COMPLETED
    transaction.on_commit(
        partial(
            completion_changed.send,
            sender=Enrollment,
            enrollment=enrollment,
            completed=completed,
            previous_status=change.from_status,
            hours_attended=change.hours_attended,
            reason=change.reason,
            by=by,
            change=change,
        )
    )
    if completed:
        transaction.on_commit(partial(enrollment_completed.send, sender=Enrollment, enrollment=enrollment))


def _completion_apply(*, edition, decisions, by, now) -> None:
    """Save decisions [(enrollment, status, hours, reason code, its figures, logged reason)]; log and signal
    changed ones."""
    for old_status, new_status in {(e.status, status) for e, status, *_rest in decisions if status != e.status}:
        enrollment_counted_check(edition=edition, old_status=old_status, new_status=new_status)
    changes = []
    for enrollment, status, hours, code, details, logged_reason in decisions:
        if status != enrollment.status:
            changes.append(
                (
                    enrollment,
                    CompletionChange(
                        enrollment=enrollment,
                        from_status=enrollment.status,
                        to_status=status,
                        hours_attended=hours,
                        reason=logged_reason,
                        by=by if getattr(by, "is_authenticated", False) else None,
                        at=now,
                    ),
                )
            )
        enrollment.status, enrollment.hours_attended = status, hours
        _reason_set(enrollment, code=code, details=details)
    with workflow():
        Enrollment.objects.bulk_update(
            [enrollment for enrollment, *_rest in decisions], ["status", "hours_attended", *REASON_FIELDS]
        )
    CompletionChange.objects.bulk_create([change for _enrollment, change in changes])
    for enrollment, change in changes:
        _completion_signal(enrollment=enrollment, change=change, by=by)


def _completion_recompute(*, edition, enrollment_ids, by, now) -> None:
    sessions = list(edition.sessions.all())
    enrollments = (
        Enrollment.objects.filter(
            edition=edition,
            pk__in=enrollment_ids,
            status__in=[EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED],
        )
        .select_related("user__profile")
        .prefetch_related("attendances")
    )
    decisions = [
        (
            enrollment,
            *_completion_decide(enrollment=enrollment, programme=edition.programme, sessions=sessions, correction=True),
        )
        for enrollment in enrollments
    ]
    _completion_apply(edition=edition, decisions=decisions, by=by, now=now)


def edition_close(*, edition, by, now=None) -> dict:
    """Close an edition once its last session has ended: each participant is marked completed or not
    completed, with the hours she attended and the reason; whoever still waits is told it is over."""
    now = now or dates.now()
    with _enrolment_lock_words(edition.pk), transaction.atomic():
        edition = _edition_lock(edition.pk)
        if edition.status in (EditionStatus.CLOSED, EditionStatus.CANCELLED):
            raise ValidationError(_("This edition is already closed or cancelled."), code="closed")
        sessions = list(edition.sessions.all())
        held = held_sessions(sessions)
        if not held:
            raise ValidationError(
                _("This edition has no sessions: add them, or cancel the edition, before closing it."),
                code="no_sessions",
            )
        last_end = max(session.end for session in held)
        if now < last_end:
            raise ValidationError(
                _("The last session ends on %(when)s: the edition can be closed after that.")
                % {"when": _moment(last_end)},
                code="not_over",
            )
        enrollments = list(
            Enrollment.objects.filter(edition=edition, status=EnrollmentStatus.ENROLLED)
            .select_related("user__profile")
            .prefetch_related("attendances")
        )
        decisions = [
            (enrollment, *_completion_decide(enrollment=enrollment, programme=edition.programme, sessions=sessions))
            for enrollment in enrollments
        ]
        _completion_apply(edition=edition, decisions=decisions, by=by, now=now)
        with workflow():
            Enrollment.objects.filter(
                edition=edition,
                status__in=[EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED, EnrollmentStatus.PENDING_APPROVAL],
            ).update(
                status=EnrollmentStatus.CANCELLED,
                offer_expires_at=None,
                **_reason_fields(code=EndReason.CLOSED_WAITING),
            )
            edition.status = EditionStatus.CLOSED
            edition.save(update_fields=["status"])
    completed = sum(1 for _enrollment, status, *_rest in decisions if status == EnrollmentStatus.COMPLETED)
    return {"completed": completed, "not_completed": len(decisions) - completed}


# Bulk work for coordinators -------------------------------------------------------------------------------

# What a coordinator gives about a person she enrols: the email finds her account or makes one.
PERSON_FIELDS = ("email", "full_name", "organisation", "job_title", "language")


def trainee_find_or_create(*, email, full_name, organisation="", job_title="", language="") -> tuple[object, bool]:
    """The person with this email, or a new trainee account for her (no password yet: she sets one with
    "Forgot password", which also confirms her email). Returns (user, created)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from accounts.services import trainee_sign_up

    email = email.strip()
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).select_related("profile").first()
    if user is not None:
        return user, False
    user = User(username=email, email=email)
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    trainee_sign_up(
        user=user,
        full_name=full_name,
        organisation=organisation,
        job_title=job_title,
        preferred_language=language or settings.LANGUAGE_CODE,
    )
    return user, True


def enrollment_on_behalf(*, edition, person: dict, by, now=None) -> Enrollment:
    """Enrol someone on her behalf (a phone call, a list from her employer): her account is found by email
    or made for her; the seat or the waitlist as for anyone; she gets an email in her language."""
    if not by.has_perm("trainings.enrol_on_behalf"):
        raise PermissionDenied
    with transaction.atomic():
        user, _created = trainee_find_or_create(**person)
        return enrollment_create(edition=edition, user=user, by=by, now=now)


def trainees_import(*, edition, people: list[dict], by, now=None) -> list[Enrollment]:
    """Enrol every person of an import (already checked by trainings.imports); all or nothing."""
    if not by.has_perm("trainings.import_trainees"):
        raise PermissionDenied
    with transaction.atomic():
        return [
            enrollment_on_behalf(
                edition=edition, person={name: person.get(name, "") for name in PERSON_FIELDS}, by=by, now=now
            )
            for person in people
        ]


# Emails ---------------------------------------------------------------------------------------------------


def _email_enqueue(enrollment, *, kind, details=None) -> None:
    from trainings import tasks

    transaction.on_commit(
        partial(tasks.enrollment_email_send.enqueue, enrollment_id=enrollment.pk, kind=kind, details=details or {})
    )


# Subjects stay neutral: they never name the training or say anything about the person.
EMAIL_SUBJECTS = {
    "confirmation": gettext_noop("Your training enrolment"),
    "enrolled_on_behalf": gettext_noop("You were enrolled in a training"),
    "promotion": gettext_noop("A seat is free for you"),
    "approved": gettext_noop("Your training enrolment was approved"),
    "rejected": gettext_noop("Your training enrolment was not approved"),
    "cancelled": gettext_noop("Your training enrolment was cancelled"),
    "edition_cancelled": gettext_noop("A training was cancelled"),
    "session_changed": gettext_noop("A change to your training schedule"),
    "reminder": gettext_noop("Your training starts tomorrow"),
}
# Emails that carry the edition's calendar: the sessions she will attend, or their cancellation.
CALENDAR_KINDS = {"confirmation", "enrolled_on_behalf", "promotion", "approved", "reminder", "session_changed"}
# ...and the one that takes a cancelled edition's sessions out of the calendar she already has.
CANCELLATION_KINDS = {"edition_cancelled"}


def enrollment_email_send(*, enrollment_id, kind, details=None) -> bool:
    """Send one email about an enrolment, in the trainee's language, with the edition's dates."""
    from trainings.calendar import edition_ics

    details = details or {}
    enrollment = (
        Enrollment.objects.select_related("edition__programme", "user__profile")
        .prefetch_related("edition__sessions")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None or not enrollment.user.email or kind not in EMAIL_SUBJECTS:
        return False
    edition = enrollment.edition
    profile = getattr(enrollment.user, "profile", None)
    sessions = list(edition.sessions.all())
    changed = next((s for s in sessions if s.pk == details.get("session")), None)
    previous_start = details.get("start")
    with translation.override(_language_of(enrollment.user)):
        subject = _(EMAIL_SUBJECTS[kind])
        body = render_to_string(
            "trainings/email/enrollment.txt",
            {
                "kind": kind,
                "enrollment": enrollment,
                "edition": edition,
                "sessions": sessions,
                "changed_session": changed,
                "change": details.get("change", ""),
                "previous_start": dates.local_time(_parse(previous_start)) if previous_start else None,
                "reason": details.get("reason", ""),
                "name": getattr(profile, "full_name", "") or enrollment.user.email,
                "site_url": settings.WAGTAILADMIN_BASE_URL,
                "needs_password": not enrollment.user.has_usable_password(),
            },
        )
        attach = (kind in CALENDAR_KINDS and enrollment.status in SEAT_BEFORE_CLOSING) or kind in CANCELLATION_KINDS
        calendar = edition_ics(edition=edition, sessions=sessions) if attach else None
    message = EmailMessage(subject=subject, body=body, to=[enrollment.user.email])
    if calendar:
        message.attach("training.ics", calendar, "text/calendar")
    message.send()
    return True


def _parse(value: str):
    from datetime import datetime

    return datetime.fromisoformat(value)


def reminders_enqueue(*, today=None) -> int:
    """Enqueue a reminder for everyone enrolled in an edition with a session tomorrow; once per day."""
    from trainings import tasks

    today = today or dates.today()
    tomorrow = today + timedelta(days=1)
    with transaction.atomic():
        editions = Edition.objects.filter(
            status=EditionStatus.OPEN,
            sessions__start__gte=dates.start_of_day(tomorrow),
            sessions__start__lt=dates.end_of_day(tomorrow),
            sessions__cancelled=False,
        )
        enrollments = list(
            Enrollment.objects.select_for_update()
            .filter(status=EnrollmentStatus.ENROLLED, edition__in=editions)
            .exclude(reminded_on=tomorrow)
        )
        Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(reminded_on=tomorrow)
        for enrollment in enrollments:
            transaction.on_commit(
                partial(tasks.enrollment_email_send.enqueue, enrollment_id=enrollment.pk, kind="reminder")
            )
    return len(enrollments)
