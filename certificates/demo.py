"""Demo data: an accreditation for the demo programmes, certificates for past editions, one revoked."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from accounts.enums import Role
from accounts.services import profile_save
from certificates.enums import CertificateStatus
from certificates.models import Accreditation, Certificate
from certificates.selectors import accreditation_for_edition
from certificates.services import certificate_ensure, certificate_reissue, certificate_revoke
from core import dates
from core.enums import AttendanceStatus
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingProgramme, TrainingSession
from trainings.services import attended_hours, enrollment_completion

PAST_PROGRAMME = "Skills for working with victims of violence"
PAST_TRAINEES = [
    ("ivana.radovanovic@example.org", "Ivana Radovanović", "Safe House Kragujevac"),
    ("lærke.holm@example.org", "Lærke Holm", "Dannerhuset København"),
    ("snezana.djuric@example.org", "Snežana Đurić", "Centre for Social Work Šabac"),
]


def load(*, users, stdout=None):
    today = dates.today()
    accreditation, _created = Accreditation.objects.get_or_create(
        body="Republički zavod za socijalnu zaštitu",
        decision_number="153-02-00117/2025-01",
        defaults={
            "decision_date": today - timedelta(days=420),
            "valid_from": today - timedelta(days=400),
            "valid_until": today + timedelta(days=330),
            "points": Decimal("12.0"),
            "hours": None,
            "professions": "Social workers, psychologists, pedagogues, NGO staff",
            "certificate_validity_months": 60,
        },
    )
    expired, _created = Accreditation.objects.get_or_create(
        body="Socialstyrelsen",
        decision_number="SST-2021-044",
        defaults={
            "decision_date": today - timedelta(days=1500),
            "valid_from": today - timedelta(days=1450),
            "valid_until": today - timedelta(days=370),
            "points": None,
            "hours": Decimal("8.0"),
            "professions": "Krisecenter staff",
        },
    )
    programmes = list(TrainingProgramme.objects.all()[:3])
    accreditation.programmes.add(*programmes)
    expired.programmes.add(*programmes[:1])

    past = _past_edition(users=users, today=today)
    editions = Edition.objects.filter(status=EditionStatus.CLOSED, end_date__lt=today)
    for enrollment in Enrollment.objects.filter(edition__in=editions, status=EnrollmentStatus.COMPLETED):
        certificate_ensure(enrollment=enrollment)
    _accreditation_backfill()

    if past and not Certificate.objects.filter(status=CertificateStatus.REVOKED).exists():
        victim = Certificate.objects.filter(edition=past, status=CertificateStatus.VALID).order_by("number").last()
        if victim:
            certificate_revoke(
                certificate=victim,
                reason="Attendance was recorded for the wrong person; corrected certificate to follow.",
                by=users.get(Role.COORDINATOR),
            )
    if stdout:
        stdout.write(f"    {Accreditation.objects.count()} accreditations, {Certificate.objects.count()} certificates")


def _past_edition(*, users, today):
    """A second past edition, so that the register and the revoked example have something to show."""
    programme = TrainingProgramme.objects.filter(title=PAST_PROGRAMME).first()
    if programme is None:
        programme, _created = TrainingProgramme.objects.get_or_create(
            title=PAST_PROGRAMME, defaults={"hours": Decimal("8.0")}
        )
    start = today - timedelta(days=120)
    opens = dates.now() - timedelta(days=200)
    edition, _created = Edition.objects.get_or_create(
        programme=programme,
        start_date=start,
        defaults={
            "end_date": start,
            "venue": "Haven Women's Centre",
            "municipality": "Novi Sad",
            "capacity": 12,
            "enrolment_opens": opens,
            "enrolment_closes": opens + timedelta(days=60),
            "status": EditionStatus.CLOSED,
        },
    )
    User = get_user_model()
    for email, name, organisation in PAST_TRAINEES:
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            # Certificate holders only: these people never log in to the demo.
            user.set_unusable_password()
            user.save()
            profile_save(user=user, full_name=name, organisation=organisation, job_title="Social worker")
        enrollment, created = Enrollment.objects.get_or_create(
            edition=edition, user=user, defaults={"status": EnrollmentStatus.COMPLETED}
        )
        if created:
            _attended_all(enrollment)
    return edition


def _attended_all(enrollment):
    """She was at the edition's one day: her attendance, hours and reason as closing it would have kept them
    (a certificate of no hours attended, as the demo showed, is one no organisation issues)."""
    edition = enrollment.edition
    if not edition.sessions.exists():
        start = dates.start_of_day(edition.start_date) + timedelta(hours=9)
        TrainingSession.objects.create(edition=edition, start=start, end=start + timedelta(hours=8), title="Day 1")
    sessions = list(edition.sessions.all())
    for session in sessions:
        TrainingAttendance.objects.create(session=session, enrollment=enrollment, status=AttendanceStatus.PRESENT)
    statuses = {session.pk: AttendanceStatus.PRESENT for session in sessions}
    _done, code, details = enrollment_completion(programme=edition.programme, sessions=sessions, statuses=statuses)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        hours_attended=attended_hours(sessions=sessions, statuses=statuses).quantize(Decimal("0.1")),
        completion_code=code,
        completion_details=details,
    )


def _accreditation_backfill():
    # Demo only: the trainings demo closes its edition (and so issues certificates) before this app's demo
    # has created the accreditation. A real organisation records the accreditation before the training; one
    # that records it late replaces the certificates, as here (a certificate never changes once issued).
    for certificate in Certificate.objects.filter(accreditation__isnull=True, status=CertificateStatus.VALID):
        if accreditation_for_edition(edition=certificate.edition) is None:
            continue
        certificate_reissue(
            certificate=certificate,
            holder_name=certificate.holder_name,
            reason="The accreditation was recorded after the certificate was issued.",
            by=None,
        )
