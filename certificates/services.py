import copy
import hashlib
import io
import json
import secrets
import unicodedata
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from certificates import openbadges
from certificates.codes import code_new
from certificates.enums import CertificateEventKind, CertificateStatus
from certificates.models import Certificate, CertificateCounter, CertificateEvent, CertificateIssuer
from certificates.selectors import (
    HELD_CERTIFICATE_STATUSES,
    accreditation_for_edition,
    certificate_settings_default,
    certificates_due_for_expiry_reminder,
    status_list_revoked_positions,
)
from core import dates
from core.dates import add_months
from trainings.enums import CompletionRule, EnrollmentStatus
from trainings.models import Enrollment, TrainingAttendance
from trainings.services import attended_hours

# Names ---------------------------------------------------------------------------------------------------


def name_clean(value: str) -> str:
    """A name as it may print: NFC, no control or invisible format characters, single spaces.

    Right-to-left overrides and zero-width characters (Unicode categories Cc and Cf) would let a printed
    name read differently from the stored one, or look identical to another; they are removed.
    """
    value = unicodedata.normalize("NFC", value or "")
    kept = "".join(" " if ch.isspace() else ch for ch in value if unicodedata.category(ch) not in {"Cc", "Cf"})
    return " ".join(kept.split())


def holder_name_for(user) -> str:
    profile = getattr(user, "profile", None)
    return name_clean(getattr(profile, "full_name", "") or user.get_full_name() or user.email or user.get_username())


# The issuer, frozen --------------------------------------------------------------------------------------

ISSUER_TEXT_FIELDS = (
    "organisation_name",
    "title",
    "completion_text",
    "footer_text",
    "first_signatory_name",
    "first_signatory_title",
    "second_signatory_name",
    "second_signatory_title",
)
ISSUER_IMAGE_FIELDS = ("logo", "first_signature", "second_signature")


def _image_png(image) -> bytes | None:
    """A Wagtail image as a PNG of print size, or None when it is unset or its file is gone or unreadable."""
    if image is None:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with image.file.open("rb") as handle, Image.open(handle) as picture:
            picture.thumbnail((800, 300))
            output = io.BytesIO()
            picture.convert("RGBA" if "A" in picture.getbands() else "RGB").save(output, "PNG", optimize=True)
            return output.getvalue()
    except (OSError, ValueError, UnidentifiedImageError):
        return None


def issuer_from_settings(certificate_settings, *, with_images=False) -> CertificateIssuer:
    """An unsaved issuer with what the settings would print now; the images are read only when asked for
    (the preview, or a new issuer row), since `source_key` already tells an existing row apart."""
    values = {name: getattr(certificate_settings, name, "") or "" for name in ISSUER_TEXT_FIELDS}
    values["organisation_name"] = values["organisation_name"] or settings.HAVEN_ORGANISATION_NAME
    identity = [getattr(certificate_settings, name, None) for name in ISSUER_IMAGE_FIELDS]
    source = json.dumps(
        [values, [(image.pk, image.file.name) if image else None for image in identity]], sort_keys=True
    )
    issuer = CertificateIssuer(source_key=hashlib.sha256(source.encode()).hexdigest(), **values)
    if with_images:
        for name, image in zip(ISSUER_IMAGE_FIELDS, identity, strict=True):
            setattr(issuer, name, _image_png(image))
    return issuer


def issuer_current() -> CertificateIssuer:
    """The issuer as the certificate settings describe it now, frozen in a row shared by identical settings."""
    certificate_settings = certificate_settings_default()
    draft = issuer_from_settings(certificate_settings)
    existing = CertificateIssuer.objects.filter(source_key=draft.source_key).first()
    if existing is not None:
        return existing
    draft = issuer_from_settings(certificate_settings, with_images=True)
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:  # made by a concurrent issue a moment ago
        return CertificateIssuer.objects.get(source_key=draft.source_key)
    return draft


# Issuing -------------------------------------------------------------------------------------------------


