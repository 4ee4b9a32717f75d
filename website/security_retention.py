"""Retention: survivor records that are no longer needed lose what identifies them.

Rows are kept, so every count a donor report makes (members per cohort, attendances, sessions held,
clients per counselor, cases opened and closed) stays the same; what goes is the alias, the code, the
contact details and every free-text note. Periods per kind of data: settings.HAVEN_RETENTION_DAYS.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate

from audit.enums import AuditAction
from audit.services import audit_record_many
from core import dates
from core.appendonly import AppendOnlyModel
from core.fields import EncryptedTextField
from core.security import form_tokens_purge

ANONYMISED_ALIAS = "Anonymised"


@dataclass
class RetentionResult:
    members: int = 0
    clients: int = 0
    closed_cases: int = 0
    form_tokens: int = 0
    details: dict = field(default_factory=dict)


def _cutoff(kind, today):
    return today - timedelta(days=settings.HAVEN_RETENTION_DAYS[kind])


def members_due(*, today):
    """Members whose every membership ended before the cut-off (left, or the cohort ended)."""
    from groups.models import Member, Membership

    cutoff = _cutoff("group_membership", today)
    ended = Q(left_on__lt=cutoff) | Q(left_on__isnull=True, cohort__end_date__lt=cutoff)
    still_running = Membership.objects.filter(member=OuterRef("pk")).exclude(ended)
    any_membership = Membership.objects.filter(member=OuterRef("pk"))
    return (
        Member.objects.filter(anonymised_at__isnull=True).filter(Exists(any_membership)).exclude(Exists(still_running))
    )


def clients_due(*, today):
    """Inactive clients with no booking (or, without bookings, no record) since the cut-off."""
    from counseling.models import Booking, Client

    cutoff = _cutoff("counseling_client", today)
    last_booking = Booking.objects.filter(client=OuterRef("pk")).order_by("-start").values("start")[:1]
    open_case = Q()
    if apps.is_installed("cases") and _case_model() is not None:
        open_case = Q(Exists(_case_model().objects.filter(client=OuterRef("pk"), closed_on__isnull=True)))
    queryset = (
        Client.objects.filter(active=False, anonymised_at__isnull=True)
        .annotate(last_seen=TruncDate(Coalesce(Subquery(last_booking), F("created_at"))))
        .filter(last_seen__lt=cutoff)
    )
    return queryset.exclude(open_case) if open_case else queryset


def _case_model():
    try:
        return apps.get_model("cases", "Case")
    except LookupError:
        return None


def closed_cases_due(*, today):
    case_model = _case_model()
    if case_model is None:
        return None
    return case_model.objects.filter(closed_on__lt=_cutoff("closed_case", today))


def _paths_to(target, model, depth=3, prefix=""):
    """Lookup paths from `model` to `target` along foreign keys (for wiping rows that belong to a case)."""
    if model is target:
        yield prefix.rstrip("_") or "pk"
        return
    if depth == 0:
        return
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, models.ForeignKey):
            yield from _paths_to(target, model_field.related_model, depth - 1, f"{prefix}{model_field.name}__")


def _wipe_case_texts(case_ids) -> int:
    case_model = _case_model()
    wiped = 0
    for model in apps.get_app_config("cases").get_models():
        kept = (
            set()
            if not issubclass(model, AppendOnlyModel)
            else {f.name for f in model._meta.concrete_fields if f.name not in model.append_only_clearable}
        )
        text_fields = [
            f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField) and f.name not in kept
        ]
        if not text_fields:
            continue
        for path in _paths_to(case_model, model):
            lookup = "pk__in" if path == "pk" else f"{path}__in"
            wiped += model.objects.filter(**{lookup: case_ids}).update(**dict.fromkeys(text_fields, ""))
            break
    return wiped


@transaction.atomic
def retention_apply(*, today=None, dry_run=False) -> RetentionResult:
    from counseling.enums import ContactChannel
    from counseling.models import Booking, Client
    from groups.models import Member

    today = today or dates.today()
    now = dates.now()
    result = RetentionResult()

    members = list(members_due(today=today))
    clients = list(clients_due(today=today))
    cases = closed_cases_due(today=today)
    case_ids = list(cases.values_list("pk", flat=True)) if cases is not None else []
    result.members, result.clients, result.closed_cases = len(members), len(clients), len(case_ids)
    if dry_run:
        return result

    for member in members:
        Member.objects.filter(pk=member.pk).update(alias=ANONYMISED_ALIAS, code=f"anon-m{member.pk}", anonymised_at=now)
    client_ids = [client.pk for client in clients]
    for client in clients:
        Client.objects.filter(pk=client.pk).update(
            alias=ANONYMISED_ALIAS,
            code=f"anon-c{client.pk}",
            contact_address="",
            safe_contact_instructions="",
            safe_times="",
            contact_channel=ContactChannel.NEVER,
            anonymised_at=now,
        )
    Booking.objects.filter(client_id__in=client_ids).update(notes="")
    if case_ids:
        result.details["case_texts_wiped"] = _wipe_case_texts(case_ids)
    result.form_tokens = form_tokens_purge()

    audit_record_many(actor=None, action=AuditAction.ANONYMISE, objects=members, detail="retention")
    audit_record_many(actor=None, action=AuditAction.ANONYMISE, objects=clients, detail="retention")
    if cases is not None and case_ids:
        audit_record_many(
            actor=None, action=AuditAction.ANONYMISE, objects=list(cases.filter(pk__in=case_ids)), detail="retention"
        )
    return result
