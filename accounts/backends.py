"""The end of the question "may she?" once the rules have said no and nothing else could say yes.

Django asks every backend in turn until one says yes. After the rules (`rules.py` of each app) said no,
Django's model-permission backends (its own and allauth's, which inherits it) load every permission of the
person and her groups, two queries, only to find a name no permission row carries: a rule's name such as
`trainings.manage_all_editions`. Nearly every page asks one such question of someone it refuses, so nearly
every page paid those two queries. This backend, placed between the rules and those backends, ends the
question there (a PermissionDenied is Django's "no, and ask no further") when the name is not one a
permission row carries. Model permissions (Wagtail's admin asks for them: `cases.change_case`,
`wagtailadmin.access_admin`) are asked further, as before. It signs no one in (its `authenticate` answers
None, as the rules' backend does, and it has no `get_user`), so logins and the sessions they made are left
as they were.
"""

import functools

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import Q

from core.sql import PreparedRows


@functools.cache
def model_permission_names() -> frozenset[str]:
    """`app_label.codename` of every permission row `migrate` creates: each model's default permissions and
    the ones its Meta names (as django.contrib.auth.management.create_permissions makes them)."""
    names = set()
    for model in apps.get_models():
        opts = model._meta
        names.update(f"{opts.app_label}.{action}_{opts.model_name}" for action in opts.default_permissions)
        names.update(f"{opts.app_label}.{codename}" for codename, _name in opts.permissions)
    return frozenset(names)


class RuleNamesEndHereBackend:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if perm not in model_permission_names():
            raise PermissionDenied
        return False


def _permission_rows(user_id):
    user_model = get_user_model()
    given_her = user_model.user_permissions.through.objects.filter(**{_user_field("user_permissions"): user_id})
    her_groups = Group.permissions.through.objects.filter(
        group__in=user_model.groups.through.objects.filter(**{_user_field("groups"): user_id}).values("group")
    )
    return (
        Permission.objects.filter(Q(pk__in=given_her.values("permission")) | Q(pk__in=her_groups.values("permission")))
        .values_list("content_type__app_label", "codename")
        .order_by()
    )


def _user_field(name: str) -> str:
    """The name by which a many-to-many table of the user model names the user."""
    return get_user_model()._meta.get_field(name).m2m_field_name()


_permissions_of = PreparedRows(_permission_rows)


class PermissionsInOneQueryBackend:
    """Her model permissions, her own and her groups', in one query compiled once (Django's model backend
    builds two through the ORM on each request: 1.3 ms of an admin page's 13, against 0.4 ms).

    Placed before Django's model backends, it fills the same per-request cache they read
    (`user._perm_cache`, what `ModelBackend.get_all_permissions` keeps), so they answer from it without
    a query of their own; the answer is the same set. A superuser's (every permission) is left to them, as
    is everything about logging in: it signs no one in and has no `get_user`."""

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            using = user_obj._state.db or router.db_for_read(Permission)
            rows = _permissions_of(user_obj.pk, using=using)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj=obj)

    def has_module_perms(self, user_obj, app_label):
        return any(perm.partition(".")[0] == app_label for perm in self.get_all_permissions(user_obj))
