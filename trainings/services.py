"""Writes: enrolment, waitlist, attendance, completion. Transactions and locks live here.

Capacity holds under concurrent enrolments because every write that takes or frees a seat first locks the
edition row (`select_for_update`; on SQLite the IMMEDIATE transaction mode serialises writers) and only then
counts the seat-holding enrolments.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import dates
from core.enums import AttendanceStatus
from reporting.services import period_guard
from trainings.enums import SEAT_HOLDING_STATUSES, CompletionRule, EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingAttendance
from trainings.signals import enrollment_completed

ACTIVE_STATUSES = (
    EnrollmentStatus.PENDING_APPROVAL,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.OFFERED,
)
# Statuses after which the same person may enrol again in the same edition (the row is reused).
REUSABLE_STATUSES = (EnrollmentStatus.CANCELLED, EnrollmentStatus.TRANSFERRED)
CHECK_IN_SALT = "trainings.check_in"
CHECK_IN_ROTATION_SECONDS = 30


# Enrolment ------------------------------------------------------------------------------------------------


def _edition_lock(edition_id) -> Edition:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the project.
    return Edition.objects.select_for_update(of=("self",)).select_related("programme", "project").get(pk=edition_id)


def _enrolment_check_open(edition, *, now) -> None:
    if edition.status == EditionStatus.CANCELLED:
        raise ValidationError(_("This edition was cancelled: enrolment is not possible."), code="cancelled")
    if edition.status == EditionStatus.CLOSED or edition.start_date < dates.local_date(now):
        raise ValidationError(_("This edition has already taken place."), code="past")
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


def _enrol_locked(*, edition, user, now) -> Enrollment:
    """Enrol `user` in the already locked `edition`: a seat if one is free, else the waitlist."""
    _enrolment_check_open(edition, now=now)
    existing = Enrollment.objects.filter(edition=edition, user=user).first()
    if existing is not None and existing.status not in REUSABLE_STATUSES:
        raise ValidationError(_("You are already enrolled in this edition."), code="duplicate")
    partner = is_partner(user=user, edition=edition)
    total, priority_taken = _seat_counts(edition)
    if _seat_free(edition, total=total, priority_taken=priority_taken, partner=partner):
        status = _seat_status(edition)
    else:
        status = EnrollmentStatus.WAITLISTED
    if existing is None:
        try:
            # A savepoint: a concurrent double click by the same person hits the unique constraint.
            with transaction.atomic():
                enrollment = Enrollment.objects.create(edition=edition, user=user, status=status, priority=partner)
        except IntegrityError:
            raise ValidationError(_("You are already enrolled in this edition."), code="duplicate") from None
    else:
        enrollment = existing
        enrollment.status = status
        enrollment.priority = partner
        enrollment.offer_expires_at = None
        enrollment.completion_reason = ""
        enrollment.transferred_to = None
        # A re-enrolment joins the end of the waitlist, as a new enrolment would.
        enrollment.created_at = now
        enrollment.save()
    _email_enqueue(enrollment, kind="confirmation")
    return enrollment


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


def enrollment_create(*, edition, user, now=None) -> Enrollment:
    """Enrol a trainee in an edition, or put her on its waitlist when it is full."""
    now = now or dates.now()

    def _enrol():
        with transaction.atomic():
            locked = _edition_lock(edition.pk)
            return _enrol_locked(edition=locked, user=user, now=now)

    return _when_sqlite_locked_retry(_enrol)


def _waitlist_promote(*, edition, now) -> list[Enrollment]:
    """Give free seats to the waitlist in order (priority places first); the edition must be locked."""
    waiting = list(
        Enrollment.objects.filter(edition=edition, status=EnrollmentStatus.WAITLISTED)
        .select_related("user")
        .order_by("-priority", "created_at", "pk")
    )
    if not waiting:
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
        enrollment.save(update_fields=["status", "offer_expires_at", "status_changed_at"])
        total += 1
        priority_taken += int(enrollment.priority)
        promoted.append(enrollment)
        _email_enqueue(enrollment, kind="promotion")
    return promoted


def enrollment_cancel(*, enrollment, by, now=None) -> Enrollment:
    """The trainee gives up her seat or waitlist place; a freed seat goes to the waitlist."""
    now = now or dates.now()
    with transaction.atomic():
        edition = _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status not in ACTIVE_STATUSES:
            raise ValidationError(_("This enrolment cannot be cancelled any more."), code="not_active")
        if edition.status == EditionStatus.CLOSED or edition.end_date < dates.local_date(now):
            raise ValidationError(_("This edition has already taken place."), code="past")
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.offer_expires_at = None
        enrollment.save(update_fields=["status", "offer_expires_at", "status_changed_at"])
        _waitlist_promote(edition=edition, now=now)
    return enrollment


def enrollment_offer_confirm(*, enrollment, by, now=None) -> Enrollment:
    """A promoted waitlister takes the seat she was offered, within the set number of days."""
    now = now or dates.now()
    with transaction.atomic():
        edition = _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.OFFERED:
            raise ValidationError(_("There is no seat offer to confirm."), code="no_offer")
        if enrollment.offer_expires_at <= now:
            raise ValidationError(_("This offer has expired and the seat has passed on."), code="expired")
        enrollment.status = _seat_status(edition)
        enrollment.offer_expires_at = None
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
        with transaction.atomic():
            edition = _edition_lock(edition_id)
            with translation.override(settings.LANGUAGE_CODE):
                reason = _("The seat offer was not confirmed in time.")
            expired += Enrollment.objects.filter(
                edition=edition, status=EnrollmentStatus.OFFERED, offer_expires_at__lte=now
            ).update(status=EnrollmentStatus.CANCELLED, offer_expires_at=None, completion_reason=reason)
            _waitlist_promote(edition=edition, now=now)
    return expired


def enrollment_approve(*, enrollment, by, now=None) -> Enrollment:
    with transaction.atomic():
        _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.PENDING_APPROVAL:
            raise ValidationError(_("This enrolment is not waiting for approval."), code="not_pending")
        enrollment.status = EnrollmentStatus.ENROLLED
        enrollment.save(update_fields=["status", "status_changed_at"])
        _email_enqueue(enrollment, kind="approved")
    return enrollment


def enrollment_reject(*, enrollment, by, reason="", now=None) -> Enrollment:
    now = now or dates.now()
    with transaction.atomic():
        edition = _edition_lock(enrollment.edition_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.PENDING_APPROVAL:
            raise ValidationError(_("This enrolment is not waiting for approval."), code="not_pending")
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.completion_reason = (reason or _("Not approved by the coordinator."))[:255]
        enrollment.save(update_fields=["status", "completion_reason", "status_changed_at"])
        _waitlist_promote(edition=edition, now=now)
    return enrollment


def enrollment_transfer(*, enrollment, to_edition, by, now=None) -> Enrollment:
    """Move an enrolment to another edition of the same programme; the old seat goes to the waitlist."""
    now = now or dates.now()
    if to_edition.pk == enrollment.edition_id:
        raise ValidationError(_("Choose a different edition."), code="same_edition")
    with transaction.atomic():
        # Lock both editions in id order so that two opposite transfers cannot deadlock.
        locked = {pk: _edition_lock(pk) for pk in sorted({enrollment.edition_id, to_edition.pk})}
        source, target = locked[enrollment.edition_id], locked[to_edition.pk]
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status not in ACTIVE_STATUSES:
            raise ValidationError(_("Only an active enrolment can be transferred."), code="not_active")
        if target.programme_id != source.programme_id:
            raise ValidationError(_("An enrolment can only move to an edition of the same programme."), code="other")
        new = _enrol_locked(edition=target, user=enrollment.user, now=now)
        enrollment.status = EnrollmentStatus.TRANSFERRED
        enrollment.transferred_to = new
        enrollment.offer_expires_at = None
        enrollment.save(update_fields=["status", "transferred_to", "offer_expires_at", "status_changed_at"])
        _waitlist_promote(edition=source, now=now)
    return new


# Attendance -----------------------------------------------------------------------------------------------


def attendance_record(*, session, marks: dict, by) -> int:
    """Save marks {enrollment id: AttendanceStatus} for one session; all or nothing.

    A mark for someone not enrolled in the session's edition rejects the whole form.
    """
    valid_statuses = set(AttendanceStatus.values)
    if any(status not in valid_statuses for status in marks.values()):
        raise ValidationError(_("Choose present, absent or excused."), code="status")
    if not marks:
        return 0
    enrolled = set(
        Enrollment.objects.filter(
            edition_id=session.edition_id,
            pk__in=list(marks),
            status__in=(EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED),
        ).values_list("pk", flat=True)
    )
    if enrolled != set(marks):
        raise ValidationError(
            _("Attendance can only be recorded for people enrolled in this edition. Nothing was saved."),
            code="not_enrolled",
        )
    period_guard(project_id=session.edition.project_id, on_date=dates.local_date(session.start))
    now = dates.now()
    with transaction.atomic():
        TrainingAttendance.objects.bulk_create(
            [
                TrainingAttendance(session=session, enrollment_id=pk, status=status, recorded_by=by, recorded_at=now)
                for pk, status in marks.items()
            ],
            update_conflicts=True,
            unique_fields=["session", "enrollment"],
            update_fields=["status", "recorded_by", "recorded_at"],
        )
    return len(marks)


def check_in_token(*, session) -> str:
    """A signed token for the session's QR code; it carries its own time so it stops working soon."""
    signer = signing.TimestampSigner(salt=CHECK_IN_SALT)
    return signer.sign(str(session.pk))


