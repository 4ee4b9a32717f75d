"""Session and second-factor rules for everyone who is logged in.

The session clocks are put into the session at login (accounts.signals), so they cost no query. The
second-factor check asks for her roles once per request (cached on the user for the views after it):
a role given during a session applies at once.
"""

import time
from urllib.parse import urlencode

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY, get_authentication_records
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts.roles import is_staff_role

SESSION_STARTED = "_haven_auth_at"
SESSION_SEEN = "_haven_seen_at"
SESSION_KIND = "_haven_session_kind"  # "staff" or "other": which time-outs apply
ADMIN_PATH = "/admin/"

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


def session_passed_mfa(request) -> bool:
    """Did this session's login include the second factor?

    allauth records every authentication step of the session (password, code, second factor). An account
    with an authenticator whose session shows only a password (another login form, a session from before
    the rule) has not entered a code: having an authenticator is not having used it.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def session_record_mfa(session, user) -> None:
    """Mark a session as having passed the second factor, the way allauth records it at login.

    Only for sessions made outside the login pages: benchmarks and tests that log a staff member in
    directly. Real sessions get this record from allauth when the code is entered.
    """
    from allauth.account.internal.flows.login import _AUTHENTICATION_METHODS_USER_SESSION_KEY
    from allauth.account.internal.userkit import user_id_to_str

    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)


class StaffMFARequiredMiddleware:
    """Coordinators, counselors and facilitators pass the second factor in every session, on every URL.

    Without an authenticator she is sent to set one up; with one, but a session that never asked for the
    code, she is asked for it now. Only the pages that get her there stay open.
    """

    EXEMPT_URL_NAMES = frozenset(
        {
            "set_language",
            "account_logout",
            "account_reauthenticate",
            "mfa_authenticate",
            "mfa_reauthenticate",
            "mfa_activate_totp",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.HAVEN_REQUIRE_STAFF_MFA:
            return None
        session = request.session
        if session.get(SESSION_KEY) is None:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.EXEMPT_URL_NAMES:
            return None
        user = request.user
        if not user.is_authenticated or not is_staff_role(user) or session_passed_mfa(request):
            return None
        from allauth.mfa.models import Authenticator

        next_query = urlencode({"next": request.get_full_path()})
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            messages.info(request, _("Please enter the code from your authenticator app to go on."))
            return redirect(f"{reverse('mfa_reauthenticate')}?{next_query}")
        messages.warning(
            request, _("Your role reaches survivor data: please set up an authenticator app before you go on.")
        )
        return redirect(f"{reverse('mfa_activate_totp')}?{next_query}")


class AdminAccessMiddleware:
    """The Wagtail admin is for coordinators. Anyone else who is logged in gets a clear page there.

    Wagtail sends a logged-in person without admin access to the login page, which sends her back to
    the admin: an endless loop. Asked here, before any admin view, by the one rule `accounts.use_admin`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(ADMIN_PATH) or not request.user.is_authenticated:
            return None
        if request.user.has_perm("accounts.use_admin"):
            return None
        # The admin's URLs carry no language prefix: the page speaks the language of her profile.
        profile = getattr(request.user, "profile", None)
        with translation.override(getattr(profile, "preferred_language", None) or translation.get_language()):
            response = render(request, "accounts/admin_refused.html", status=403)
        add_never_cache_headers(response)
        return response


class AccessDeniedAuditMiddleware:
    """Every refusal (403) of a logged-in person is a security event in the audit log.

    Only the path is kept: URLs never carry survivor data. Refusals of anonymous visitors are not
    recorded: there is no account to tie them to, and anyone could fill the log with them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code == 403 and user is not None and user.is_authenticated:
            from audit.enums import AuditAction
            from audit.services import security_event_record

            security_event_record(
                action=AuditAction.ACCESS_DENIED, account=user, request=request, detail=request.path[:255]
            )
        return response


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
