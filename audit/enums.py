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


class LegalBasis(models.TextChoices):
    COURT_ORDER = "court_order", _("Court order")
    STATUTE = "statute", _("Duty under a statute")
    POLICE_WARRANT = "police_warrant", _("Police request with a warrant")
    OTHER = "other", _("Other legal obligation")
