from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from certificates.enums import CertificateStatus, VerificationState
from core import dates


class Accreditation(models.Model):
    body = models.CharField(_("accrediting body"), max_length=255)
    decision_number = models.CharField(_("decision number"), max_length=100)
    decision_date = models.DateField(_("decision date"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, null=True, blank=True)
    hours = models.DecimalField(_("accredited hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    professions = models.CharField(
        _("professions"), max_length=255, blank=True, help_text=_("The professions the accreditation is for.")
    )
    programmes = models.ManyToManyField(
        "trainings.TrainingProgramme", verbose_name=_("programmes"), related_name="accreditations"
    )
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificates valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when certificates never expire."),
    )

    panels = [
        FieldPanel("body"),
        FieldPanel("decision_number"),
        FieldPanel("decision_date"),
        FieldPanel("valid_from"),
        FieldPanel("valid_until"),
        FieldPanel("points"),
        FieldPanel("hours"),
        FieldPanel("professions"),
        FieldPanel("programmes"),
        FieldPanel("certificate_validity_months"),
    ]

    class Meta:
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        ordering = ["-valid_until", "body"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="accreditation_valid_range"),
            models.UniqueConstraint(fields=["body", "decision_number"], name="accreditation_unique_decision"),
        ]

    def __str__(self):
        return f"{self.body} {self.decision_number}"

    def is_current(self, today=None) -> bool:
        today = today or dates.today()
        return self.valid_from <= today <= self.valid_until

    def is_expired(self, today=None) -> bool:
        return self.valid_until < (today or dates.today())


class CertificateCounter(models.Model):
    """One row per year, locked while a certificate is numbered so that serials have no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Certificate(models.Model):
    enrollment = models.ForeignKey(
        "trainings.Enrollment", verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="certificates"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates"
    )
    edition = models.ForeignKey(
        "trainings.Edition", verbose_name=_("edition"), on_delete=models.PROTECT, related_name="certificates"
    )
    accreditation = models.ForeignKey(
        Accreditation,
        verbose_name=_("accreditation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    serial = models.CharField(_("serial number"), max_length=40)
    verification_code = models.CharField(_("verification code"), max_length=64, unique=True, editable=False)

    # Frozen at issue: the certificate must print and verify the same way for ever.
    holder_name = models.CharField(_("name as printed"), max_length=200)
    holder_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    programme_title = models.CharField(_("programme"), max_length=255)
    edition_start = models.DateField(_("first day"))
    edition_end = models.DateField(_("last day"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    accreditation_body = models.CharField(_("accrediting body"), max_length=255, blank=True)
    accreditation_number = models.CharField(_("accreditation number"), max_length=100, blank=True)
    accreditation_points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, null=True, blank=True)

    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_reason = models.CharField(_("reason for revocation"), max_length=255, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expiry_reminder_sent_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["serial"], name="certificate_unique_serial"),
            models.UniqueConstraint(fields=["year", "number"], name="certificate_unique_year_number"),
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=~Q(status=CertificateStatus.REPLACED),
                name="certificate_one_current_per_enrollment",
            ),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.REVOKED) | ~Q(revoked_reason=""),
                name="certificate_revoked_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["holder", "status"]), models.Index(fields=["expires_on", "status"])]

    def __str__(self):
        return self.serial

    def verification_state(self, today=None) -> str:
        if self.status == CertificateStatus.REVOKED:
            return VerificationState.REVOKED
        if self.status == CertificateStatus.REPLACED:
            return VerificationState.REPLACED
        if self.expires_on and self.expires_on < (today or dates.today()):
            return VerificationState.EXPIRED
        return VerificationState.VALID


@register_setting(icon="doc-full")
class CertificateSettings(BaseSiteSetting):
    """What a certificate prints besides its own data: set by coordinators in the Wagtail admin."""

    organisation_name = models.CharField(
        _("organisation name"), max_length=255, blank=True, help_text=_("Printed at the top of the certificate.")
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=120, blank=True, help_text=_('For example "Certificate".'))
    completion_text = models.CharField(
        _("completion text"),
        max_length=255,
        blank=True,
        help_text=_('Printed between the name and the programme, e.g. "has completed the accredited training".'),
    )
    footer_text = models.CharField(_("footer text"), max_length=255, blank=True)
    first_signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("first signature"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_signatory_name = models.CharField(_("first signatory"), max_length=120, blank=True)
    first_signatory_title = models.CharField(_("first signatory's title"), max_length=120, blank=True)
    second_signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("second signature"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    second_signatory_name = models.CharField(_("second signatory"), max_length=120, blank=True)
    second_signatory_title = models.CharField(_("second signatory's title"), max_length=120, blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("organisation_name"), FieldPanel("logo"), FieldPanel("title"), FieldPanel("completion_text")],
            heading=_("Heading"),
        ),
        MultiFieldPanel(
            [FieldPanel("first_signature"), FieldPanel("first_signatory_name"), FieldPanel("first_signatory_title")],
            heading=_("First signature"),
        ),
        MultiFieldPanel(
            [FieldPanel("second_signature"), FieldPanel("second_signatory_name"), FieldPanel("second_signatory_title")],
            heading=_("Second signature"),
        ),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("certificate settings")
