"""Health answers for the proxy in front of the web servers and for whoever watches the worker.

`/health/` says whether this web process can serve: its database answers and every migration its code
knows is applied (a server started on new code before `migrate` must not get traffic). `/health/worker/`
says whether background work is moving: the database answers, and the queue is neither longer than
HAVEN_HEALTH_QUEUE_LIMIT nor holding a task that has waited longer than HAVEN_HEALTH_QUEUE_WAIT_SECONDS (a
stopped or overwhelmed worker). Both answer 200 or 503 with the name and state of each check, and nothing
else: no counts, versions, host names or errors, since anyone who can reach the site can ask.
"""

import logging
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import dates

logger = logging.getLogger(__name__)

# Loading the migration graph from disk costs tens of milliseconds; the code of a running process does not
# change, so a positive answer is trusted for a while.
MIGRATIONS_TRUSTED_SECONDS = 60
_migrations_checked_at = None


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("health: the database does not answer")
        return False


def migrations_ok() -> bool:
    global _migrations_checked_at
    if _migrations_checked_at is not None and time.monotonic() - _migrations_checked_at < MIGRATIONS_TRUSTED_SECONDS:
        return True
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return False
    if pending:
        logger.warning("health: %d migration(s) not applied", len(pending))
        return False
    _migrations_checked_at = time.monotonic()
    return True


def queue_state() -> tuple[int, float]:
    """(tasks waiting, seconds the oldest has waited) in the configured task backend's default queue."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == settings.TASK_BACKENDS["database"]:
        from django.db.models import Count, Min
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready().aggregate(count=Count("pk"), oldest=Min("enqueued_at"))
        oldest = waiting["oldest"]
        return waiting["count"], (dates.now() - oldest).total_seconds() if oldest else 0.0
    if backend == settings.TASK_BACKENDS["rq"]:
        import django_rq

        queue = django_rq.get_queue("default")
        job_ids = queue.get_job_ids(0, 0)
        oldest = queue.fetch_job(job_ids[0]).enqueued_at if job_ids else None
        if oldest is not None and oldest.tzinfo is None:
            from datetime import UTC

            oldest = oldest.replace(tzinfo=UTC)
        return queue.count, (dates.now() - oldest).total_seconds() if oldest else 0.0
    return 0, 0.0  # tasks run inline: there is no queue


def queue_ok() -> bool:
    try:
        waiting, oldest_seconds = queue_state()
    except Exception:  # a broker that does not answer is a failing check, not a 500
        logger.warning("health: the task queue does not answer")
        return False
    if waiting > settings.HAVEN_HEALTH_QUEUE_LIMIT or oldest_seconds > settings.HAVEN_HEALTH_QUEUE_WAIT_SECONDS:
        logger.warning("health: %d task(s) waiting, the oldest for %.0f s", waiting, oldest_seconds)
        return False
    return True


def _answer(checks):
    results = {}
    for name, check in checks:
        # A check that needs the database is not tried when the database is already failing.
        results[name] = "ok" if (results.get("database", "ok") == "ok" and check()) else "failing"
    healthy = all(state == "ok" for state in results.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": results}, status=200 if healthy else 503)


@never_cache
@require_safe
def web(request):
    return _answer([("database", database_ok), ("migrations", migrations_ok)])


@never_cache
@require_safe
def worker(request):
    return _answer([("database", database_ok), ("queue", queue_ok)])
