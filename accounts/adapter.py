from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from core.clientip import client_ip


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
