"""The scheduler enqueues each periodic job once per slot: hourly jobs each hour, daily jobs once a day from
their hour on, and once even when two schedulers run at the same moment."""

import datetime as dt
import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks.backends.dummy import DummyBackend

from website.models import ScheduledRun
from website.scheduler import DAILY, HOURLY, JOBS, Job, scheduler_run

BELGRADE = ZoneInfo("Europe/Belgrade")
RECORDING = {"default": {"BACKEND": "tests.production.test_scheduler.RecordingBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class RecordingBackend(DummyBackend):
    """Stores what is enqueued, from every thread, and runs nothing."""

    enqueued = []
    lock = threading.Lock()

    def _store_result(self, result):
        with self.lock:
            self.enqueued.append(result.task.name)
        super()._store_result(result)


@pytest.fixture
def queue(settings):
    """The tasks the scheduler enqueues, counted by task name."""
    settings.TASKS = RECORDING
    RecordingBackend.enqueued.clear()
    return lambda: Counter(RecordingBackend.enqueued)


def at(*args):
    return dt.datetime(*args, tzinfo=BELGRADE)


def test_every_job_is_enqueued_once_per_slot(db, queue):
    first = scheduler_run(now=at(2027, 1, 31, 9, 5))
    assert set(first.enqueued) == {job.name for job in JOBS if job.applies()}
    again = scheduler_run(now=at(2027, 1, 31, 9, 55))
    assert again.enqueued == []
    assert set(again.already) == set(first.enqueued)
    assert all(count == 1 for count in queue().values())

    next_hour = scheduler_run(now=at(2027, 1, 31, 10, 0))
    assert set(next_hour.enqueued) == {job.name for job in JOBS if job.every == HOURLY}
    next_day = scheduler_run(now=at(2027, 2, 1, 8, 0))
    assert set(next_day.enqueued) == {job.name for job in JOBS if job.applies()}


def test_a_daily_job_waits_for_its_hour(db, queue):
    morning = [job for job in JOBS if job.every == DAILY and job.from_hour == 8]
    assert morning, "the reminders run in the morning"
    early = scheduler_run(now=at(2028, 2, 29, 7, 59), jobs=morning)
    assert early.enqueued == [] and set(early.not_yet) == {job.name for job in morning}
    assert set(scheduler_run(now=at(2028, 2, 29, 8, 0), jobs=morning).enqueued) == {job.name for job in morning}
    # Late in the evening of the same leap day: already done.
    assert scheduler_run(now=at(2028, 2, 29, 23, 30), jobs=morning).enqueued == []


def test_the_hour_the_clocks_go_back_is_one_slot(db, queue):
    hourly = [job for job in JOBS if job.every == HOURLY]
    first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BELGRADE)  # 02:30 CEST
    second = dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BELGRADE)  # 02:30 CET, an hour later
    assert second.utcoffset() != first.utcoffset()
    assert set(scheduler_run(now=first, jobs=hourly).enqueued) == {job.name for job in hourly}
    assert scheduler_run(now=second, jobs=hourly).enqueued == []
    # The night the clocks go forward has no 02:00 hour; 01:59 and 03:00 are two slots.
    spring = [at(2027, 3, 28, 1, 59), at(2027, 3, 28, 3, 0)]
    assert all(set(scheduler_run(now=moment, jobs=hourly).enqueued) == {j.name for j in hourly} for moment in spring)


def test_the_database_clean_up_runs_only_with_the_database_worker(db, queue, settings):
    prune = next(job for job in JOBS if job.name == "task_results_prune")
    assert not prune.applies()  # a backend without a results table
    settings.TASKS = DATABASE
    assert prune.applies()


def test_a_refused_enqueue_leaves_no_row_and_the_next_run_tries_again(db):
    class Broker:
        name = "broken"
        down = True

        def enqueue(self):
            if self.down:
                raise ConnectionError("the broker does not answer")

    broker = Broker()
    job = Job("probe", broker, HOURLY)
    with pytest.raises(ConnectionError):
        scheduler_run(now=at(2026, 12, 31, 23, 30), jobs=[job])
    assert not ScheduledRun.objects.filter(job="probe").exists()
    broker.down = False
    assert scheduler_run(now=at(2026, 12, 31, 23, 40), jobs=[job]).enqueued == ["probe"]


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_moment_enqueue_each_job_once(queue):
    moment = at(2027, 1, 31, 9, 0)
    start = threading.Barrier(2)
    errors = []

    def scheduler():
        try:
            start.wait()
            scheduler_run(now=moment)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = {job.task.name for job in JOBS if job.applies()}
    assert set(queue()) == expected
    assert all(count == 1 for count in queue().values()), queue()
    assert ScheduledRun.objects.count() == len(expected)


def test_old_runs_are_forgotten(db, queue):
    old = ScheduledRun.objects.create(
        job="training_offers_expire", slot="2020-01-01T00", enqueued_at=at(2020, 1, 1, 0, 0)
    )
    scheduler_run(now=at(2027, 1, 31, 9, 0))
    assert not ScheduledRun.objects.filter(pk=old.pk).exists()


def test_every_job_runs_on_an_empty_database(db, settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    for job in JOBS:
        if job.applies():
            result = job.task.enqueue()
            assert result.status == "SUCCESSFUL", (job.name, result.errors)


def test_the_command_enqueues_and_lists(db, queue, capsys):
    call_command("run_scheduler")
    out = capsys.readouterr().out
    assert "enqueued: training_offers_expire" in out
    call_command("run_scheduler", "--list")
    listed = capsys.readouterr().out
    assert all(job.name in listed for job in JOBS)
