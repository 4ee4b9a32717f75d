from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from cases.enums import (
    ActionArea,
    AftercareKind,
    CaseStatus,
    ConferenceStatus,
    ConsentForm,
    CtiArea,
    CtiPhase,
    DisclosureFormat,
    GoalStatus,
    InformationTopic,
    InstitutionKind,
    NeedArea,
    NeedLevel,
    ReferralStatus,
    RiskLevel,
    StepChangeKind,
    StepOwner,
    StepStatus,
)
from core.appendonly import AppendOnlyModel
from core.fields import EncryptedTextField


@register_setting(icon="warning")
class RiskSettings(BaseGenericSetting):
    """Thresholds of the risk questionnaire and how often it is repeated; coordinators edit them."""

    review_weeks = models.PositiveSmallIntegerField(
        _("weeks until the next risk assessment"),
        default=8,
        help_text=_("A case may set its own interval."),
    )
    medium_threshold = models.PositiveSmallIntegerField(_("score from which the risk is medium"), default=10)
    high_threshold = models.PositiveSmallIntegerField(_("score from which the risk is high"), default=14)

    class Meta:
        verbose_name = _("risk questionnaire")
        constraints = [
            models.CheckConstraint(
                condition=Q(high_threshold__gt=F("medium_threshold")), name="risk_high_above_medium"
            ),
            models.CheckConstraint(condition=Q(review_weeks__gte=1), name="risk_review_weeks_positive"),
        ]


