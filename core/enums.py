from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceStatus(models.TextChoices):
    """Shared by group sessions and training sessions: one attendance component for both."""

    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class AgeBand(models.TextChoices):
    """Her age group, as donors ask for it. An age band, never a birth date: enough to count, too coarse to
    find her by. Shared by group members and counseling clients, so the reports count both alike."""

    AGE_18_24 = "18_24", _("18–24")
    AGE_25_34 = "25_34", _("25–34")
    AGE_35_44 = "35_44", _("35–44")
    AGE_45_54 = "45_54", _("45–54")
    AGE_55_64 = "55_64", _("55–64")
    AGE_65_PLUS = "65_plus", _("65 and over")


class TargetGroup(models.TextChoices):
    """The group of women a donor's results framework counts her in. Shared by group members and
    counseling clients."""

    GENERAL = "general", _("Women survivors of partner violence (general)")
    ROMA = "roma", _("Roma women")
    DISABILITY = "disability", _("Women with disabilities")
    RURAL = "rural", _("Women in rural areas")
    MIGRANT = "migrant", _("Migrant and refugee women")
    OLDER = "older", _("Older women")
    OTHER = "other", _("Other")
