from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEntry
from core import clientip


def _client_address(request):
    return clientip.client_ip(request)


def audit_record(*, actor, action, obj, request=None, detail="") -> AuditEntry:
    """Record one view or change of survivor data. `detail` must never hold survivor text."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_email=getattr(user, "email", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        ip_address=_client_address(request),
        detail=detail[:255],
    )


def audit_record_many(*, actor, action, objects, request=None, detail="") -> None:
    """One row per object in one INSERT: a screen listing 40 members costs one query, not 40."""
    objects = list(objects)
    if not objects:
        return
    user = actor if getattr(actor, "is_authenticated", False) else None
    content_type = ContentType.objects.get_for_model(objects[0], for_concrete_model=True)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=user,
            actor_email=getattr(user, "email", "") or "",
            action=action,
            content_type=content_type,
            object_id=str(obj.pk),
            ip_address=_client_address(request),
            detail=detail[:255],
        )
        for obj in objects
    )
