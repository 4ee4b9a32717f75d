from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Q, QuerySet

from certificates.codes import code_normalise
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
    if user.has_perm("certificates.manage_certificate"):
        return queryset
    return queryset.filter(holder=user)


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this verification code: as typed from paper (any case, dashes, look-alike
    letters) or, for certificates issued before the short codes, exactly as the old QR code carries it."""
    code = (code or "").strip()
    if not code or "\x00" in code:
        return None
    candidates = {code, code_normalise(code)}
    queryset = Certificate.objects.select_related("replaced_by", "issuer").filter(verification_code__in=candidates)
    return queryset.first()


def certificate_serial_exists(*, serial: str) -> bool:
    """Whether a certificate has this serial: all a serial alone may tell (serials are sequential)."""
    serial = (serial or "").strip()
    return bool(serial) and Certificate.objects.filter(serial__iexact=serial).exists()


def accreditations_for_edition(*, edition) -> list[Accreditation]:
    """Accreditations of the edition's programme valid on every day of the edition, newest decision first."""
    return list(
        Accreditation.objects.filter(
            programmes=edition.programme_id, valid_from__lte=edition.start_date, valid_until__gte=edition.end_date
        ).order_by("-valid_from", "-decision_date", "-pk")
    )


def accreditation_for_edition(*, edition) -> Accreditation | None:
    """The accreditation a certificate of this edition cites: valid on all its days, newest decision first."""
    found = accreditations_for_edition(edition=edition)
    return found[0] if found else None


def certificate_settings_default():
    """The certificate settings of the default site (what a certificate issued by a task prints)."""
    from wagtail.models import Site

    from certificates.models import CertificateSettings

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    return CertificateSettings.for_site(site) if site else CertificateSettings()


def status_list_revoked_positions(*, list_number: int) -> list[int]:
    """Positions in one status list whose credential no longer stands (revoked, or replaced by another)."""
    from certificates.openbadges import STATUS_LIST_SIZE

    start = list_number * STATUS_LIST_SIZE
    indexes = Certificate.objects.filter(
        status_list_index__gte=start, status_list_index__lt=start + STATUS_LIST_SIZE
    ).exclude(status=CertificateStatus.VALID)
    return [index - start for index in indexes.values_list("status_list_index", flat=True)]


def status_list_exists(*, list_number: int) -> bool:
    from certificates.openbadges import STATUS_LIST_SIZE

    start = list_number * STATUS_LIST_SIZE
    return Certificate.objects.filter(
        status_list_index__gte=start, status_list_index__lt=start + STATUS_LIST_SIZE
    ).exists()


def accreditations_register(*, today=None) -> list[Accreditation]:
    """The public register: current accreditations first, then expired ones (marked), programmes prefetched."""
    today = today or dates.today()
    accreditations = list(Accreditation.objects.prefetch_related("programmes").order_by("-valid_until", "body"))
    for accreditation in accreditations:
        accreditation.expired = accreditation.is_expired(today)
        accreditation.not_yet_valid = accreditation.valid_from > today
    accreditations.sort(key=lambda a: (a.expired, a.not_yet_valid))
    return accreditations


# A certificate that takes its enrolment off the list of those awaiting one: valid, or revoked (a coordinator
# cannot undo a revocation by issuing: only completion decided again does, certificate_completion_sync).
# The list, its count and the task that issues what completion earned (certificate_ensure) read it from here.
HELD_CERTIFICATE_STATUSES = (CertificateStatus.VALID, CertificateStatus.REVOKED)


def enrollments_awaiting_certificate() -> QuerySet[Enrollment]:
    """Completed enrolments with no current certificate: what a coordinator may still issue."""
    return (
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
        .exclude(certificates__status__in=HELD_CERTIFICATE_STATUSES)
        .select_related("user__profile", "edition__programme")
        .order_by("edition__end_date", "id")
    )


AWAITING_PER_PAGE = 25
# A day at most: counts under stamps nobody asks for again leave the cache.
AWAITING_COUNT_KEPT_SECONDS = 24 * 60 * 60


def enrollments_awaiting_certificate_count() -> int:
    """How many enrolments await a certificate: the completed enrolments' ids less those with a valid or
    revoked certificate (one set difference of two index scans, 5 ms at ten times the data set's size, and
    growing with it).

    Kept under the stamps the database moves on any change to a trainings or a certificates table
    (reporting.inputs: triggers, whatever made the change), so the list's next view reads it back instead of
    counting again; counted afresh, and not kept, while a writer is at work."""
    from django.core.cache import cache

    from reporting.inputs import figures_inputs_stamp

    def count():
        held = Certificate.objects.filter(status__in=HELD_CERTIFICATE_STATUSES).values("enrollment_id")
        return Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED).values("pk").difference(held).count()

    # Before counting: a change committed meanwhile moves it past this count.
    stamp = figures_inputs_stamp(apps=("trainings", "certificates"))
    if stamp is None:
        return count()
    key = f"certificates:awaiting-count:{stamp[0]}:{stamp[1]}"
    counted = cache.get(key)
    if counted is None:
        counted = count()
        cache.set(key, counted, AWAITING_COUNT_KEPT_SECONDS)
    return counted


