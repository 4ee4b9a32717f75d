"""Trainings on the data set: the public catalogue, the dashboard of a trainee who keeps coming back, a
trainer's editions and the attendance screen of her latest session; and enrolment under load.

The load test fires 200 concurrent enrolment requests (threads, each with its own database connection)
at one extra edition with 40 seats, made on top of the data set, and asserts that none is overbooked.
SQLite by default; PostgreSQL when BENCH_DATABASE_URL points to one.
"""

import statistics
import threading
import time
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.urls import reverse

from bench.dataset import TRAINEE, dataset_project, dataset_user
from bench.harness import Measurement, after_a_change, logged_in, page
from core import dates
from trainings.enums import SEAT_HOLDING_STATUSES, EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingProgramme, workflow
from trainings.selectors import catalogue_editions

LOAD_PROGRAMME = "Bench: enrolment under load"
MAX_CONNECTIONS = 32
CONCURRENT = 200
CAPACITY = 40


def _load_edition_remove():
    """The extra edition of an earlier run, never anything of the data set."""
    with workflow():  # the bench's own rows, removed as a whole
        Enrollment.objects.filter(edition__programme__title=LOAD_PROGRAMME).delete()
    Edition.objects.filter(programme__title=LOAD_PROGRAMME).delete()


def _load():
    """200 threads enrol at the same moment in one edition; returns a Measurement with throughput."""
    from django.contrib.auth import get_user_model

    from trainings import services

    _load_edition_remove()
    programme, _created = TrainingProgramme.objects.get_or_create(title=LOAD_PROGRAMME)
    now = dates.now()
    start = dates.today() + timedelta(days=3)
    edition = Edition.objects.create(
        programme=programme,
        start_date=start,
        end_date=start,
        capacity=CAPACITY,
        enrolment_opens=now - timedelta(days=1),
        enrolment_closes=now + timedelta(days=2),
        status=EditionStatus.OPEN,
    )
    users = list(get_user_model().objects.filter(username__startswith=TRAINEE).order_by("-pk")[:CONCURRENT])
    barrier = threading.Barrier(len(users))
    timings, errors = [], []
    lock = threading.Lock()
    # 200 connections at once would exceed PostgreSQL's default max_connections (100); a web server holds
    # a bounded number of connections and the rest of the requests queue for one.
    connections_free = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def _enrol(user):
        try:
            barrier.wait()
            started = time.perf_counter()
            with connections_free:  # as behind a server's bounded worker pool: the wait counts in the time
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
    _load_edition_remove()
    assert held <= CAPACITY, f"overbooked: {held} seats taken of {CAPACITY}"
    assert not errors, f"{len(errors)} enrolments failed: {errors[:3]}"
    assert held == CAPACITY, f"only {held} of {CAPACITY} seats taken ({len(errors)} errors: {errors[:3]})"
    note = (
        f"{connection.vendor}: {len(users)} concurrent enrolments through {MAX_CONNECTIONS} connections in "
        f"{elapsed:.2f} s = {len(users) / elapsed:.0f}/s; "
        f"{held}/{CAPACITY} seats, {len(users) - held - len(errors)} waitlisted, {len(errors)} errors, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:.0f} ms; no overbooking"
    )
    return Measurement(
        f"trainings: {len(users)} concurrent enrolments (per request)",
        statistics.median(timings),
        0,
        0,
        len(timings),
        note,
    )


def run(measure):
    from django.conf import settings

    from trainings.models import TrainingCataloguePage

    catalogue = TrainingCataloguePage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE).get()
    trainee = dataset_user(TRAINEE)  # the one enrolled in every eighth edition
    latest = (
        Edition.objects.filter(project=dataset_project(), start_date__lt=dates.today()).order_by("-start_date").first()
    )
    trainer = latest.trainers.get()
    session = latest.sessions.order_by("-start").first()
    participants = latest.enrollments.exclude(status=EnrollmentStatus.CANCELLED).count()
    as_trainee, as_trainer = logged_in(trainee), logged_in(trainer)
    visitor = page(Client(HTTP_HOST="localhost"), catalogue.url)
    # After a change to a trainings table the kept catalogue is not served: the page, or what it shows everyone
    # signed in, is built again.
    built_afresh = after_a_change(visitor)
    signed_in = page(as_trainee, catalogue.url)
    signed_in_afresh = after_a_change(signed_in)
    upcoming = catalogue_editions().count()
    return [
        measure(f"trainings: catalogue page ({upcoming} upcoming editions)", visitor, runs=20),
        measure(
            f"trainings: catalogue page built afresh after a change ({upcoming} upcoming editions)",
            built_afresh,
            runs=20,
            note="the first visitor after any change to a trainings table (the next visitors: the row above)",
        ),
        measure(
            f"trainings: catalogue page signed in ({upcoming} upcoming editions)",
            signed_in,
            runs=20,
            note="as a trainee sees it: what it shows everyone kept, her own enrolments read for her cards",
        ),
        measure(
            f"trainings: catalogue page signed in, first after a change ({upcoming} upcoming editions)",
            signed_in_afresh,
            runs=20,
            note="her first view after any change to a trainings table (her next views: the row above)",
        ),
        measure(
            f"trainings: trainee dashboard ({trainee.enrollments.count()} trainings)",
            page(as_trainee, reverse("trainings:dashboard")),
            runs=20,
        ),
        measure(
            f"trainings: trainer's editions ({trainer.trained_editions.count()})",
            page(as_trainer, reverse("trainings:trainer_editions")),
            runs=20,
        ),
        measure(
            f"trainings: attendance screen ({participants} participants)",
            page(as_trainer, reverse("trainings:session_attendance", args=[session.pk])),
            runs=20,
        ),
        measure(
            f"trainings: participants XLSX ({participants})",
            page(as_trainer, reverse("trainings:participants_xlsx", args=[latest.pk])),
            runs=10,
        ),
        _load(),
    ]
