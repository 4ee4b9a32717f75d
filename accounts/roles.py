"""Who holds which role. Everything that asks "is she a coordinator?" comes through here."""

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from accounts.enums import STAFF_ROLES, Role

# Apps whose models coordinators manage in the Wagtail admin.
COORDINATOR_APPS = ("core", "groups", "counseling", "cases", "trainings", "certificates", "reporting", "website")


def user_roles(user) -> frozenset[str]:
    """The user's role names, cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_haven_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {Role.COORDINATOR}
        user._haven_roles = cached
    return cached


def has_role(user, *roles) -> bool:
    return bool(user_roles(user) & set(roles))


def is_staff_role(user) -> bool:
    return bool(user_roles(user) & STAFF_ROLES)


def role_grant(*, user, role: str) -> None:
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role == Role.COORDINATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_haven_roles", None)


def role_permissions_sync(*, using=DEFAULT_DB_ALIAS) -> None:
    """Give coordinators the Wagtail admin and the model permissions of the domain apps.

    Runs after every migrate so that models added later are covered without another data migration; the
    tests' admin fixtures run it too (two hundred times a suite), so it asks for ids only and adds what is
    missing in one insert per kind: a dozen queries and 10 ms a call, where a model instance per permission
    and a get_or_create per page and collection permission took 26 queries and 30 ms.
    """
    coordinator = Group.objects.using(using).filter(name=Role.COORDINATOR).first()
    if coordinator is None:
        return
    permissions = Permission.objects.using(using)
    wanted = [
        *permissions.filter(content_type__app_label__in=COORDINATOR_APPS).values_list("pk", flat=True),
        *permissions.filter(content_type__app_label__in=["wagtailadmin", "wagtailsettings", "audit", "accounts"])
        .exclude(codename__in=["change_auditentry", "delete_auditentry", "add_auditentry"])
        .values_list("pk", flat=True),
    ]
    coordinator.permissions.add(*wanted)  # by id: one query finds those it has, one insert adds the rest
    _wagtail_permissions_sync(coordinator, using)


# What coordinators may do with every page (from the root) and every document and image (from the root
# collection).
PAGE_PERMISSIONS = {"wagtailcore": ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")}
COLLECTION_PERMISSIONS = {
    "wagtaildocs": ("add_document", "change_document", "choose_document", "delete_document"),
    "wagtailimages": ("add_image", "change_image", "choose_image", "delete_image"),
}


def _permission_ids(using, codenames_by_app) -> list[int]:
    from django.db.models import Q

    match = Q()
    for app_label, codenames in codenames_by_app.items():
        match |= Q(content_type__app_label=app_label, codename__in=codenames)
    return list(Permission.objects.using(using).filter(match).values_list("pk", flat=True))


def _wagtail_permissions_sync(coordinator, using) -> None:
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    for model, root, field, codenames in (
        (GroupPagePermission, Page.objects.using(using).filter(depth=1).first(), "page", PAGE_PERMISSIONS),
        (
            GroupCollectionPermission,
            Collection.objects.using(using).filter(depth=1).first(),
            "collection",
            COLLECTION_PERMISSIONS,
        ),
    ):
        if root is None:
            continue
        held = set(
            model.objects.using(using)
            .filter(group=coordinator, **{field: root})
            .values_list("permission_id", flat=True)
        )
        model.objects.using(using).bulk_create(
            [
                model(group=coordinator, permission_id=pk, **{field: root})
                for pk in _permission_ids(using, codenames)
                if pk not in held
            ]
        )
