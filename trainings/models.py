from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from core.enums import AttendanceStatus
from trainings.enums import CompletionRule, EditionStatus, EnrollmentStatus


class TrainingProgramme(models.Model):
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    topics = models.TextField(_("topics"), blank=True)
    target_professions = models.CharField(_("target professions"), max_length=255, blank=True)
    hours = models.DecimalField(_("length in hours"), max_digits=5, decimal_places=1, default=Decimal("8.0"))
    completion_rule = models.CharField(
        _("completion rule"), max_length=20, choices=CompletionRule.choices, default=CompletionRule.MIN_SHARE
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum share of hours attended (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["title"]

    def __str__(self):
        return self.title


class Edition(ClusterableModel):
    programme = models.ForeignKey(
        TrainingProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="editions"
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers"), blank=True, related_name="trained_editions"
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20)
    enrolment_opens = models.DateTimeField(_("enrolment opens"))
    enrolment_closes = models.DateTimeField(_("enrolment closes"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="sr-latn")
    status = models.CharField(_("status"), max_length=10, choices=EditionStatus.choices, default=EditionStatus.OPEN)
    requires_approval = models.BooleanField(_("enrolment needs a coordinator's approval"), default=False)
    confirm_days = models.PositiveSmallIntegerField(
        _("days a promoted waitlister has to confirm"), default=3, validators=[MinValueValidator(1)]
    )
    self_check_in = models.BooleanField(_("trainees may check in with a QR code"), default=False)
    promotion_needs_confirmation = models.BooleanField(
        _("a promoted waitlister must confirm her seat"),
        default=False,
        help_text=_("Otherwise the first on the waitlist is enrolled at once when a seat frees."),
    )
    priority_places = models.PositiveSmallIntegerField(
        _("places kept for partner organisations"),
        default=0,
        help_text=_("Seats only trainees of the funding project's partner organisations may take."),
    )
    project = models.ForeignKey(
        "reporting.DonorProject",
        verbose_name=_("funded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="editions",
    )

    class Meta:
        verbose_name = _("training edition")
        verbose_name_plural = _("training editions")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="edition_end_after_start"),
            models.CheckConstraint(
                condition=Q(enrolment_closes__gt=F("enrolment_opens")), name="edition_enrolment_window_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority_places__lte=F("capacity")), name="edition_priority_places_within_capacity"
            ),
        ]

    def __str__(self):
        return f"{self.programme} ({self.start_date:%d.%m.%Y})"


class TrainingSession(models.Model):
    # ParentalKey lets coordinators edit the sessions inline on the edition in the Wagtail admin.
    edition = ParentalKey(Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    title = models.CharField(_("title"), max_length=255, blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False, help_text="iCalendar SEQUENCE")

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="training_session_end_after_start")]

    def __str__(self):
        return f"{self.edition} {self.start:%d.%m.%Y %H:%M}"

    @property
    def hours(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds()) / Decimal(3600)


class Enrollment(models.Model):
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="enrollments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainee"), on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(_("status"), max_length=15, choices=EnrollmentStatus.choices)
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    priority = models.BooleanField(_("priority place (partner organisation)"), default=False)
    completion_reason = models.CharField(_("reason"), max_length=255, blank=True)
    transferred_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="transferred_from"
    )
    reminded_on = models.DateField(_("reminder sent for"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "user"], name="enrollment_unique_per_edition"),
            models.CheckConstraint(
                condition=~Q(status=EnrollmentStatus.OFFERED) | Q(offer_expires_at__isnull=False),
                name="enrollment_offer_has_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.edition}"


class TrainingAttendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="training_attendance_unique_per_session")
        ]

    def __str__(self):
        return f"{self.enrollment_id}@{self.session_id}: {self.status}"


class TrainingCataloguePage(Page):
    """The public catalogue on the Wagtail site: upcoming editions with seats left."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["website.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("training catalogue page")

    def get_context(self, request, *args, **kwargs):
        from trainings.selectors import catalogue_page

        context = super().get_context(request, *args, **kwargs)
        context["page_obj"] = catalogue_page(number=request.GET.get("page"))
        context["editions"] = context["page_obj"].object_list
        return context
