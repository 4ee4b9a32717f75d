"""Background work for groups: thin tasks that take ids and call a service."""

from django.tasks import task

from groups import services


@task
def session_change_email_send(*, session_id: int, cohort_id: int, user_id: int, what: str, old_start: str) -> bool:
    return services.session_change_email_send(
        session_id=session_id, cohort_id=cohort_id, user_id=user_id, what=what, old_start=old_start
    )
