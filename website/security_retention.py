"""Retention: survivor records that are no longer needed lose what identifies them.

What identifies her, and when, is declared by each app in its `retention.py` (the registry in
audit/retention.py); this module only walks the declarations. Rows are kept, so every count a donor
report makes stays the same; what goes is the alias, the code, the contact details and every free-text
note. Handled intake requests are deleted. Periods per kind of data: settings.HAVEN_RETENTION_DAYS.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from audit import retention
from audit.enums import AuditAction
from audit.services import audit_record_many
from core import dates
from core.security import form_tokens_purge


@dataclass
class RetentionResult:
    counts: dict[str, int] = field(default_factory=dict)  # subject name -> records anonymised or deleted
    texts_blanked: int = 0
    form_tokens: int = 0

    @property
    def members(self) -> int:
        return self.counts.get("group_membership", 0)

    @property
    def clients(self) -> int:
        return self.counts.get("counseling_client", 0)

    @property
    def closed_cases(self) -> int:
        return self.counts.get("closed_case", 0)


def cutoff_for(subject, today):
    return today - timedelta(days=settings.HAVEN_RETENTION_DAYS[subject.name])


def due_for(subject, *, today):
    """The subject's records whose period ended, less those an active record of another app holds."""
    queryset = subject.due(cutoff=cutoff_for(subject, today))
    for hold in retention.holds_on(subject.name):
        holding = hold.model_class.objects.filter(hold.active, **{hold.path: OuterRef("pk")})
        queryset = queryset.exclude(Exists(holding))
    return queryset


def _replacement(value):
    return value() if callable(value) and not hasattr(value, "resolve_expression") else value


def _blank_linked(subject, ids) -> int:
    blanked = 0
    for linked in retention.linked_to(subject.name):
        lookup = f"{linked.path}__in"
        blanked += linked.model_class.objects.filter(**{lookup: ids}).update(**dict.fromkeys(linked.blank, ""))
    return blanked


@transaction.atomic
def retention_apply(*, today=None, dry_run=False) -> RetentionResult:
    today = today or dates.today()
    result = RetentionResult()
    for subject in retention.subjects():
        due = list(due_for(subject, today=today).order_by("pk"))
        result.counts[subject.name] = len(due)
        if dry_run or not due:
            continue
        ids = [record.pk for record in due]
        if subject.purge:
            audit_record_many(actor=None, action=AuditAction.DELETE, objects=due, detail="retention")
            result.texts_blanked += _blank_linked(subject, ids)
            subject.model_class.objects.filter(pk__in=ids).delete()
            continue
        if subject.replace:
            values = {name: _replacement(value) for name, value in subject.replace.items()}
            subject.model_class.objects.filter(pk__in=ids).update(**values)
        result.texts_blanked += _blank_linked(subject, ids)
        audit_record_many(actor=None, action=AuditAction.ANONYMISE, objects=due, detail="retention")
    if not dry_run:
        result.form_tokens = form_tokens_purge()
    return result