def enrollments_awaiting_certificate_page(*, page=None, per_page=AWAITING_PER_PAGE) -> Page:
    """Page `page` (from the URL; out of range or not a number gives the nearest page, as
    Paginator.get_page) of enrollments_awaiting_certificate(), oldest edition first.

    Counted by enrollments_awaiting_certificate_count(); the page's rows read by walking the editions in the
    order of their last day (indexed), so the search stops once the page is full. At ten times the data
    set's size one query that found, counted and sorted every awaiting enrolment with a correlated check per
    enrolment was 10.3 ms; the count and the page took 5.1 and 0.3 ms, and the count is now read back while
    nothing it counts changed."""
    paginator = Paginator((), per_page)
    paginator.count = enrollments_awaiting_certificate_count()
    try:
        number = paginator.validate_number(page)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    first = (number - 1) * per_page
    # The page's ids found first, alone: read with the rows' joins, the planner sorted every awaiting one.
    ids = enrollments_awaiting_certificate().values("pk")[first : first + per_page]
    rows = Enrollment.objects.filter(pk__in=ids).select_related("user__profile", "edition__programme")
    # One issued between the two queries is no longer awaiting: it leaves the page.
    return Page(list(rows.order_by("edition__end_date", "id")), number, paginator)


# What the coordinator's list shows of each certificate: not its signed credential (kilobytes each), read
# twice a row with the certificate that replaced it.
COORDINATOR_LIST_FIELDS = (
    "serial",
    "holder_name",
    "programme_title",
    "issued_on",
    "status",
    "replaced_by__serial",
)


def certificates_coordinator_list(*, query: str = "") -> QuerySet[Certificate]:
    queryset = Certificate.objects.select_related("replaced_by").only(*COORDINATOR_LIST_FIELDS)
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


# The trainee's record --------------------------------------------------------------------------------------

RENEWAL_NOTICE_DAYS = 90


@dataclass
class RecordLine:
    enrollment: Enrollment
    certificate: Certificate | None
    hours: Decimal | None
    state: str  # a VerificationState for a certified training, else "not_completed" or "no_certificate"

    @property
    def programme_title(self) -> str:
        return self.certificate.programme_title if self.certificate else self.enrollment.edition.programme.title


@dataclass
class TraineeRecord:
    lines: list
    points: list  # (accrediting body, points on valid certificates not expired), by body
    renewals: list  # (line due for renewal, [editions of its programme open for enrolment])

    @property
    def total_hours(self) -> Decimal:
        return sum((line.hours for line in self.lines if line.hours is not None), Decimal(0))


def trainee_record(*, user, today=None) -> TraineeRecord:
    """All her past trainings with hours, her points per accrediting body and what is due for renewal.

    Five queries whatever the number of trainings: enrolments, their sessions and attendance, her
    certificates, and the open editions offered for renewal.
    """
    from trainings.selectors import catalogue_editions
    from trainings.services import attended_hours

    today = today or dates.today()
    enrollments = list(
        Enrollment.objects.filter(user=user, status__in=[EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED])
        .select_related("edition__programme")
        .prefetch_related("edition__sessions", "attendances")
        .order_by("-edition__start_date", "-pk")
    )
    certificates = {}
    for certificate in (
        Certificate.objects.filter(holder=user).exclude(status=CertificateStatus.REPLACED).order_by("pk")
    ):
        certificates[certificate.enrollment_id] = certificate  # the latest one per enrolment wins
    lines = []
    for enrollment in enrollments:
        certificate = certificates.get(enrollment.pk)
        if certificate is not None:
            state = certificate.verification_state(today)
            hours = certificate.hours
        else:
            state = "not_completed" if enrollment.status == EnrollmentStatus.NOT_COMPLETED else "no_certificate"
            statuses = {a.session_id: a.status for a in enrollment.attendances.all()}
            hours = attended_hours(sessions=list(enrollment.edition.sessions.all()), statuses=statuses)
        lines.append(RecordLine(enrollment=enrollment, certificate=certificate, hours=hours, state=state))

    points = {}
    for line in lines:
        certificate = line.certificate
        if line.state == VerificationState.VALID and certificate.accreditation_points is not None:
            body = certificate.accreditation_body
            points[body] = points.get(body, Decimal(0)) + certificate.accreditation_points

    # Renewal is due when her latest certificate of a programme expires soon (or has expired); lines are
    # newest first, so the first certified line of each programme is the latest.
    latest = {}
    for line in lines:
        if line.state in (VerificationState.VALID, VerificationState.EXPIRED):
            latest.setdefault(line.enrollment.edition.programme_id, line)
    horizon = today + timedelta(days=RENEWAL_NOTICE_DAYS)
    due = [line for line in latest.values() if line.certificate.expires_on and line.certificate.expires_on <= horizon]
    renewals = []
    if due:
        programmes = [line.enrollment.edition.programme_id for line in due]
        editions = list(catalogue_editions(today=today).filter(programme_id__in=programmes))
        for line in due:
            offered = [e for e in editions if e.programme_id == line.enrollment.edition.programme_id]
            renewals.append((line, offered))
    return TraineeRecord(lines=lines, points=sorted(points.items()), renewals=renewals)
