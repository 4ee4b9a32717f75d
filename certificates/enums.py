from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced")


class VerificationState(models.TextChoices):
    """What the public verification page says: the stored status, plus "expired" derived from the date."""

    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced by a newer certificate")
    EXPIRED = "expired", _("Expired")


class CertificateEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced")
