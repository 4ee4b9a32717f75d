"""Background work for counseling. Thin: take plain values, call a service."""

from datetime import date

from django.tasks import task

from counseling import services


@task
def counselor_reminders_send_task(*, day: str) -> int:
    return services.counselor_reminders_send(day=date.fromisoformat(day))


@task
def client_reminders_send_task(*, day: str) -> dict:
    return services.client_reminders_send(day=date.fromisoformat(day))
