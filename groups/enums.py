from django.db import models
from django.utils.translation import gettext_lazy as _


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class MembershipOutcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    LEFT_EARLY = "left_early", _("Left early")
    MOVED_ON = "moved_on", _("Moved on")


class FollowUpStep(models.TextChoices):
    CONTACTED = "contacted", _("Contacted")
    RESOLVED = "resolved", _("Resolved")
