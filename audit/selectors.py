"""Reads of the audit log, written so the database can use its indexes at millions of entries."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from audit.models import AuditEntry
from core import dates


def audit_entries_between(queryset, *, first_day=None, last_day=None):
    """Entries from the start of `first_day` to the end of `last_day` (organisation time), both kept.

    A range on the indexed `at` column: never `at__date`, which wraps every row in a function. Days at
    the edges of the calendar (0001-01-01, 9999-12-31) narrow nothing instead of overflowing.
    """
    if first_day is not None and first_day > dates.EARLIEST_DATE:
        queryset = queryset.filter(at__gte=dates.start_of_day(first_day))
    if last_day is not None and last_day < dt.date.max - dt.timedelta(days=2):
        queryset = queryset.filter(at__lt=dates.end_of_day(last_day))
    return queryset


def audit_entries_about_ids(queryset, *, record_id: str):
    """Entries about the record with this id: opened or changed on its own, or shown in a list."""
    if not record_id or "," in record_id:
        return queryset.none()
    return queryset.filter(Q(object_id=record_id) | Q(listed_ids__contains=f",{record_id},"))


def audit_entries_about(obj):
    """Everything the log holds about one record, newest first (who saw her, who changed her file)."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return audit_entries_about_ids(AuditEntry.objects.filter(content_type=content_type), record_id=str(obj.pk))


def audit_security_events_for(user, *, since: dt.date | None = None):
    """Her account's security events (logins, failures, changes), newest first."""
    from django.contrib.auth import get_user_model

    from audit.enums import SECURITY_ACTIONS

    queryset = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id=str(user.pk),
        action__in=SECURITY_ACTIONS,
    )
    return audit_entries_between(queryset, first_day=since)
