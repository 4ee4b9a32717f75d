"""The facilitator's panel on the personal home page: who needs a call, and what comes next."""

from accounts.dashboard import Panel
from accounts.enums import Role
from accounts.roles import has_role
from groups.selectors import followups_for, upcoming_sessions_for


def facilitator_panel(request):
    user = request.user
    if not has_role(user, Role.FACILITATOR):
        return None
    return Panel(
        "groups/panel_facilitator.html",
        {"followups": followups_for(user), "sessions": upcoming_sessions_for(user)},
    )
