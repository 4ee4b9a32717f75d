from allauth.account.adapter import DefaultAccountAdapter
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


class AccountAdapter(DefaultAccountAdapter):
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
