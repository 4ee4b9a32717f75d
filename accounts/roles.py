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

    Runs after every migrate so that models added later are covered without another data migration.
    """
    try:
        coordinator = Group.objects.using(using).get(name=Role.COORDINATOR)
    except Group.DoesNotExist:
        return
    perms = Permission.objects.using(using).filter(content_type__app_label__in=COORDINATOR_APPS)
    extra = (
        Permission.objects.using(using)
        .filter(
            content_type__app_label__in=["wagtailadmin", "wagtailsettings", "audit", "accounts"],
        )
        .exclude(codename__in=["change_auditentry", "delete_auditentry", "add_auditentry"])
    )
    coordinator.permissions.add(*perms, *extra)
    _wagtail_permissions_sync(coordinator, using)


def _wagtail_permissions_sync(coordinator, using) -> None:
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root_page = Page.objects.using(using).filter(depth=1).first()
    if root_page is not None:
        for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"):
            permission = (
                Permission.objects.using(using).filter(content_type__app_label="wagtailcore", codename=codename).first()
            )
            if permission:
                GroupPagePermission.objects.using(using).get_or_create(
                    group=coordinator, page=root_page, permission=permission
                )
    root_collection = Collection.objects.using(using).filter(depth=1).first()
    if root_collection is not None:
        for app_label, codenames in {
            "wagtaildocs": ("add_document", "change_document", "choose_document", "delete_document"),
            "wagtailimages": ("add_image", "change_image", "choose_image", "delete_image"),
        }.items():
            for permission in Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=codenames
            ):
                GroupCollectionPermission.objects.using(using).get_or_create(
                    group=coordinator, collection=root_collection, permission=permission
                )
