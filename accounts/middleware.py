"""Session and second-factor rules for everyone who is logged in.

Everything these middlewares need is put into the session at login (accounts.signals), so a normal
request costs them no query.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts.roles import is_staff_role

SESSION_STARTED = "_haven_auth_at"
SESSION_SEEN = "_haven_seen_at"
SESSION_KIND = "_haven_session_kind"  # "staff" or "other": which time-outs apply
SESSION_MFA_OK = "_haven_mfa_ok"

# The last-seen time is written at most once a minute, so an ordinary page view does not save the session.
SEEN_RESOLUTION_SECONDS = 60

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def session_kind_for(user) -> str:
    return "staff" if is_staff_role(user) else "other"


def session_stamp(request, user) -> None:
    """Start the clocks of a new login. Called from the user_logged_in signal."""
    kind = session_kind_for(user)
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    request.session[SESSION_KIND] = kind


class SessionTimeoutMiddleware:
    """Idle and absolute time-outs, shorter for staff (settings.HAVEN_SESSION_*_SECONDS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.get(SESSION_KEY) is not None:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request, session):
        now = int(time.time())
        started = session.get(SESSION_STARTED)
        kind = session.get(SESSION_KIND)
        if started is None or kind is None:
            # A session older than these rules: start its clocks now.
            session_stamp(request, request.user)
            return
        seen = session.get(SESSION_SEEN, started)
        idle_limit = settings.HAVEN_SESSION_IDLE_SECONDS[kind]
        absolute_limit = settings.HAVEN_SESSION_ABSOLUTE_SECONDS[kind]
        if now - seen > idle_limit or now - started > absolute_limit:
            logout(request)
            messages.info(request, _("You were logged out to protect the data here. Please log in again."))
            return
        if now - seen >= SEEN_RESOLUTION_SECONDS:
            session[SESSION_SEEN] = now


class StaffMFARequiredMiddleware:
    """Coordinators, counselors and facilitators set up an authenticator app before anything else.

    allauth asks for the second factor at every login once one exists; this middleware makes sure it
    exists. The login, logout and MFA pages themselves stay reachable.
    """

    EXEMPT_URL_PREFIXES = ("account_", "mfa_")
    EXEMPT_URL_NAMES = frozenset({"set_language"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.HAVEN_REQUIRE_STAFF_MFA:
            return None
        session = request.session
        if session.get(SESSION_KEY) is None or session.get(SESSION_MFA_OK):
            return None
        match = request.resolver_match
        url_name = match.url_name if match else None
        if url_name and (url_name in self.EXEMPT_URL_NAMES or url_name.startswith(self.EXEMPT_URL_PREFIXES)):
            return None
        user = request.user
        if not user.is_authenticated or not is_staff_role(user):
            return None
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            session[SESSION_MFA_OK] = True
            return None
        messages.warning(
            request, _("Your role reaches survivor data: please set up an authenticator app before you go on.")
        )
        return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")


class NoStoreMiddleware:
    """Pages for logged-in people are never cached; logout also wipes what the browser kept.

    With no-store on every private page and Clear-Site-Data on logout, the Back button after logging
    out shows nothing from the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_haven_logged_out", False):
            add_never_cache_headers(response)
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        elif (
            getattr(request, "session", None) is not None
            and request.session.get(SESSION_KEY) is not None
            and "Cache-Control" not in response
        ):
            add_never_cache_headers(response)
        return response
