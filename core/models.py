from django.db import models
from django.utils.translation import gettext_lazy as _


class UsedFormToken(models.Model):
    """One-time form tokens already spent. The unique key makes two simultaneous submits of one form
    race in the database, where exactly one wins (see core.security)."""

    token = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table was created by the audit app before the shared pieces had their own package.
        db_table = "audit_usedformtoken"
        default_permissions = ()

    def __str__(self):
        return self.token


class Municipality(models.Model):
    """A municipality the organisation works in. A list coordinators keep, rather than free text, so that the
    donor reports count the women of one municipality under one spelling."""

    name = models.CharField(_("name"), max_length=120, unique=True)

    # Survivors' records point here. Wagtail's reference index would keep which of them lives where in a
    # table retention never clears, and list them by alias on the municipality's "usage" page: it is left out.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name
