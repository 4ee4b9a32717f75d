"""The health answers: 200 when this web process can serve (or the worker keeps up), 503 otherwise, and
never any data beyond the names of the checks."""

import json
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import Client
from django_tasks_db.models import DBTaskResult

from core import dates
from website import health

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _fresh_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_checked_at", None)


def answer(response):
    body = json.loads(response.content)
    # Nothing but the state and the checks' names: no counts, versions, hosts or errors.
    assert set(body) == {"status", "checks"}
    assert set(body["checks"].values()) <= {"ok", "failing"}
    return response.status_code, body["status"], body["checks"]


def test_the_web_answer_is_ok_when_the_database_answers_and_is_migrated(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        status, state, checks = answer(client.get("/health/"))
    assert (status, state, checks) == (200, "ok", {"database": "ok", "migrations": "ok"})
    response = client.get("/health/")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_unapplied_migrations_take_the_server_out_of_the_proxy(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a migration", False)])
    assert answer(client.get("/health/")) == (503, "failing", {"database": "ok", "migrations": "failing"})


def test_a_database_that_does_not_answer_fails_every_check_that_needs_it(client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise DatabaseError("connection to db.internal:5432 refused")

    monkeypatch.setattr(health, "connection", Unreachable())
    assert answer(client.get("/health/")) == (503, "failing", {"database": "failing", "migrations": "failing"})
    response = client.get("/health/worker/")
    assert answer(response) == (503, "failing", {"database": "failing", "queue": "failing"})
    assert b"db.internal" not in response.content


def test_the_health_answer_is_not_sent_to_https_behind_the_proxy(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/health/")  # a new client loads the middleware with these settings
    assert response.status_code == 200
    assert Client().get("/trainings/").status_code == 301  # everything else still is


def test_the_worker_answer_follows_the_queue(client, settings):
    settings.TASKS = DATABASE_TASKS
    assert answer(client.get("/health/worker/")) == (200, "ok", {"database": "ok", "queue": "ok"})

    def waiting(minutes_ago):
        result = DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="website.tasks.retention",
            backend_name="default",
            run_after=dates.now() - timedelta(days=1),
        )
        DBTaskResult.objects.filter(pk=result.pk).update(enqueued_at=dates.now() - timedelta(minutes=minutes_ago))

    waiting(minutes_ago=1)
    assert answer(client.get("/health/worker/"))[0] == 200
    waiting(minutes_ago=settings.HAVEN_HEALTH_QUEUE_WAIT_SECONDS / 60 + 1)  # a worker that stopped
    assert answer(client.get("/health/worker/")) == (503, "failing", {"database": "ok", "queue": "failing"})

    DBTaskResult.objects.all().delete()
    settings.HAVEN_HEALTH_QUEUE_LIMIT = 2
    for _ in range(3):
        waiting(minutes_ago=0)
    assert answer(client.get("/health/worker/"))[0] == 503


def test_inline_tasks_have_no_queue_to_wait_in(client):
    assert answer(client.get("/health/worker/"))[0] == 200
