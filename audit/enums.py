from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    DISCLOSE = "disclose", _("Disclosed")
    ANONYMISE = "anonymise", _("Anonymised")
    # Security events: the record is the account concerned.
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    MFA_FAILED = "mfa_failed", _("Wrong second-factor code")
    MFA_CHANGED = "mfa_changed", _("Second factor changed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    ACCESS_DENIED = "access_denied", _("Access denied")
    SESSION_ENDED = "session_ended", _("Session ended")


SECURITY_ACTIONS = frozenset(
    {
        AuditAction.LOGIN,
        AuditAction.LOGIN_FAILED,
        AuditAction.MFA_FAILED,
        AuditAction.MFA_CHANGED,
        AuditAction.PASSWORD_CHANGED,
        AuditAction.ACCESS_DENIED,
        AuditAction.SESSION_ENDED,
    }
)


class LegalBasis(models.TextChoices):
    COURT_ORDER = "court_order", _("Court order")
    STATUTE = "statute", _("Duty under a statute")
    POLICE_WARRANT = "police_warrant", _("Police request with a warrant")
    OTHER = "other", _("Other legal obligation")