class Institution(models.Model):
    """Another body: a centre for social work, a police station, a court, a shelter, a school."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=InstitutionKind.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Case(models.Model):
    client = models.ForeignKey(
        "counseling.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="cases"
    )
    lead_counselor = models.ForeignKey(
        "counseling.CounselorProfile",
        verbose_name=_("lead counselor"),
        on_delete=models.PROTECT,
        related_name="lead_cases",
    )
    counselors = models.ManyToManyField(
        "counseling.CounselorProfile", verbose_name=_("other counselors"), blank=True, related_name="cases"
    )
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    risk_review_weeks = models.PositiveSmallIntegerField(
        _("weeks between risk assessments"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the organisation's interval."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")), name="case_closed_after_opened"
            ),
            models.CheckConstraint(
                condition=Q(risk_review_weeks__isnull=True) | Q(risk_review_weeks__gte=1),
                name="case_risk_review_weeks_positive",
            ),
        ]

    def __str__(self):
        # Only the id: this string can reach admin logs and audit screens.
        return _("Case %(number)s") % {"number": self.pk}

    @property
    def status(self):
        return CaseStatus.CLOSED if self.closed_on else CaseStatus.OPEN

    def get_status_display(self):
        return CaseStatus(self.status).label


class NeedsAssessment(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="needs_assessments")
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["-assessed_on", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.assessed_on:%Y-%m-%d}"


class Need(models.Model):
    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="needs")
    area = models.CharField(_("area"), max_length=20, choices=NeedArea.choices)
    level = models.CharField(_("need"), max_length=10, choices=NeedLevel.choices, default=NeedLevel.NONE)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [models.UniqueConstraint(fields=["assessment", "area"], name="need_one_per_area")]

    def __str__(self):
        return self.get_area_display()


class RiskAssessment(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    next_due_on = models.DateField(_("next assessment due"))
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(next_due_on__gt=F("assessed_on")), name="risk_next_due_after_assessed")
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.assessed_on:%Y-%m-%d}"


class RiskAnswer(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(_("question"), max_length=40)
    answer = models.BooleanField(_("yes"))

    class Meta:
        verbose_name = _("risk answer")
        verbose_name_plural = _("risk answers")
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="risk_answer_once")]

    def __str__(self):
        return self.question


class SafetyPlan(models.Model):
    """The current safety plan; every saved state is also kept in SafetyPlanVersion."""

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="safety_plan")
    warning_signs = EncryptedTextField(_("warning signs and triggers"), blank=True)
    safe_places = EncryptedTextField(_("safe places in and outside the home"), blank=True)
    trusted_people = EncryptedTextField(_("people she can turn to and a code word"), blank=True)
    emergency_contacts = EncryptedTextField(_("emergency numbers and contacts"), blank=True)
    documents_items = EncryptedTextField(_("documents, money and items to take"), blank=True)
    escape_route = EncryptedTextField(_("how to leave quickly and where to go"), blank=True)
    children = EncryptedTextField(_("children's safety"), blank=True)
    digital = EncryptedTextField(_("phone, internet and digital safety"), blank=True)
    work_routine = EncryptedTextField(_("safety at work and on daily routes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")

    def __str__(self):
        return f"{self._meta.verbose_name} {self.case_id}"


class SafetyPlanVersion(AppendOnlyModel):
    """Append-only: the plan as saved, one row per amendment."""

    append_only_clearable = ("sections", "saved_by")

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    sections = EncryptedTextField(_("sections (JSON)"))
    changed_sections = models.JSONField(_("changed sections"), default=list)
    saved_at = models.DateTimeField(_("saved"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("safety plan version")
        verbose_name_plural = _("safety plan versions")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="safety_plan_version_unique")]

    def __str__(self):
        return f"v{self.version}"


class ActionPlan(models.Model):
    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="action_plan")
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self):
        return f"{self._meta.verbose_name} {self.case_id}"


class ActionStep(models.Model):
    plan = models.ForeignKey(ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="steps")
    area = models.CharField(_("area"), max_length=24, choices=ActionArea.choices)
    description = EncryptedTextField(_("step"))
    owner = models.CharField(_("who does it"), max_length=12, choices=StepOwner.choices)
    owner_institution = models.ForeignKey(
        Institution,
        verbose_name=_("which body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=StepStatus.choices, default=StepStatus.PLANNED)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("action step")
        verbose_name_plural = _("action steps")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner=StepOwner.OTHER_BODY) | Q(owner_institution__isnull=False),
                name="step_other_body_named",
            )
        ]

    def __str__(self):
        return self.get_area_display()


class ActionStepChange(AppendOnlyModel):
    """Append-only history of the action plan: a snapshot of a step after each change."""

    append_only_clearable = ("snapshot", "changed_by")

    step = models.ForeignKey(ActionStep, on_delete=models.PROTECT, related_name="changes")
    plan_version = models.PositiveIntegerField(_("plan version"))
    kind = models.CharField(_("change"), max_length=10, choices=StepChangeKind.choices)
    snapshot = EncryptedTextField(_("step as saved (JSON)"))
    changed_fields = models.JSONField(_("changed fields"), default=list)
    changed_at = models.DateTimeField(_("when"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("who")
    )

    class Meta:
        verbose_name = _("action step change")
        verbose_name_plural = _("action step changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["step", "changed_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.plan_version}"


class InformationGiven(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="information")
    topic = models.CharField(_("right or service explained"), max_length=24, choices=InformationTopic.choices)
    given_on = models.DateField(_("explained on"))
    notes = EncryptedTextField(_("notes"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("information given")
        verbose_name_plural = _("information given")
        ordering = ["-given_on", "topic"]

    def __str__(self):
        return self.get_topic_display()


class ConsentRecord(models.Model):
    """Her consent to share named categories of data with one body, for a purpose, for a limited time."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="consents")
    recipient = models.ForeignKey(
        Institution, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="consents"
    )
    categories = models.JSONField(_("data categories"), default=list)
    purpose = EncryptedTextField(_("purpose"))
    given_how = models.CharField(_("given"), max_length=10, choices=ConsentForm.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="consent_until_after_from"),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"

    def is_valid_on(self, day) -> bool:
        if self.withdrawn_on and self.withdrawn_on <= day:
            return False
        return self.valid_from <= day <= self.valid_until


