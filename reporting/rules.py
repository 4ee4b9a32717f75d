"""Who may do what with donor projects and their reporting periods.

Project managers work on the projects they manage; coordinators on all of them, and only coordinators
approve a report or unlock a locked period.
"""

import rules

from accounts.rules import is_coordinator, is_project_manager


def _project_of(obj):
    return getattr(obj, "project", obj)


@rules.predicate
def manages_project(user, obj):
    project = _project_of(obj)
    if project is None or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_haven_managed_projects", {})
    if project.pk not in cache:
        cache[project.pk] = project.managers.filter(pk=user.pk).exists()
    return cache[project.pk]


may_prepare = is_coordinator | (is_project_manager & manages_project)

rules.add_perm("reporting.view_reports", is_coordinator | is_project_manager)
rules.add_perm("reporting.view_project", may_prepare)
rules.add_perm("reporting.generate_periods", may_prepare)
rules.add_perm("reporting.view_period", may_prepare)
rules.add_perm("reporting.prepare_period", may_prepare)
rules.add_perm("reporting.approve_period", is_coordinator)
rules.add_perm("reporting.unlock_period", is_coordinator)
# The periods' dates are the coordinators' (in the administration); the status moves only by steps.
rules.add_perm("reporting.edit_period", is_coordinator)
# Whose projects a person sees: coordinators every project, project managers the ones they manage.
rules.add_rule("reporting.sees_every_project", is_coordinator)
rules.add_rule("reporting.sees_managed_projects", is_project_manager)
# The results framework of a project (results, indicators, targets): its project managers and coordinators.
rules.add_perm("reporting.shape_results", may_prepare)
