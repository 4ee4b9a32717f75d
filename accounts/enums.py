from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups; the stored name is the English value."""

    COORDINATOR = "Coordinator", _("Coordinator")
    FACILITATOR = "Facilitator", _("Facilitator")
    COUNSELOR = "Counselor", _("Counselor")
    TRAINER = "Trainer", _("Trainer")
    PROJECT_MANAGER = "Project manager", _("Project manager")
    TRAINEE = "Trainee", _("Trainee")


STAFF_ROLES = frozenset({Role.COORDINATOR, Role.FACILITATOR, Role.COUNSELOR})
"""Roles that reach survivor data: they must use MFA and get shorter sessions."""


class OrganisationType(models.TextChoices):
    """The kind of body a trainee works for, as donor reports count professionals reached."""

    NGO = "ngo", _("Non-governmental organisation")
    SOCIAL_WORK = "social_work", _("Centre for social work")
    POLICE = "police", _("Police")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health institution")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    OTHER = "other", _("Other")