def attendance_check_in(*, session, user, token) -> TrainingAttendance:
    """A trainee scans the trainer's QR code while logged in: she is marked present."""
    if not session.edition.self_check_in:
        raise ValidationError(_("Self check-in is not switched on for this edition."), code="off")
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
    attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.PRESENT}, by=user)
    return TrainingAttendance.objects.get(session=session, enrollment=enrollment)


# Completion -----------------------------------------------------------------------------------------------


def attended_hours(*, sessions, statuses: dict) -> Decimal:
    return sum((s.hours for s in sessions if statuses.get(s.pk) == AttendanceStatus.PRESENT), Decimal(0))


def enrollment_completion(*, programme, sessions, statuses: dict) -> tuple[bool, str]:
    """The one completion rule: (completed?, reason). `statuses` maps session id -> AttendanceStatus.

    Excused absences do not count as attended: accreditation bodies count hours actually present.
    """
    sessions = list(sessions)
    if not sessions:
        return False, _("The edition had no sessions.")
    attended = [s for s in sessions if statuses.get(s.pk) == AttendanceStatus.PRESENT]
    if programme.completion_rule == CompletionRule.ALL_SESSIONS:
        if len(attended) == len(sessions):
            return True, _("Attended all %(total)d sessions.") % {"total": len(sessions)}
        return False, _("Attended %(attended)d of %(total)d sessions; all sessions are required.") % {
            "attended": len(attended),
            "total": len(sessions),
        }
    total = sum((s.hours for s in sessions), Decimal(0))
    hours = sum((s.hours for s in attended), Decimal(0))
    share = hours * 100 / total if total else Decimal(0)
    values = {
        "hours": f"{hours:.1f}",
        "total": f"{total:.1f}",
        "share": int(share),
        "needed": programme.min_attendance_percent,
    }
    if share >= programme.min_attendance_percent:
        return True, _("Attended %(hours)s of %(total)s hours (%(share)d%%; %(needed)d%% needed).") % values
    return False, _("Attended %(hours)s of %(total)s hours (%(share)d%%); %(needed)d%% is needed.") % values


