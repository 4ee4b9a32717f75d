from functools import partial

from django.db import transaction


def enrollment_completed_handler(sender, enrollment, **kwargs):
    from certificates.tasks import certificate_issue_task

    transaction.on_commit(partial(certificate_issue_task.enqueue, enrollment_id=enrollment.pk))
