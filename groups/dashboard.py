"""The facilitator's panel on the personal home page: today's sessions until they are marked, who needs a
call, and what comes next."""

from accounts.dashboard import Panel
from groups.selectors import device_keep_for, followups_for, today_for, upcoming_sessions_for


def facilitator_panel(request):
    user = request.user
    if not user.has_perm("groups.facilitate"):
        return None
    return Panel(
        "groups/panel_facilitator.html",
        {
            "today": today_for(user),
            "followups": followups_for(user),
            "sessions": upcoming_sessions_for(user),
            "device_keep": device_keep_for(user),
        },
    )
