"""Navigation entries per role. An entry whose URL does not exist (yet) is left out."""

from functools import cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.roles import user_roles

# (label, url name, roles that see it)
ENTRIES = [
    (_("My groups"), "groups:my_cohorts", {Role.FACILITATOR, Role.COORDINATOR}),
    (_("My bookings"), "counseling:my_bookings", {Role.COUNSELOR, Role.COORDINATOR}),
    (_("Cases"), "cases:case_list", {Role.COUNSELOR, Role.COORDINATOR}),
    (_("My editions"), "trainings:trainer_editions", {Role.TRAINER}),
    (_("My trainings"), "trainings:dashboard", {Role.TRAINEE}),
    (_("Reports"), "reporting:home", {Role.PROJECT_MANAGER, Role.COORDINATOR}),
    (_("Administration"), "wagtailadmin_home", {Role.COORDINATOR}),
]


def nav_entries_for(user) -> list[dict]:
    roles = user_roles(user)
    return [
        {"label": label, "url": url, "name": url_name}
        for label, url, url_name, allowed in _reversed(get_language(), get_urlconf(), get_script_prefix())
        if roles & allowed
    ]


@cache
def _reversed(language, urlconf, prefix) -> list[tuple]:
    """The entries whose URL exists, with it, once per language and address scheme (seven reverses on every
    page were a tenth of its frame)."""
    found = []
    for label, url_name, allowed in ENTRIES:
        try:
            found.append((label, reverse(url_name, urlconf=urlconf), url_name, allowed))
        except NoReverseMatch:
            continue
    return found
