from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.enums import OrganisationType
from accounts.validators import validate_visible_text


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(
        _("full name"),
        max_length=200,
        help_text=_("Your name as it should print on a certificate."),
        validators=[validate_visible_text],
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation_type__in=["", *OrganisationType.values]),
                name="profile_organisation_type_known",
            )
        ]

    def __str__(self):
        return self.full_name or self.user.get_username()

    def save(self, *args, **kwargs):
        # Every door (a form, the admin, a script) meets the same rule as the profile page.
        validate_visible_text(self.full_name)
        super().save(*args, **kwargs)
