from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DonorProject(models.Model):
    """A grant that funds cohorts, training editions and counseling activity."""

    title = models.CharField(_("title"), max_length=255)
    donor = models.CharField(_("donor"), max_length=255)
    grant_number = models.CharField(_("grant or contract number"), max_length=100, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    partners = models.TextField(_("partners"), blank=True)
    aim = models.TextField(_("aim"), blank=True)
    target_groups = models.TextField(_("target groups"), blank=True)
    planned_activities = models.TextField(_("planned activities"), blank=True)
    suppression_threshold = models.PositiveSmallIntegerField(
        _("small-cell threshold"),
        default=4,
        help_text=_("Counts of survivors from 1 up to this number are shown as '<5' in reports."),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("project managers"), blank=True, related_name="managed_projects"
    )

    class Meta:
        verbose_name = _("donor project")
        verbose_name_plural = _("donor projects")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="project_end_after_start")
        ]

    def __str__(self):
        return self.title
