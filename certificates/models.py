from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import PreviewableMixin

from certificates.codes import code_display
from certificates.enums import CertificateEventKind, CertificateStatus, VerificationState
from core import dates
from core.appendonly import AppendOnlyModel


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
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")),
                name="accreditation_valid_range",
                violation_error_message=_("The accreditation cannot end before it starts."),
            ),
            models.UniqueConstraint(fields=["body", "decision_number"], name="accreditation_unique_decision"),
        ]

    def __str__(self):
        return f"{self.body} {self.decision_number}"

    def is_current(self, today=None) -> bool:
        today = today or dates.today()
        return self.valid_from <= today <= self.valid_until

    def is_expired(self, today=None) -> bool:
        return self.valid_until < (today or dates.today())

    @property
    def number(self) -> str:
        """The accreditation's number as printed: the accrediting body's decision number."""
        return self.decision_number

    def covers(self, first_day, last_day) -> bool:
        """Valid on every day from `first_day` to `last_day` (an edition's dates)."""
        return self.valid_from <= first_day and last_day <= self.valid_until


class CertificateCounter(models.Model):
    """One row per year, locked while a certificate is numbered so that serials have no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class CertificateIssuer(AppendOnlyModel):
    """The issuer as certificates print it from one moment on: name, logo, texts and signatories.

    Frozen: a certificate points at the issuer it was issued under, so later changes of the certificate
    settings change only certificates issued after them. Certificates issued under identical settings share
    one row (`source_key` is a digest of the settings and of the images' identities).
    """

    # Nothing in Wagtail's content points at these; indexing each save would cost more than issuing.
    wagtail_reference_index_ignore = True

    source_key = models.CharField(max_length=64, unique=True, editable=False)
    organisation_name = models.CharField(_("organisation name"), max_length=255, blank=True)
    logo = models.BinaryField(_("logo (PNG)"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    completion_text = models.CharField(_("completion text"), max_length=255, blank=True)
    footer_text = models.CharField(_("footer text"), max_length=255, blank=True)
    first_signatory_name = models.CharField(_("first signatory"), max_length=120, blank=True)
    first_signatory_title = models.CharField(_("first signatory's title"), max_length=120, blank=True)
    first_signature = models.BinaryField(_("first signature (PNG)"), null=True, blank=True)
    second_signatory_name = models.CharField(_("second signatory"), max_length=120, blank=True)
    second_signatory_title = models.CharField(_("second signatory's title"), max_length=120, blank=True)
    second_signature = models.BinaryField(_("second signature (PNG)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate issuer")
        verbose_name_plural = _("certificate issuers")

    def __str__(self):
        return self.organisation_name or str(_("Issuer %(id)s") % {"id": self.pk})

    @property
    def signatories(self) -> list[tuple[str, str]]:
        """(name, title) of each signatory, in print order."""
        return [
            (name, title)
            for name, title in [
                (self.first_signatory_name, self.first_signatory_title),
                (self.second_signatory_name, self.second_signatory_title),
            ]
            if name
        ]


class CertificateQuerySet(models.QuerySet):
    # Bookkeeping a queryset may still write in bulk; everything a certificate prints goes through save().
    bulk_updatable = frozenset({"expiry_reminder_sent_at"})

    def update(self, **kwargs):
        if not set(kwargs) <= self.bulk_updatable:
            raise CertificateFrozenError(_("An issued certificate cannot be changed; revoke or replace it."))
        return super().update(**kwargs)

    def delete(self):
        raise CertificateFrozenError(_("An issued certificate cannot be deleted; revoke it instead."))

    delete.queryset_only = True


class CertificateFrozenError(PermissionDenied):
    """A change an issued certificate refuses: it prints the same for ever, and revoked stays revoked."""


class Certificate(models.Model):
    # Every field printed on the certificate, in its PDF, on the verification page and in its credential:
    # written once at issue and never changed afterwards (save() refuses it, and a database trigger too).
    FROZEN_FIELDS = (
        "enrollment_id",
        "holder_id",
        "edition_id",
        "accreditation_id",
        "issuer_id",
        "year",
        "number",
        "serial",
        "verification_code",
        "holder_name",
        "holder_organisation",
        "holder_job_title",
        "programme_title",
        "edition_start",
        "edition_end",
        "hours",
        "accreditation_body",
        "accreditation_number",
        "accreditation_points",
        "accreditation_valid_from",
        "accreditation_valid_until",
        "issued_on",
        "issued_at",
        "expires_on",
    )
    # Written once when still empty (certificates issued before credentials existed are signed later).
    WRITE_ONCE_FIELDS = ("credential", "status_list_index", "replaced_by_id", "revoked_reason", "revoked_at")

    enrollment = models.ForeignKey(
        "trainings.Enrollment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificates",
        db_index=False,  # the index on (enrollment, status) leads with it
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
    issuer = models.ForeignKey(
        CertificateIssuer,
        verbose_name=_("issuer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    serial = models.CharField(_("serial number"), max_length=40)
    verification_code = models.CharField(_("verification code"), max_length=64, unique=True, editable=False)

    holder_name = models.CharField(_("name as printed"), max_length=200)
    holder_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    holder_job_title = models.CharField(_("job title"), max_length=200, blank=True)
    programme_title = models.CharField(_("programme"), max_length=255)
    edition_start = models.DateField(_("first day"))
    edition_end = models.DateField(_("last day"))
    hours = models.DecimalField(_("hours attended"), max_digits=5, decimal_places=1, null=True, blank=True)
    accreditation_body = models.CharField(_("accrediting body"), max_length=255, blank=True)
    accreditation_number = models.CharField(_("accreditation number"), max_length=100, blank=True)
    accreditation_points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, null=True, blank=True)
    accreditation_valid_from = models.DateField(_("accreditation valid from"), null=True, blank=True)
    accreditation_valid_until = models.DateField(_("accreditation valid until"), null=True, blank=True)

    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
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
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    # The Open Badges 3.0 credential, signed at issue, stored as the exact JSON text that was signed.
    credential = models.TextField(_("signed credential"), blank=True, editable=False)
    status_list_index = models.PositiveIntegerField(_("status list index"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expiry_reminder_sent_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()
    # Wagtail's reference index would queue a task on every save (a third of the cost of issuing).
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["serial"], name="certificate_unique_serial"),
            models.UniqueConstraint(fields=["year", "number"], name="certificate_unique_year_number"),
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(status=CertificateStatus.VALID),
                name="certificate_one_valid_per_enrollment",
            ),
            models.UniqueConstraint(fields=["status_list_index"], name="certificate_unique_status_list_index"),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.REVOKED) | ~Q(revoked_reason=""),
                name="certificate_revoked_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "status"]),
            models.Index(fields=["expires_on", "status"]),
            # Which completed enrolments still await a certificate, answered from the index alone.
            models.Index(fields=["enrollment", "status"], name="certificate_enrollment_status"),
            # A donor report's certificates of a span, answered from the index alone (without it each count
            # read every certificate of the project's editions).
            models.Index(fields=["issued_on", "edition", "status", "enrollment"], name="certificate_issued_span"),
        ]

    def __str__(self):
        return self.serial

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            self._refuse_forbidden_change()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise CertificateFrozenError(_("An issued certificate cannot be deleted; revoke it instead."))

    def _refuse_forbidden_change(self):
        fields = (*self.FROZEN_FIELDS, *self.WRITE_ONCE_FIELDS, "status")
        stored = type(self).objects.filter(pk=self.pk).values(*fields).first()
        if stored is None:
            return
        if stored["status"] != CertificateStatus.VALID and self.status != stored["status"]:
            raise CertificateFrozenError(
                _("A revoked or replaced certificate stays so; issue a new one through completion instead.")
            )
        if any(getattr(self, name) != stored[name] for name in self.FROZEN_FIELDS):
            raise CertificateFrozenError(_("An issued certificate cannot be changed; revoke or replace it."))
        for name in self.WRITE_ONCE_FIELDS:
            if stored[name] not in (None, "") and getattr(self, name) != stored[name]:
                raise CertificateFrozenError(_("An issued certificate cannot be changed; revoke or replace it."))

    def verification_state(self, today=None) -> str:
        if self.status == CertificateStatus.REVOKED:
            return VerificationState.REVOKED
        if self.status == CertificateStatus.REPLACED:
            return VerificationState.REPLACED
        if self.expires_on and self.expires_on < (today or dates.today()):
            return VerificationState.EXPIRED
        return VerificationState.VALID

    @property
    def shows_holder(self) -> bool:
        """Revoked and replaced certificates name nobody in public: the name may be one she left behind."""
        return self.status == CertificateStatus.VALID

    @property
    def code_display(self) -> str:
        return code_display(self.verification_code)


class CertificateEvent(AppendOnlyModel):
    """What happened to a certificate and why: issued, revoked, replaced. A history kept as written."""

    append_only_clearable = ("by",)
    wagtail_reference_index_ignore = True

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=12, choices=CertificateEventKind.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.certificate_id} {self.kind}"


@register_setting(icon="doc-full")
class CertificateSettings(PreviewableMixin, BaseSiteSetting):
    """What a certificate prints besides its own data: set by coordinators in the Wagtail admin.

    Certificates freeze these at issue (CertificateIssuer): a change applies to certificates issued after
    it. The admin shows a preview: a sample certificate as it would print with the values in the form.
    """

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

    preview_modes = [("", _("Certificate (PDF)"))]

    def serve_preview(self, request, mode_name):
        from certificates.views import certificate_settings_preview

        return certificate_settings_preview(request, certificate_settings=self)
