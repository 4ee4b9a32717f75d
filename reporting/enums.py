from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Submitted")
    LOCKED = "locked", _("Locked")
