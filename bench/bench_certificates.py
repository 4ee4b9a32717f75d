"""Certificates: issue and render 500 certificates (gapless serial, frozen data, A4 PDF with QR and TTF).

Prints certificates per second; the target is at least 20 per second on one core.
"""

import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.harness import Measurement

PREFIX = "bench-certificates"
TITLE = "Benchmark: Rad sa ženama koje su preživele nasilje"
COUNT = 500


def _data():
    from accounts.models import Profile
    from certificates.models import Accreditation, Certificate
    from trainings.enums import EditionStatus, EnrollmentStatus
    from trainings.models import Edition, Enrollment, TrainingProgramme

    # Earlier runs leave their certificates behind; they protect their enrolments, so they go first.
    Certificate.objects.filter(programme_title=TITLE).delete()
    Enrollment.objects.filter(edition__programme__title=TITLE).delete()
    Edition.objects.filter(programme__title=TITLE).delete()
    User = get_user_model()
    User.objects.filter(username__startswith=PREFIX).delete()

    today = timezone.localdate()
    programme, _created = TrainingProgramme.objects.get_or_create(title=TITLE, defaults={"hours": Decimal("16.0")})
    accreditation, _created = Accreditation.objects.get_or_create(
        body="Republički zavod za socijalnu zaštitu",
        decision_number="BENCH-153-02",
        defaults={
            "decision_date": today - timedelta(days=400),
            "valid_from": today - timedelta(days=365),
            "valid_until": today + timedelta(days=365),
            "points": Decimal("12.0"),
            "certificate_validity_months": 60,
        },
    )
    accreditation.programmes.add(programme)
    opens = timezone.now() - timedelta(days=90)
    edition = Edition.objects.create(
        programme=programme,
        start_date=today - timedelta(days=10),
        end_date=today - timedelta(days=9),
        enrolment_opens=opens,
        enrolment_closes=opens + timedelta(days=30),
        status=EditionStatus.CLOSED,
    )
    User.objects.bulk_create(
        [User(username=f"{PREFIX}{i}@example.org", email=f"{PREFIX}{i}@example.org") for i in range(COUNT)]
    )
    users = list(User.objects.filter(username__startswith=PREFIX).order_by("pk"))
    Profile.objects.bulk_create(
        [
            Profile(user=user, full_name=f"Đurđica Šćepanović-Østergård {i}", organisation="Centar za socijalni rad")
            for i, user in enumerate(users)
        ]
    )
    Enrollment.objects.bulk_create(
        [Enrollment(edition=edition, user=user, status=EnrollmentStatus.COMPLETED) for user in users]
    )
    return list(Enrollment.objects.filter(edition=edition).select_related("user__profile", "edition__programme"))


def run(measure):
    from certificates.exports import certificate_pdf
    from certificates.services import certificate_issue

    enrollments = _data()
    sizes = []
    started, cpu_started = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as captured:
        for enrollment in enrollments:
            certificate = certificate_issue(enrollment=enrollment)
            pdf = certificate_pdf(
                certificate=certificate,
                verification_url=f"https://haven.example.org/verify/{certificate.verification_code}/",
            )
            sizes.append(len(pdf))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    per_second = len(enrollments) / elapsed
    print(
        f"certificates: issued and rendered {len(enrollments)} in {elapsed:.1f} s = {per_second:.1f} certificates/s "
        f"(target >= 20/s), {len(captured) / len(enrollments):.1f} queries each, "
        f"{sum(sizes) / len(sizes) / 1024:.0f} KiB per PDF"
    )
    # On a shared machine the wall clock includes waiting for the CPU; process time is what one core spends.
    print(f"certificates: {len(enrollments) / cpu:.1f} certificates per CPU-second of this process")
    last = certificate
    results = [
        Measurement(
            f"certificates: issue + render x{len(enrollments)}",
            elapsed * 1000,
            len(captured),
            0,
            1,
            note=f"{per_second:.1f} certificates/s (target >= 20/s)",
        ),
        measure(
            "certificates: render one PDF",
            lambda: certificate_pdf(certificate=last, verification_url="https://haven.example.org/verify/x/"),
            runs=20,
        ),
    ]
    return results
