import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from certificates.enums import CertificateStatus
from certificates.models import Certificate, CertificateCounter
from certificates.selectors import accreditation_for_edition, certificates_due_for_expiry_reminder
from core import dates
from core.dates import add_months
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment


def holder_name_for(user) -> str:
    profile = getattr(user, "profile", None)
    return (getattr(profile, "full_name", "") or user.get_full_name() or user.email or user.get_username()).strip()


def _serial(year: int, number: int) -> str:
    return f"{settings.HAVEN_CERTIFICATE_PREFIX}-{year}-{number:05d}"


def _next_number(year: int) -> int:
    # The counter row stays locked until the issuing transaction ends: a rolled-back issue leaves no gap,
    # and a concurrent issue waits instead of taking the same number.
    counter, _created = CertificateCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _locked_enrollment(enrollment) -> Enrollment:
    return (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the profile.
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("user__profile", "edition__programme")
        .get(pk=enrollment.pk)
    )


def _certificate_create(*, enrollment, holder_name, by, issued_on) -> Certificate:
    edition = enrollment.edition
    programme = edition.programme
    accreditation = accreditation_for_edition(edition=edition)
    year = issued_on.year
    number = _next_number(year)
    expires_on = None
    if accreditation and accreditation.certificate_validity_months:
        expires_on = add_months(issued_on, accreditation.certificate_validity_months)
    profile = getattr(enrollment.user, "profile", None)
    return Certificate.objects.create(
        enrollment=enrollment,
        holder=enrollment.user,
        edition=edition,
        accreditation=accreditation,
        year=year,
        number=number,
        serial=_serial(year, number),
        verification_code=secrets.token_urlsafe(24),
        holder_name=holder_name,
        holder_organisation=getattr(profile, "organisation", "") or "",
        programme_title=programme.title,
        edition_start=edition.start_date,
        edition_end=edition.end_date,
        hours=(accreditation.hours if accreditation and accreditation.hours else programme.hours),
        accreditation_body=accreditation.body if accreditation else "",
        accreditation_number=accreditation.decision_number if accreditation else "",
        accreditation_points=accreditation.points if accreditation else None,
        issued_on=issued_on,
        expires_on=expires_on,
        issued_by=by if getattr(by, "is_authenticated", False) else None,
    )


@transaction.atomic
def certificate_issue(*, enrollment, by=None, issued_on=None) -> Certificate:
    """Issue the certificate of a completed enrolment; refuses a second one for the same enrolment."""
    enrollment = _locked_enrollment(enrollment)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        raise ValidationError(_("A certificate can only be issued for a completed enrolment."), code="not_completed")
    if enrollment.certificates.exclude(status=CertificateStatus.REPLACED).exists():
        raise ValidationError(_("This enrolment already has a certificate."), code="exists")
    holder_name = holder_name_for(enrollment.user)
    if not holder_name:
        raise ValidationError(_("The trainee has no name to print on the certificate."), code="no_name")
    return _certificate_create(
        enrollment=enrollment, holder_name=holder_name, by=by, issued_on=issued_on or dates.today()
    )


@transaction.atomic
def certificate_ensure(*, enrollment, by=None) -> Certificate | None:
    """Issue if the enrolment is completed and has no certificate yet; safe to call again (the task does)."""
    enrollment = _locked_enrollment(enrollment)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        return None
    existing = enrollment.certificates.exclude(status=CertificateStatus.REPLACED).first()
    if existing is not None:
        return existing
    return certificate_issue(enrollment=enrollment, by=by)


@transaction.atomic
def certificate_reissue(*, certificate, by, holder_name="") -> Certificate:
    """A new certificate (new serial, new code) after a name correction; the old one is shown as replaced."""
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.status == CertificateStatus.REPLACED:
        raise ValidationError(_("This certificate was already replaced."), code="replaced")
    enrollment = _locked_enrollment(old.enrollment)
    holder_name = (holder_name or holder_name_for(enrollment.user)).strip()
    if not holder_name:
        raise ValidationError(_("Enter the name as it should print."), code="no_name")
    # The old one must leave the "one current certificate per enrolment" constraint before the new one exists.
    old.status = CertificateStatus.REPLACED
    old.save(update_fields=["status"])
    new = _certificate_create(enrollment=enrollment, holder_name=holder_name, by=by, issued_on=dates.today())
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return new


@transaction.atomic
def certificate_revoke(*, certificate, reason, by) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the certificate.")}, code="no_reason")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.VALID:
        raise ValidationError(_("Only a valid certificate can be revoked."), code="not_valid")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_reason = reason[:255]
    certificate.revoked_at = dates.now()
    certificate.save(update_fields=["status", "revoked_reason", "revoked_at"])
    return certificate


def certificate_expiry_reminders_enqueue(*, today=None, days_before=60) -> int:
    """Mark and enqueue one reminder per certificate expiring within `days_before` days; returns how many."""
    from functools import partial

    from certificates.tasks import certificate_expiry_reminder_send

    count = 0
    with transaction.atomic():
        ids = list(
            certificates_due_for_expiry_reminder(today=today, days_before=days_before)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        Certificate.objects.filter(pk__in=ids).update(expiry_reminder_sent_at=dates.now())
        for certificate_id in ids:
            transaction.on_commit(partial(certificate_expiry_reminder_send.enqueue, certificate_id=certificate_id))
            count += 1
    return count


def certificate_expiry_reminder_email(*, certificate) -> None:
    user = certificate.holder
    profile = getattr(user, "profile", None)
    language = getattr(profile, "preferred_language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Your certificate expires soon")
        body = render_to_string(
            "certificates/email/expiry_reminder.txt",
            {"certificate": certificate, "organisation": settings.HAVEN_ORGANISATION_NAME},
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
