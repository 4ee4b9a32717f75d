from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.details import detail_shown
from audit.enums import AuditAction, LegalBasis
from core.appendonly import AppendOnlyModel
from core.fields import EncryptedTextField


class AuditEntry(AppendOnlyModel):
    """Append-only: who did what to which survivor record, when and from where.

    Holds the object's type and id, never its text, so the log itself reveals no alias. When a staff
    account is deleted, the entry keeps the email she had and loses only the link to the account.
    """

    append_only_clearable = ("actor",)
    # Wagtail would index each entry's links (5 queries per entry): the log is written on every screen.
    wagtail_reference_index_ignore = True

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_email = models.CharField(_("who (email at the time)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    # A list screen writes one entry naming every record it showed (",12,15,40,"), not one entry per record.
    listed_ids = models.TextField(_("records listed"), blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        # Every filter of the log screen is a range or an equality on one of these: no per-row function.
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_at"),
            models.Index(fields=["actor_email", "at"], name="audit_actor_email_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.content_type_id}:{self.record_ids}"

    @property
    def record_ids(self) -> str:
        """The record, or the records a list screen showed, for reading."""
        return self.object_id or self.listed_ids.strip(",").replace(",", ", ")

    record_ids.fget.short_description = _("records")

    def get_detail_display(self) -> str:
        """The detail in the reader's language (audit.details): the listing's column and the entry's page."""
        return detail_shown(self.detail)


class CompelledDisclosure(models.Model):
    """Survivor data released because the law required it (court order, statute).

    The register answers an auditor's and the survivor's questions: what left, to whom, on which legal
    basis, and when she was told (or why she was not).
    """

    client = models.ForeignKey(
        "counseling.Client",
        verbose_name=_("counseling client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        "groups.Member",
        verbose_name=_("group member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_what = EncryptedTextField(_("what was released"))
    released_to = models.CharField(_("released to"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    legal_reference = models.CharField(
        _("reference"), max_length=255, help_text=_("Court case number, article of the law, warrant number.")
    )
    released_on = models.DateField(_("released on"))
    client_told_on = models.DateField(_("she was told on"), null=True, blank=True)
    not_told_reason = EncryptedTextField(
        _("why she was not told"), blank=True, help_text=_("For example: a court forbade it, or telling her is unsafe.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("compelled disclosure")
        verbose_name_plural = _("compelled disclosures")
        ordering = ["-released_on", "-id"]
        default_permissions = ("add", "change", "view")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(client__isnull=False) | models.Q(member__isnull=False),
                name="disclosure_concerns_someone",
            )
        ]

    def __str__(self):
        # Never the alias: this string appears in admin lists and logs.
        return f"{self.get_legal_basis_display()} {self.released_on:%Y-%m-%d}"
