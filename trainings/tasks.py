"""Background work for trainings: thin tasks that take ids and call a service."""

from django.tasks import task

from trainings import services


@task
def enrollment_email_send(*, enrollment_id: int, kind: str, details: dict | None = None) -> bool:
    return services.enrollment_email_send(enrollment_id=enrollment_id, kind=kind, details=details)


@task
def offers_expire() -> int:
    return services.enrollment_offers_expire()


@task
def reminders_enqueue() -> int:
    return services.reminders_enqueue()
