from datetime import timedelta

from django.db.models import Q, QuerySet

from accounts.enums import Role
from accounts.roles import has_role
from certificates.enums import CertificateStatus, VerificationState
from certificates.models import Accreditation, Certificate
from core import dates
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment


def certificates_for(user) -> QuerySet[Certificate]:
    """Every certificate the user may see: coordinators all of them, anyone else only her own."""
    if not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    queryset = Certificate.objects.select_related("holder", "replaced_by")
    if has_role(user, Role.COORDINATOR):
        return queryset
    return queryset.filter(holder=user)


def certificate_by_code(*, code: str) -> Certificate | None:
    return Certificate.objects.select_related("replaced_by").filter(verification_code=code).first()


def certificate_by_serial(*, serial: str) -> Certificate | None:
    return Certificate.objects.select_related("replaced_by").filter(serial__iexact=serial.strip()).first()


def accreditation_for_edition(*, edition) -> Accreditation | None:
    """The accreditation covering the edition's programme on the edition's last day, newest decision first."""
    return (
        Accreditation.objects.filter(
            programmes=edition.programme_id, valid_from__lte=edition.end_date, valid_until__gte=edition.end_date
        )
        .order_by("-valid_from", "-decision_date")
        .first()
    )


def accreditations_register(*, today=None) -> list[Accreditation]:
    """The public register: current accreditations first, then expired ones (marked), programmes prefetched."""
    today = today or dates.today()
    accreditations = list(Accreditation.objects.prefetch_related("programmes").order_by("-valid_until", "body"))
    for accreditation in accreditations:
        accreditation.expired = accreditation.is_expired(today)
        accreditation.not_yet_valid = accreditation.valid_from > today
    accreditations.sort(key=lambda a: (a.expired, a.not_yet_valid))
    return accreditations


def enrollments_awaiting_certificate() -> QuerySet[Enrollment]:
    """Completed enrolments with no current certificate: what a coordinator may still issue."""
    return (
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
        .exclude(certificates__status__in=[CertificateStatus.VALID, CertificateStatus.REVOKED])
        .select_related("user__profile", "edition__programme")
        .order_by("edition__end_date", "id")
    )


def certificates_coordinator_list(*, query: str = "") -> QuerySet[Certificate]:
    queryset = Certificate.objects.select_related("replaced_by")
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(serial__icontains=query) | Q(holder_name__icontains=query) | Q(programme_title__icontains=query)
        )
    return queryset


def certificates_due_for_expiry_reminder(*, today=None, days_before=60) -> QuerySet[Certificate]:
    today = today or dates.today()
    return Certificate.objects.filter(
        status=CertificateStatus.VALID,
        expires_on__isnull=False,
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=days_before),
        expiry_reminder_sent_at__isnull=True,
    )


def register_rows(*, accreditation, date_from=None, date_to=None):
    """Rows for the accrediting body's register, in the column order of register_header()."""
    queryset = Certificate.objects.filter(accreditation=accreditation)
    if date_from:
        queryset = queryset.filter(issued_on__gte=date_from)
    if date_to:
        queryset = queryset.filter(issued_on__lte=date_to)
    today = dates.today()
    for certificate in queryset.order_by("issued_on", "year", "number").iterator(chunk_size=500):
        yield [
            certificate.serial,
            certificate.holder_name,
            certificate.holder_organisation,
            certificate.programme_title,
            certificate.edition_start,
            certificate.edition_end,
            certificate.issued_on,
            certificate.expires_on,
            certificate.hours,
            certificate.accreditation_points,
            str(certificate.get_status_display()),
            str(VerificationState(certificate.verification_state(today)).label),
        ]
