"""Certificates: issue and render 500 certificates (gapless serial, frozen data, A4 PDF with QR and TTF);
then the pages that show the data set's certificates.

The 500 are for one extra edition of an extra accredited programme, made on top of the data set with 500
of its trainees and removed again when the module ends. Prints certificates per second; the
target is at least 20 per second on one core.
"""

import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.dataset import COORDINATOR, TRAINEE, dataset_user
from bench.harness import Measurement, logged_in, page
from certificates.models import Accreditation, Certificate
from core import dates
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingProgramme

TITLE = "Bench: certificate throughput"
COUNT = 500


def _extra_remove():
    """The extra edition of an earlier run; its certificates protect its enrolments, so they go first."""
    Certificate.objects.filter(programme_title=TITLE).delete()
    Enrollment.objects.filter(edition__programme__title=TITLE).delete()
    Edition.objects.filter(programme__title=TITLE).delete()


def _extra():
    _extra_remove()  # left behind by a run that failed half-way
    today = dates.today()
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
    opens = dates.now() - timedelta(days=90)
    edition = Edition.objects.create(
        programme=programme,
        start_date=today - timedelta(days=10),
        end_date=today - timedelta(days=9),
        enrolment_opens=opens,
        enrolment_closes=opens + timedelta(days=30),
        status=EditionStatus.CLOSED,
        capacity=COUNT,
    )
    users = get_user_model().objects.filter(username__startswith=TRAINEE).order_by("pk")[:COUNT]
    Enrollment.objects.bulk_create(
        [Enrollment(edition=edition, user=user, status=EnrollmentStatus.COMPLETED) for user in users]
    )
    return list(Enrollment.objects.filter(edition=edition).select_related("user__profile", "edition__programme"))


def _throughput():
    from certificates.exports import certificate_pdf
    from certificates.services import certificate_issue

    enrollments = _extra()
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
    # On a shared machine the wall clock includes waiting for the CPU; process time is what one core spends.
    return Measurement(
        f"certificates: issue + render x{len(enrollments)}",
        elapsed * 1000,
        len(captured),
        0,
        1,
        note=(
            f"{per_second:.1f} certificates/s (target >= 20/s), {len(enrollments) / cpu:.1f} per CPU-second; "
            f"{len(captured) / len(enrollments):.1f} queries and {sum(sizes) / len(sizes) / 1024:.0f} KiB PDF each"
        ),
    )


def run(measure):
    from certificates.exports import certificate_pdf

    holder = dataset_user(TRAINEE)  # the trainee enrolled in every eighth edition
    anonymous = Client(HTTP_HOST="localhost")
    results = [
        measure(
            f"certificates: trainee's certificates ({Certificate.objects.filter(holder=holder).count()})",
            page(logged_in(holder), reverse("certificates:mine")),
            runs=10,
        ),
        measure(
            f"certificates: coordinator's list ({Certificate.objects.count()}, 50 a page)",
            page(logged_in(dataset_user(COORDINATOR)), reverse("certificates:coordinator_list")),
            runs=10,
        ),
        measure(
            f"certificates: accreditation register ({Accreditation.objects.count()})",
            page(anonymous, reverse("certificates:register")),
            runs=10,
        ),
        _throughput(),
    ]
    last = Certificate.objects.filter(programme_title=TITLE).order_by("-pk").first()
    try:
        results += [
            measure(
                "certificates: render one PDF",
                lambda: certificate_pdf(certificate=last, verification_url="https://haven.example.org/verify/x/"),
                runs=20,
            ),
            # Few runs: the public verification page allows 30 requests a minute from one address.
            measure(
                "certificates: public verification page",
                page(anonymous, reverse("certificates:verify", args=[last.verification_code])),
                runs=5,
            ),
        ]
    finally:
        _extra_remove()  # so that the other modules see the data set as it was built
    return results
