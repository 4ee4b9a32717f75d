"""Background tasks on RQ and Redis, with two workers: a task delivered twice still issues one certificate.

Needs a Redis server in HAVEN_TEST_REDIS_URL (CI starts one on loopback). The workers are real processes
(`manage.py run_worker --burst`, RQ's fork per job) on the same database as the test.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from certificates.models import Certificate
from certificates.tasks import certificate_issue_task
from tests.certificates.conftest import (  # noqa: F401 - the certificates suite's own fixtures
    accreditation,
    completed_enrollment,
    edition,
    make_edition,
    make_enrollment,
    programme,
)
from tests.production.conftest import service

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_url():
    return service("HAVEN_TEST_REDIS_URL")


@pytest.fixture
def rq(redis_url):
    """Tasks of this process go to RQ on the test's Redis; its queue starts empty."""
    import django_rq

    queues = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 300}}
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}}, RQ_QUEUES=queues, HAVEN_REDIS_URL=redis_url
    ):
        queue = django_rq.get_queue("default")
        queue.empty()
        yield queue
        queue.empty()


def database_url() -> str:
    """The test database, as a URL the worker processes can read."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def workers(redis_url, count=2):
    """Start `count` workers that run what is queued and stop."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HAVEN_TEST", "PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="website.settings",
        DATABASE_URL=database_url(),
        HAVEN_TASKS_BACKEND="rq",
        HAVEN_REDIS_URL=redis_url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        HAVEN_TESTING="0",
    )
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--burst", "-v0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]


def wait(processes, timeout=180):
    outputs = []
    for process in processes:
        out, _err = process.communicate(timeout=timeout)
        outputs.append(out)
        assert process.returncode == 0, out
    return outputs


def test_a_certificate_task_delivered_twice_issues_one_certificate(rq, redis_url, completed_enrollment, accreditation):  # noqa: F811
    rq.empty()  # what completing the enrolment queued: this test delivers the issuing task itself, twice
    first = certificate_issue_task.enqueue(enrollment_id=completed_enrollment.pk)
    second = certificate_issue_task.enqueue(enrollment_id=completed_enrollment.pk)
    assert first.id != second.id and rq.count == 2
    wait(workers(redis_url))
    assert rq.count == 0
    assert Certificate.objects.filter(enrollment=completed_enrollment).count() == 1
    # Both deliveries ran and answered with the same certificate.
    first.refresh()
    second.refresh()
    assert first.status == second.status == "SUCCESSFUL"
    certificate = Certificate.objects.get(enrollment=completed_enrollment)
    assert first.return_value == second.return_value == certificate.pk


def test_the_worker_health_answer_reads_the_redis_queue(rq, redis_url, client, settings):
    assert client.get("/health/worker/").status_code == 200
    settings.HAVEN_HEALTH_QUEUE_LIMIT = 1
    for _ in range(2):
        certificate_issue_task.enqueue(enrollment_id=0)
    assert client.get("/health/worker/").status_code == 503
    wait(workers(redis_url, count=1))
    assert client.get("/health/worker/").status_code == 200