def _serial(year: int, number: int) -> str:
    return f"{settings.HAVEN_CERTIFICATE_PREFIX}-{year}-{number:05d}"


def _next_number(year: int) -> int:
    # The counter row stays locked until the issuing transaction ends: a rolled-back issue leaves no gap,
    # and a concurrent issue waits instead of taking the same number.
    counter, _created = CertificateCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _status_index_new() -> int:
    """A free position in the status list, chosen at random so that positions do not tell issue order.

    A list is filled to a quarter before the next one is started, so that free positions stay easy to
    find; the serial counter's lock (held by the caller) keeps two issues from choosing together.
    """
    taken = Certificate.objects.filter(status_list_index__isnull=False).count()
    list_number = taken // (openbadges.STATUS_LIST_SIZE // 4)
    base = list_number * openbadges.STATUS_LIST_SIZE
    while True:
        index = base + secrets.randbelow(openbadges.STATUS_LIST_SIZE)
        if not Certificate.objects.filter(status_list_index=index).exists():
            return index


def _locked_enrollment(enrollment) -> Enrollment:
    return (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the profile.
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("user__profile", "edition__programme")
        .get(pk=enrollment.pk)
    )


def hours_attended(enrollment):
    """Hours she was present at sessions as held: what trainings recorded when it decided her completion,
    else counted here from her attendance."""
    recorded = getattr(enrollment, "hours_attended", None)
    if recorded is not None:
        return recorded
    sessions = list(enrollment.edition.sessions.all())
    statuses = dict(TrainingAttendance.objects.filter(enrollment=enrollment).values_list("session_id", "status"))
    return attended_hours(sessions=sessions, statuses=statuses)


