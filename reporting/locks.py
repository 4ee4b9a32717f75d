"""The period lock, for the activity apps: a change to activity that a submitted or locked report already
counts is refused. The apps import this small module, not reporting's services."""

from datetime import date

from django.core.exceptions import ValidationError

from reporting.enums import FROZEN_STATUSES
from reporting.models import ReportingPeriod
from reporting.selectors import period_lock_message


def period_guard(*, project_id: int | None, on_date: date) -> None:
    """Raise ValidationError naming the frozen period (and who locked it) that counts activity on that day."""
    if project_id is None:
        return
    period = (
        ReportingPeriod.objects.filter(
            project_id=project_id, status__in=FROZEN_STATUSES, start_date__lte=on_date, end_date__gte=on_date
        )
        .select_related("project", "locked_by__profile")
        .first()
    )
    if period is not None:
        raise ValidationError(period_lock_message(period))
