"""The periodic jobs and the one entry point that enqueues them: `manage.py run_scheduler`.

Cron or a systemd timer runs the command every few minutes (README, "Scheduled jobs"). Each run looks at
every job, works out the slot it is due for (this hour, or today once its first hour has come, in the
organisation's time zone) and enqueues the job's task for the worker unless that slot already has a
`ScheduledRun`. The row and the enqueueing happen in one transaction and the pair (job, slot) is unique, so
two schedulers running at once (two machines, an overlapping cron) still enqueue each job once per slot. A
scheduler that was down simply enqueues the current slot when it comes back; missed slots are not replayed,
because every job catches up by itself (expired offers, reminders not yet sent, data past its retention).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task

from core import dates
from trainings import tasks as training_tasks
from website import tasks
from website.models import ScheduledRun

HOURLY, DAILY = "hourly", "daily"
# Rows older than this are of no further use: a slot lies at most a day back.
KEEP_RUNS_DAYS = 30


@dataclass(frozen=True)
class Job:
    name: str
    task: Task
    every: str
    # Daily jobs run from this hour of the organisation's day on (reminders in the morning, not at midnight).
    from_hour: int = 0
    # Only with these task backends (settings.TASK_BACKENDS keys); empty means with every backend.
    backends: tuple[str, ...] = field(default=())

    def slot(self, moment: datetime) -> str | None:
        local = dates.local_time(moment)
        if self.every == HOURLY:
            return local.strftime("%Y-%m-%dT%H")
        if local.hour < self.from_hour:
            return None
        return local.date().isoformat()

    def applies(self) -> bool:
        if not self.backends:
            return True
        configured = settings.TASKS["default"]["BACKEND"]
        return any(settings.TASK_BACKENDS[name] == configured for name in self.backends)


JOBS = [
    # Seat offers not confirmed in time pass to the next woman on the waitlist.
    Job("training_offers_expire", training_tasks.offers_expire, HOURLY),
    # Counselors' lists for tomorrow; clients' reminders go out only inside their safe times, hence hourly.
    Job("counseling_reminders", tasks.counseling_reminders_send, HOURLY),
    Job("training_reminders", training_tasks.reminders_enqueue, DAILY, from_hour=8),
    Job("certificate_expiry_reminders", tasks.certificate_expiry_reminders, DAILY, from_hour=8),
    # Anonymising survivor records past their retention period, and spent form tokens, at night.
    Job("retention", tasks.retention, DAILY, from_hour=2),
    Job("task_results_prune", tasks.task_results_prune, DAILY, from_hour=3, backends=("database",)),
]


@dataclass
class SchedulerResult:
    enqueued: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    not_yet: list[str] = field(default_factory=list)


def scheduler_run(*, now: datetime | None = None, jobs=None) -> SchedulerResult:
    """Enqueue every job due now that no scheduler has enqueued for its slot yet."""
    now = now or dates.now()
    result = SchedulerResult()
    for job in jobs if jobs is not None else JOBS:
        slot = job.slot(now)
        if slot is None or not job.applies():
            result.not_yet.append(job.name)
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=now)
                # Inside the transaction: if the broker refuses, the row goes too and the next run retries.
                job.task.enqueue()
        except IntegrityError:
            result.already.append(job.name)
            continue
        result.enqueued.append(job.name)
    ScheduledRun.objects.filter(enqueued_at__lt=now - timedelta(days=KEEP_RUNS_DAYS)).delete()
    return result
