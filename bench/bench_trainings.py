"""Trainings: catalogue, trainee dashboard and attendance screen (queries + ms), and enrolment under load.

The load test fires 200 concurrent enrolment requests (threads, each with its own database connection)
at one edition and asserts that none is overbooked. SQLite by default; PostgreSQL when BENCH_DATABASE_URL
points to one.
"""

import statistics
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.harness import Measurement

PREFIX = "bench-trainings"
CONCURRENT = 200
CAPACITY = 40


def _trainees(prefix, count):
    """Many trainee accounts fast: no password hashing, two bulk inserts."""
    from accounts.models import Profile

    User = get_user_model()
    User.objects.filter(username__startswith=prefix).delete()
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{i}@example.org", email=f"{prefix}{i}@example.org") for i in range(count)]
    )
    users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    Profile.objects.bulk_create(
        [
            Profile(user=user, full_name=f"Polaznica Đurić {i}", organisation="Centar za socijalni rad")
            for i, user in enumerate(users)
        ]
    )
    return users


def _aware(day, hour):
    return timezone.make_aware(datetime.combine(day, clock(hour)))


def _dataset():
    from accounts.demo import demo_user
    from accounts.enums import Role
    from trainings.enums import EditionStatus, EnrollmentStatus
    from trainings.models import Edition, Enrollment, TrainingProgramme, TrainingSession

    programme, _ = TrainingProgramme.objects.get_or_create(title=f"{PREFIX} programme")
    Enrollment.objects.filter(edition__programme=programme).delete()
    Edition.objects.filter(programme=programme).delete()
    trainer = demo_user(email=f"{PREFIX}-trainer@example.org", role=Role.TRAINER, full_name="Bench Trainer")
    trainee = demo_user(email=f"{PREFIX}-trainee@example.org", role=Role.TRAINEE, full_name="Bench Trainee")
    today = timezone.localdate()
    now = timezone.now()
    editions = []
    for index in range(40):
        start = today + timedelta(days=5 + index)
        edition = Edition.objects.create(
            programme=programme,
            start_date=start,
            end_date=start + timedelta(days=1),
            municipality="Novi Sad",
            capacity=40,
            enrolment_opens=now - timedelta(days=10),
            enrolment_closes=now + timedelta(days=4),
            status=EditionStatus.OPEN,
        )
        edition.trainers.add(trainer)
        for offset in range(2):
            day = start + timedelta(days=offset)
            TrainingSession.objects.create(edition=edition, start=_aware(day, 9), end=_aware(day, 17))
        editions.append(edition)
    participants = _trainees(f"{PREFIX}-p", 40)
    Enrollment.objects.bulk_create(
        [Enrollment(edition=editions[0], user=user, status=EnrollmentStatus.ENROLLED) for user in participants]
    )
    Enrollment.objects.bulk_create(
        [Enrollment(edition=edition, user=trainee, status=EnrollmentStatus.ENROLLED) for edition in editions[1:21]]
    )
    return programme, editions, trainer, trainee


def _page(client, url):
    def _get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return _get


def _load(programme):
    """200 threads enrol at the same moment in one edition; returns a Measurement with throughput."""
    from trainings import services
    from trainings.enums import SEAT_HOLDING_STATUSES, EditionStatus
    from trainings.models import Edition, Enrollment

    now = timezone.now()
    start = timezone.localdate() + timedelta(days=3)
    edition = Edition.objects.create(
        programme=programme,
        start_date=start,
        end_date=start,
        capacity=CAPACITY,
        enrolment_opens=now - timedelta(days=1),
        enrolment_closes=now + timedelta(days=2),
        status=EditionStatus.OPEN,
    )
    users = _trainees(f"{PREFIX}-load", CONCURRENT)
    barrier = threading.Barrier(CONCURRENT)
    timings, errors = [], []
    lock = threading.Lock()

    def _enrol(user):
        try:
            barrier.wait()
            started = time.perf_counter()
            services.enrollment_create(edition=edition, user=user)
            with lock:
                timings.append((time.perf_counter() - started) * 1000)
        except Exception as exc:
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=_enrol, args=(user,)) for user in users]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    held = Enrollment.objects.filter(edition=edition, status__in=SEAT_HOLDING_STATUSES).count()
    assert held <= CAPACITY, f"overbooked: {held} seats taken of {CAPACITY}"
    assert held == CAPACITY, f"only {held} of {CAPACITY} seats taken ({len(errors)} errors: {errors[:3]})"
    note = (
        f"{connection.vendor}: {CONCURRENT} concurrent enrolments in {elapsed:.2f} s = {CONCURRENT / elapsed:.0f}/s; "
        f"{held}/{CAPACITY} seats, {CONCURRENT - held - len(errors)} waitlisted, {len(errors)} errors, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:.0f} ms; no overbooking"
    )
    return Measurement(
        f"trainings: {CONCURRENT} concurrent enrolments (per request)",
        statistics.median(timings),
        0,
        0,
        len(timings),
        note,
    )


def run(measure):
    programme, editions, trainer, trainee = _dataset()
    from trainings.demo import _catalogue_page
    from trainings.models import TrainingCataloguePage

    _catalogue_page()
    page = TrainingCataloguePage.objects.live().first()
    anonymous = Client(HTTP_HOST="localhost")
    trainee_client = Client(HTTP_HOST="localhost")
    trainee_client.force_login(trainee)
    trainer_client = Client(HTTP_HOST="localhost")
    trainer_client.force_login(trainer)
    session = editions[0].sessions.first()
    results = [
        measure("trainings: catalogue page, 40 editions", _page(anonymous, page.url), runs=20),
        measure("trainings: trainee dashboard, 20 trainings", _page(trainee_client, "/trainings/my/"), runs=20),
        measure(
            "trainings: attendance screen, 40 participants",
            _page(trainer_client, f"/trainings/teach/sessions/{session.pk}/attendance/"),
            runs=20,
        ),
    ]
    results.append(_load(programme))
    get_user_model().objects.filter(username__startswith=f"{PREFIX}-load").delete()
    return results
