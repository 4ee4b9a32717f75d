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
from django.core.exceptions import PermissionDenied


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
