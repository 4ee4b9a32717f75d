"""The counselor's panel on her personal home page: today's sessions."""

from accounts.dashboard import Panel
from audit.enums import AuditAction
from audit.services import audit_record_many
from counseling.selectors import bookings_today_for, counselor_profile_for


def today_panel(request):
    if not request.user.has_perm("counseling.view_own_sessions") or counselor_profile_for(request.user) is None:
        return None
    bookings = list(bookings_today_for(request.user))
    audit_record_many(
        actor=request.user,
        action=AuditAction.VIEW,
        objects={b.client_id: b.client for b in bookings}.values(),
        request=request,
        detail="home panel",
    )
    return Panel("counseling/panel_today.html", {"bookings": bookings})
