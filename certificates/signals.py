from functools import partial

from django.db import transaction


def enrollment_completed_handler(sender, enrollment, **kwargs):
    from certificates.tasks import certificate_issue_task

    transaction.on_commit(partial(certificate_issue_task.enqueue, enrollment_id=enrollment.pk))


def completion_changed_handler(sender, enrollment, reason="", by=None, **kwargs):
    """Completion of a closed edition changed (attendance corrected): issue or revoke, with the reason."""
    from certificates.tasks import certificate_completion_sync_task

    transaction.on_commit(
        partial(
            certificate_completion_sync_task.enqueue,
            enrollment_id=enrollment.pk,
            reason=str(reason or ""),
            by_id=getattr(by, "pk", None),
        )
    )