def edition_close(*, edition, by) -> dict:
    """Close an edition: every enrolled trainee is marked completed or not completed, with the reason."""
    with transaction.atomic():
        edition = _edition_lock(edition.pk)
        if edition.status in (EditionStatus.CLOSED, EditionStatus.CANCELLED):
            raise ValidationError(_("This edition is already closed or cancelled."), code="closed")
        sessions = list(edition.sessions.all())
        enrollments = list(
            Enrollment.objects.filter(edition=edition, status=EnrollmentStatus.ENROLLED)
            .select_related("user__profile")
            .prefetch_related("attendances")
        )
        completed = []
        for enrollment in enrollments:
            statuses = {a.session_id: a.status for a in enrollment.attendances.all()}
            profile = getattr(enrollment.user, "profile", None)
            # The reason is shown to the trainee, so it is written in her language.
            with translation.override(getattr(profile, "preferred_language", None) or settings.LANGUAGE_CODE):
                done, reason = enrollment_completion(programme=edition.programme, sessions=sessions, statuses=statuses)
            enrollment.status = EnrollmentStatus.COMPLETED if done else EnrollmentStatus.NOT_COMPLETED
            enrollment.completion_reason = reason[:255]
            if done:
                completed.append(enrollment)
        Enrollment.objects.bulk_update(enrollments, ["status", "completion_reason"])
        with translation.override(settings.LANGUAGE_CODE):
            waiting_reason = _("The edition was closed before a seat became free.")
        Enrollment.objects.filter(
            edition=edition,
            status__in=[EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED, EnrollmentStatus.PENDING_APPROVAL],
        ).update(status=EnrollmentStatus.CANCELLED, offer_expires_at=None, completion_reason=waiting_reason)
        edition.status = EditionStatus.CLOSED
        edition.save(update_fields=["status"])
        for enrollment in completed:
            transaction.on_commit(partial(enrollment_completed.send, sender=Enrollment, enrollment=enrollment))
    return {"completed": len(completed), "not_completed": len(enrollments) - len(completed)}


