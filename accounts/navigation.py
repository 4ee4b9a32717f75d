"""Navigation entries per role. An entry whose URL does not exist (yet) is left out."""

from django.urls import NoReverseMatch, reverse
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
    entries = []
    for label, url_name, allowed in ENTRIES:
        if not roles & allowed:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": label, "url": url, "name": url_name})
    return entries
