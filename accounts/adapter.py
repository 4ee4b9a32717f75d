import time
from datetime import UTC, datetime

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.core.exceptions import PermissionDenied
from django.utils import translation

from audit.enums import AuditAction
from audit.services import security_event_record
from core.clientip import client_ip


def _language_of(user) -> str | None:
    profile = getattr(user, "profile", None) if user is not None else None
    return getattr(profile, "preferred_language", None) or None


# The login's own steps: what she typed on the login page (her password, or the code sent to her).
FIRST_FACTORS = frozenset({"password", "code"})


def _second_factor_set_up_right_after_login(request) -> bool:
    """A person who had no second factor when she logged in, through the login page, moments ago (within
    allauth's reauthentication timeout), in this session.

    Staff are sent from the login straight to setting up an authenticator; allauth asked for the password
    again first, seconds after she had typed it, and for the new authenticator's code again before showing its
    recovery codes. Her login is that proof here, for the factors she sets up in this session. A change to a
    second factor she had before (another device, turning it off, new recovery codes) still asks again, as
    does a session whose login is older than the timeout or was made without the login page.
    """
    from allauth.mfa.models import Authenticator

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    login = next((record for record in reversed(records) if record.get("method") in FIRST_FACTORS), None)
    if login is None or time.time() - login.get("at", 0) >= account_settings.REAUTHENTICATION_TIMEOUT:
        return False
    had_before = datetime.fromtimestamp(login["at"], tz=UTC)
    return not Authenticator.objects.filter(user=user, created_at__lte=had_before).exists()


class AccountAdapter(DefaultAccountAdapter):
    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        # self.request: allauth's request of the moment (`allauth.core.context`), None outside one.
        return not (app == "allauth.mfa" and _second_factor_set_up_right_after_login(self.request))

    def add_message(
        self, request, level, message_template=None, message_context=None, extra_tags="", message=None
    ) -> None:
        """A message in the language of the page that shows it: once she is logged in, her profile's (the
        login page may have been in another), so "signed in" does not greet her in a language she left."""
        user = getattr(request, "user", None)
        language = _language_of(user) if user is not None and user.is_authenticated else None
        with translation.override(language or translation.get_language()):
            super().add_message(request, level, message_template, message_context, extra_tags, message)

    def format_email_subject(self, subject):
        # No site-name prefix: subjects must stay neutral.
        return subject

    def get_client_ip(self, request):
        # One answer for allauth's rate limits, its session list and Haven's own limits and audit log.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """Password and second-factor changes are told to her in her own language, whatever page she
        (or someone with her password) used."""
        with translation.override(_language_of(user) or translation.get_language()):
            super().send_notification_mail(template_prefix, user, context=context, email=email)


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    def end_sessions(self, sessions) -> None:
        sessions = list(sessions)
        super().end_sessions(sessions)
        request = context.request
        for session in sessions:
            security_event_record(
                action=AuditAction.SESSION_ENDED,
                account=session.user,
                actor=getattr(request, "user", None),
                request=request,
                detail="ended from her session list",
            )