def completion_criteria(programme) -> str:
    """The completion rule in words, for the credential's criteria (in the organisation's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        if programme.completion_rule == CompletionRule.ALL_SESSIONS:
            return _("Attendance at every session of the training.")
        return _("Attendance at no less than %(percent)d%% of the training's session hours.") % {
            "percent": programme.min_attendance_percent
        }


def _credential_text(certificate, *, programme, email, created) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        description = _("%(programme)s, held from %(start)s to %(end)s.") % {
            "programme": certificate.programme_title,
            "start": formats.date_format(certificate.edition_start, "Y-m-d"),
            "end": formats.date_format(certificate.edition_end, "Y-m-d"),
        }
    credential = openbadges.credential_build(
        certificate, criteria=completion_criteria(programme), description=description, email=email
    )
    return openbadges.credential_sign(credential, created=created)


def _event(certificate, kind, *, by, reason="") -> None:
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=kind,
        reason=(reason or "")[:255],
        by=by if getattr(by, "is_authenticated", False) else None,
        at=dates.now(),
    )


def certificate_expires_on(*, issued_on, accreditation):
    """Her certificate's last valid day: the accreditation's validity in calendar months (a day the later
    month lacks becomes its last day: 31 August + 6 months is 28 February), or None when it never expires."""
    if accreditation is None or not accreditation.certificate_validity_months:
        return None
    return add_months(issued_on, accreditation.certificate_validity_months)


def _certificate_create(*, enrollment, holder_name, by, issued_on, reason) -> Certificate:
    edition = enrollment.edition
    programme = edition.programme
    accreditation = accreditation_for_edition(edition=edition)
    issuer = issuer_current()
    now = dates.now()
    issued_at = now if issued_on == dates.local_date(now) else dates.start_of_day(issued_on)
    year = issued_on.year
    number = _next_number(year)
    expires_on = certificate_expires_on(issued_on=issued_on, accreditation=accreditation)
    profile = getattr(enrollment.user, "profile", None)
    certificate = Certificate(
        enrollment=enrollment,
        holder=enrollment.user,
        edition=edition,
        accreditation=accreditation,
        issuer=issuer,
        year=year,
        number=number,
        serial=_serial(year, number),
        verification_code=code_new(),
        holder_name=holder_name,
        holder_organisation=name_clean(getattr(profile, "organisation", "")),
        holder_job_title=name_clean(getattr(profile, "job_title", "")),
        programme_title=programme.title,
        edition_start=edition.start_date,
        edition_end=edition.end_date,
        hours=hours_attended(enrollment),
        accreditation_body=accreditation.body if accreditation else "",
        accreditation_number=accreditation.decision_number if accreditation else "",
        accreditation_points=accreditation.points if accreditation else None,
        accreditation_valid_from=accreditation.valid_from if accreditation else None,
        accreditation_valid_until=accreditation.valid_until if accreditation else None,
        issued_on=issued_on,
        issued_at=issued_at,
        expires_on=expires_on,
        status_list_index=_status_index_new(),
        issued_by=by if getattr(by, "is_authenticated", False) else None,
    )
    certificate.credential = _credential_text(
        certificate, programme=programme, email=enrollment.user.email, created=now
    )
    certificate.save(force_insert=True)
    _event(certificate, CertificateEventKind.ISSUED, by=by, reason=reason)
    return certificate


def _has_valid(enrollment) -> bool:
    return enrollment.certificates.filter(status=CertificateStatus.VALID).exists()


@transaction.atomic
def certificate_issue(*, enrollment, by=None, issued_on=None, reason="") -> Certificate:
    """Issue the certificate of a completed enrolment; refuses a second valid one for the same enrolment.

    After a revocation the enrolment may be certified again only when completion says so again
    (`certificate_completion_sync`): a coordinator cannot undo a revocation by issuing.
    """
    enrollment = _locked_enrollment(enrollment)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        raise ValidationError(_("A certificate can only be issued for a completed enrolment."), code="not_completed")
    if _has_valid(enrollment):
        raise ValidationError(_("This enrolment already has a certificate."), code="exists")
    holder_name = holder_name_for(enrollment.user)
    if not holder_name:
        raise ValidationError(_("The trainee has no name to print on the certificate."), code="no_name")
    return _certificate_create(
        enrollment=enrollment,
        holder_name=holder_name,
        by=by,
        issued_on=issued_on or dates.today(),
        reason=reason or _("Training completed."),
    )


@transaction.atomic
def certificate_ensure(*, enrollment, by=None) -> Certificate | None:
    """Issue if the enrolment is completed and was never certified; safe to call again (the task does).

    A revoked certificate counts as "certified": running the task again must not undo a revocation.
    """
    enrollment = _locked_enrollment(enrollment)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        return None
    # The rule the coordinator's list of those awaiting a certificate reads: what it lists, this issues.
    existing = enrollment.certificates.filter(status__in=HELD_CERTIFICATE_STATUSES).order_by("-pk").first()
    if existing is not None:
        return existing
    return certificate_issue(enrollment=enrollment, by=by)


@transaction.atomic
def certificate_completion_sync(*, enrollment, reason, by=None) -> Certificate | None:
    """After completion changed on a closed edition: issue when she now completed and holds no valid
    certificate; revoke her valid certificate when she no longer completed. Both with the given reason."""
    enrollment = _locked_enrollment(enrollment)
    current = enrollment.certificates.filter(status=CertificateStatus.VALID).first()
    if enrollment.status == EnrollmentStatus.COMPLETED:
        if current is not None:
            return current
        return certificate_issue(enrollment=enrollment, by=by, reason=reason)
    if current is not None:
        return certificate_revoke(certificate=current, reason=reason, by=by)
    return None


@transaction.atomic
def certificate_reissue(*, certificate, by, holder_name="", reason="") -> Certificate:
    """A new certificate (new serial, new code) after a correction; the old one is shown as replaced.

    Only a valid certificate can be replaced: a revoked one stays revoked.
    """
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.status == CertificateStatus.REPLACED:
        raise ValidationError(_("This certificate was already replaced."), code="replaced")
    if old.status == CertificateStatus.REVOKED:
        raise ValidationError(
            _("A revoked certificate cannot be reissued; a new one is issued only when the training is completed."),
            code="revoked",
        )
    enrollment = _locked_enrollment(old.enrollment)
    holder_name = name_clean(holder_name) or holder_name_for(enrollment.user)
    if not holder_name:
        raise ValidationError(_("Enter the name as it should print."), code="no_name")
    reason = (reason or "").strip() or _("Name corrected.")
    # The old one must stop being valid before the new one exists (one valid certificate per enrolment).
    old.status = CertificateStatus.REPLACED
    old.save(update_fields=["status"])
    new = _certificate_create(
        enrollment=enrollment, holder_name=holder_name, by=by, issued_on=dates.today(), reason=reason
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    _event(old, CertificateEventKind.REPLACED, by=by, reason=reason)
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
    _event(certificate, CertificateEventKind.REVOKED, by=by, reason=reason)
    return certificate


@transaction.atomic
def certificate_credential_ensure(*, certificate) -> Certificate:
    """Sign a certificate issued before credentials existed (once; from then on it is frozen like the rest)."""
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("edition__programme", "holder", "issuer")
        .get(pk=certificate.pk)
    )
    if certificate.credential:
        return certificate
    # The counter's lock serialises choosing a status list position, as when issuing.
    CertificateCounter.objects.select_for_update().get_or_create(year=certificate.year)
    if certificate.status_list_index is None:
        certificate.status_list_index = _status_index_new()
    signed_as = copy.copy(certificate)
    signed_as.issued_at = certificate.issued_at or dates.start_of_day(certificate.issued_on)
    certificate.credential = _credential_text(
        signed_as, programme=certificate.edition.programme, email=certificate.holder.email, created=dates.now()
    )
    certificate.save(update_fields=["credential", "status_list_index"])
    return certificate


# The status list -----------------------------------------------------------------------------------------

# Keyed by the list's content: a revocation changes the key, so no cached list is ever out of date.
STATUS_LIST_CACHE = "certificates:status-list:{number}:{digest}"


def status_list_document(*, list_number: int) -> str:
    """The signed status list credential, re-signed only when its bits changed."""
    positions = sorted(status_list_revoked_positions(list_number=list_number))
    digest = hashlib.sha256(json.dumps(positions).encode()).hexdigest()[:32]
    key = STATUS_LIST_CACHE.format(number=list_number, digest=digest)
    document = cache.get(key)
    if document is None:
        document = openbadges.status_list_credential(list_number, revoked_positions=positions, created=dates.now())
        cache.set(key, document, timeout=24 * 3600)
    return document


def status_bit(list_number: int, position: int) -> bool:
    """What our published status list says at a position (read back from the signed list itself)."""
    document = json.loads(status_list_document(list_number=list_number))
    return openbadges.decoded_bit(document["credentialSubject"]["encodedList"], position)


# Accreditations ------------------------------------------------------------------------------------------


@transaction.atomic
def accreditation_save(*, accreditation, programmes=None, by=None):
    """Create or change an accreditation. Certificates already issued keep what they froze."""
    if accreditation.valid_from and accreditation.valid_until and accreditation.valid_until < accreditation.valid_from:
        raise ValidationError({"valid_until": _("The accreditation cannot end before it starts.")})
    accreditation.full_clean(exclude=["programmes"])
    accreditation.save()
    if programmes is not None:
        accreditation.programmes.set(programmes)
    return accreditation


@transaction.atomic
def accreditation_delete(*, accreditation, by=None) -> None:
    """Delete an accreditation no certificate cites; a cited one stays in the register (as expired, later)."""
    if accreditation.certificates.exists():
        raise ValidationError(
            _("Certificates cite this accreditation, so it cannot be deleted; it stays in the register."),
            code="cited",
        )
    accreditation.programmes.clear()
    accreditation.delete()


# Reminders -----------------------------------------------------------------------------------------------


def certificate_expiry_reminders_enqueue(*, today=None, days_before=60) -> int:
    """Mark and enqueue one reminder per certificate expiring within `days_before` days; returns how many."""
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
