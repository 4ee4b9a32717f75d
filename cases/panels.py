from accounts.dashboard import Panel
from cases.selectors import case_panel_counts


def cases_panel(request):
    """Her caseload at a glance: open cases and what is due, each linking to where it is done."""
    if not request.user.has_perm("cases.view_caseload"):
        return None
    return Panel("cases/panel.html", case_panel_counts(user=request.user))
