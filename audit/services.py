from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from audit.enums import SECURITY_ACTIONS
from audit.models import AuditEntry
from core import clientip


def _client_address(request):
    return clientip.client_ip(request)


def _actor(actor):
    user = actor if getattr(actor, "is_authenticated", False) else None
    return user, (getattr(user, "email", "") or "").lower()


def audit_record(*, actor, action, obj, request=None, detail="") -> AuditEntry:
    """Record one view or change of survivor data. `detail` must never hold survivor text."""
    user, email = _actor(actor)
    return AuditEntry.objects.create(
        actor=user,
        actor_email=email,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        ip_address=_client_address(request),
        detail=detail[:255],
    )


def audit_record_many(*, actor, action, objects, request=None, detail="") -> AuditEntry | None:
    """One entry naming every record a screen listed (or a job touched): one INSERT, however long the list.

    A staff list view of 1,000 records writes one row, not 1,000, so the log grows with what people do,
    not with the size of the organisation. `audit_entries_about` finds her record in such lists too.
    """
    objects = list(objects)
    if not objects:
        return None
    user, email = _actor(actor)
    return AuditEntry.objects.create(
        actor=user,
        actor_email=email,
        action=action,
        content_type=ContentType.objects.get_for_model(objects[0], for_concrete_model=True),
        listed_ids="," + ",".join(str(obj.pk) for obj in objects) + ",",
        ip_address=_client_address(request),
        detail=detail[:255],
    )


_THE_ACCOUNT = object()


def security_event_record(*, action, account=None, request=None, actor=_THE_ACCOUNT, detail="") -> AuditEntry:
    """A login, a failed login, a wrong second-factor code, a password or second-factor change, a refusal
    or an ended session, recorded against the account concerned (none when nobody has that login).

    `actor` is who did it when that is not the account's owner: None for a failed login (whoever typed).
    """
    if action not in SECURITY_ACTIONS:
        raise ValueError(f"{action} is not a security event")
    user, email = _actor(account if actor is _THE_ACCOUNT else actor)
    return AuditEntry.objects.create(
        actor=user,
        actor_email=email,
        action=action,
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id=str(account.pk) if account is not None and account.pk else "",
        ip_address=_client_address(request),
        detail=detail[:255],
    )
