from accounts.dashboard import Panel
from accounts.enums import Role
from accounts.roles import has_role
from cases.selectors import case_panel_counts


def cases_panel(request):
    user = request.user
    if not has_role(user, Role.COUNSELOR, Role.COORDINATOR):
        return None
    counts = case_panel_counts(user=user)
    if not counts["open_count"] and not has_role(user, Role.COUNSELOR):
        return None
    return Panel("cases/panel.html", counts)