# Emails ---------------------------------------------------------------------------------------------------


def _email_enqueue(enrollment, *, kind) -> None:
    from trainings import tasks

    transaction.on_commit(partial(tasks.enrollment_email_send.enqueue, enrollment_id=enrollment.pk, kind=kind))


EMAIL_SUBJECTS = {
    "confirmation": gettext_noop("Your training enrolment"),
    "promotion": gettext_noop("A seat is free for you"),
    "approved": gettext_noop("Your training enrolment was approved"),
    "reminder": gettext_noop("Your training starts tomorrow"),
}


def enrollment_email_send(*, enrollment_id, kind) -> bool:
    """Send one email about an enrolment, in the trainee's language, with the edition's dates."""
    from trainings.exports import edition_ics

    enrollment = (
        Enrollment.objects.select_related("edition__programme", "user__profile")
        .prefetch_related("edition__sessions")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None or not enrollment.user.email:
        return False
    edition = enrollment.edition
    profile = getattr(enrollment.user, "profile", None)
    language = getattr(profile, "preferred_language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _(EMAIL_SUBJECTS[kind])
        body = render_to_string(
            "trainings/email/enrollment.txt",
            {
                "kind": kind,
                "enrollment": enrollment,
                "edition": edition,
                "sessions": list(edition.sessions.all()),
                "name": getattr(profile, "full_name", "") or enrollment.user.email,
                "site_url": settings.WAGTAILADMIN_BASE_URL,
            },
        )
    message = EmailMessage(subject=subject, body=body, to=[enrollment.user.email])
    if kind in ("confirmation", "promotion", "approved", "reminder") and enrollment.status in (
        EnrollmentStatus.ENROLLED,
        EnrollmentStatus.PENDING_APPROVAL,
        EnrollmentStatus.OFFERED,
    ):
        message.attach("training.ics", edition_ics(edition=edition), "text/calendar")
    message.send()
    return True


def reminders_enqueue(*, today=None) -> int:
    """Enqueue a reminder for everyone enrolled in an edition with a session tomorrow; once per day."""
    from trainings import tasks

    today = today or dates.today()
    tomorrow = today + timedelta(days=1)
    with transaction.atomic():
        editions = Edition.objects.filter(status=EditionStatus.OPEN, sessions__start__date=tomorrow)
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