class Referral(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals")
    institution = models.ForeignKey(
        Institution, verbose_name=_("referred to"), on_delete=models.PROTECT, related_name="referrals"
    )
    categories = models.JSONField(_("data shared"), default=list)
    reason = EncryptedTextField(_("reason for the referral"))
    sent_on = models.DateField(_("sent on"))
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_on", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Disclosure(AppendOnlyModel):
    """Append-only log: data about her left the organisation, on which ground.

    The legal reason for sharing without consent stays after retention: it is the organisation's
    justification, and the row's check constraint needs a ground.
    """

    append_only_clearable = ("disclosed_by",)

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.ForeignKey(
        Institution, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="disclosures"
    )
    categories = models.JSONField(_("data categories"), default=list)
    format = models.CharField(_("form"), max_length=10, choices=DisclosureFormat.choices)
    consent = models.ForeignKey(
        ConsentRecord,
        verbose_name=_("consent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    override_reason = EncryptedTextField(_("legal reason for sharing without consent"), blank=True)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    disclosed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-disclosed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent__isnull=False) | ~Q(override_reason=""), name="disclosure_has_ground"
            )
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class AftercareActivity(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="aftercare")
    kind = models.CharField(_("kind"), max_length=20, choices=AftercareKind.choices)
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("aftercare activity")
        verbose_name_plural = _("aftercare activities")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.get_kind_display()


class CtiCourse(models.Model):
    """Coordinating counseling by Critical Time Intervention: 9 months in 3 phases of 3 months."""

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="cti_course")
    start_on = models.DateField(_("starts on"))
    moved_out_on = models.DateField(_("moved out of the shelter on"), null=True, blank=True)
    moved_in_on = models.DateField(_("moved into her own home on"), null=True, blank=True)
    extension_reason = EncryptedTextField(
        _("reason for running more than 6 months after moving in"),
        blank=True,
        help_text=_("Needed only when the course runs 6 to 12 months after she moved into her own home."),
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("CTI course")
        verbose_name_plural = _("CTI courses")
        ordering = ["start_on"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.case_id}"


class CtiGoal(models.Model):
    course = models.ForeignKey(CtiCourse, on_delete=models.CASCADE, related_name="goals")
    phase = models.PositiveSmallIntegerField(_("phase"), choices=CtiPhase.choices)
    area = models.CharField(_("area"), max_length=16, choices=CtiArea.choices)
    goal = EncryptedTextField(_("goal"))
    status = models.CharField(_("status"), max_length=14, choices=GoalStatus.choices, default=GoalStatus.OPEN)

    class Meta:
        verbose_name = _("CTI goal")
        verbose_name_plural = _("CTI goals")
        ordering = ["phase", "area", "id"]

    def __str__(self):
        return self.get_area_display()


class CtiReview(models.Model):
    course = models.ForeignKey(CtiCourse, on_delete=models.CASCADE, related_name="reviews")
    phase = models.PositiveSmallIntegerField(_("phase"), choices=CtiPhase.choices)
    review_on = models.DateField(_("review date"))
    held = models.BooleanField(_("held"), default=False)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("CTI review")
        verbose_name_plural = _("CTI reviews")
        ordering = ["review_on", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.review_on:%Y-%m-%d}"


class CaseConference(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="conferences")
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ConferenceStatus.choices, default=ConferenceStatus.SCHEDULED
    )
    agenda = EncryptedTextField(_("agenda"), blank=True)
    decisions = EncryptedTextField(_("decisions"), blank=True)
    invited_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("invited staff"), blank=True, related_name="case_conferences"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        ordering = ["-held_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.held_at:%Y-%m-%d}"


class ConferenceParticipant(models.Model):
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="participants")
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("The professional attending."))
    role = models.CharField(_("role"), max_length=200, blank=True)
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["institution__name", "name"]

    def __str__(self):
        return self.name


class FollowUpAction(models.Model):
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="follow_ups")
    description = EncryptedTextField(_("action"))
    institution = models.ForeignKey(
        Institution, verbose_name=_("responsible institution"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due"))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.due_on:%Y-%m-%d}"
