"""Periodic work that has no task of its own in its app, for the scheduler (website/scheduler.py).

Thin, as every task: each calls the service its management command calls.
"""

from datetime import timedelta

from django.core.management import call_command
from django.tasks import task

from certificates.services import certificate_expiry_reminders_enqueue
from core import dates
from counseling import services as counseling_services
from website.security_retention import retention_apply


@task
def counseling_reminders_send() -> int:
    """Tomorrow's reminders: one email per counselor, and clients' reminders inside their safe times."""
    tomorrow = dates.today() + timedelta(days=1)
    sent = counseling_services.counselor_reminders_send(day=tomorrow)
    counseling_services.client_reminders_send(day=tomorrow)
    return sent


@task
def certificate_expiry_reminders() -> int:
    return certificate_expiry_reminders_enqueue()


@task
def retention() -> dict:
    result = retention_apply()
    return {"members": result.members, "clients": result.clients, "closed_cases": result.closed_cases}


@task
def task_results_prune() -> None:
    """The database worker's finished results (tracebacks included) after two weeks."""
    call_command("prune_db_task_results", min_age_days=14, verbosity=0)
