from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from cases.enums import (
    ActionArea,
    ActivityStatus,
    AftercareKind,
    AgeBand,
    CaseEventKind,
    CaseOutcome,
    CaseStatus,
    ConferenceStatus,
    ConsentForm,
    CtiArea,
    CtiPhase,
    DisclosureFormat,
    GoalStatus,
    InformationTopic,
    InstitutionKind,
    JournalKind,
    NeedArea,
    NeedLevel,
    ReferralStatus,
    RiskLevel,
    RiskReply,
    StepChangeKind,
    StepOwner,
    StepStatus,
)
from core.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from core.fields import EncryptedTextField

CASE_CLOSED_MESSAGE = _(
    "This case is closed, so nothing in it can be added or changed; nothing was saved. "
    "A coordinator or the case's lead counselor may reopen it with a reason."
)


class CaseClosedError(ValidationError):
    """A closed case is read-only: every record of it refuses to be added, changed or deleted."""

    def __init__(self):
        super().__init__(CASE_CLOSED_MESSAGE, code="case_closed")


def clearable_fields(model) -> set[str]:
    """Columns that may still be blanked on a closed case: retention wipes free text, and deleting a staff
    account empties the "by" links (SET NULL). Nothing else of a closed case changes."""
    names = set(getattr(model, "append_only_clearable", ()))
    for field in model._meta.concrete_fields:
        set_null = field.is_relation and field.null and field.remote_field.on_delete is models.SET_NULL
        if isinstance(field, EncryptedTextField) or set_null:
            names.add(field.name)
    return names


def _only_clears(model, changes: dict) -> bool:
    return bool(changes) and set(changes) <= clearable_fields(model) and all(v in ("", None) for v in changes.values())


class CaseRecordQuerySet(models.QuerySet):
    def _touches_closed_case(self) -> bool:
        return self.filter(**{f"{self.model.case_path}__closed_on__isnull": False}).exists()

    def update(self, **kwargs):
        if not _only_clears(self.model, kwargs) and self._touches_closed_case():
            raise CaseClosedError()
        return super().update(**kwargs)

    def delete(self):
        if self._touches_closed_case():
            raise CaseClosedError()
        return super().delete()

    delete.queryset_only = True


class CaseRecord(models.Model):
    """A record that belongs to one case (through `case_path`) and freezes when the case closes.

    The model refuses to save or delete it, the queryset refuses to update or delete it, and database
    triggers (cases/triggers.py) refuse INSERT and UPDATE from anywhere else, while its case is closed.
    """

    case_path = "case"

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        case_id = self.case_id_of()
        if case_id is not None and Case.objects.filter(pk=case_id, closed_on__isnull=False).exists():
            raise CaseClosedError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and type(self)._default_manager.filter(pk=self.pk)._touches_closed_case():
            raise CaseClosedError()
        return super().delete(*args, **kwargs)

    def case_id_of(self):
        *hops, last = self.case_path.split("__")
        owner = self
        for hop in hops:
            owner = getattr(owner, hop)
        return getattr(owner, f"{last}_id")


class CaseHistoryQuerySet(AppendOnlyQuerySet, CaseRecordQuerySet):
    pass


class CaseHistory(AppendOnlyModel, CaseRecord):
    """An append-only history that belongs to a case: written once, and not at all once the case closed."""

    objects = CaseHistoryQuerySet.as_manager()

    class Meta:
        abstract = True


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


@register_setting(icon="date")
class CaseworkSettings(BaseGenericSetting):
    """When something on a caseload is due; coordinators edit them."""

    due_soon_days = models.PositiveSmallIntegerField(
        _("days ahead a caseload shows what is due"), default=14, validators=[MinValueValidator(1)]
    )
    referral_answer_days = models.PositiveSmallIntegerField(
        _("days after which a referral without an answer is chased"), default=14, validators=[MinValueValidator(1)]
    )
    consent_warning_days = models.PositiveSmallIntegerField(
        _("days before a consent ends that its counselor is reminded"), default=30, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("caseload reminders")


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
    # The donor project that funds her case work: its reports count the aftercare and conferences held.
    project = models.ForeignKey(
        "reporting.DonorProject",
        verbose_name=_("donor project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CaseOutcome.choices, blank=True)
    closure_reason = EncryptedTextField(_("why the case was closed"), blank=True)
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
        # The case lists, newest first, a page at a time: read in this order, not every case sorted for fifty
        # (1,600 open cases and each one's latest risk level: 2.4 -> 0.45 ms on SQLite).
        indexes = [models.Index(fields=["-opened_on", "-id"], name="case_newest_first")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")), name="case_closed_after_opened"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(outcome=""), name="case_closed_with_outcome"
            ),
            models.CheckConstraint(
                condition=Q(risk_review_weeks__isnull=True) | Q(risk_review_weeks__gte=1),
                name="case_risk_review_weeks_positive",
            ),
        ]

    def __str__(self):
        # Only the id: this string can reach admin logs and audit screens.
        return _("Case %(number)s") % {"number": self.pk}

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored_project = Case.objects.filter(pk=self.pk).values_list("project_id", flat=True).first()
            if stored_project != self.project_id:
                # What a frozen report counted for one project does not move to another.
                for model in (AftercareActivity, CaseConference):
                    for project_id in (stored_project, self.project_id):
                        model.objects.filter(case_id=self.pk).counted_guard(project_id=project_id)
        # A closed case changes only by being reopened, and only after the reopening is in its history
        # (the same rule as the database trigger in cases/triggers.py).
        if self.pk is not None and not self._state.adding:
            stored = Case.objects.filter(pk=self.pk).values_list("closed_on", flat=True).first()
            if stored is not None and (self.closed_on is not None or not self._reopening_recorded()):
                raise CaseClosedError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Case.objects.filter(pk=self.pk, closed_on__isnull=False).exists():
            raise CaseClosedError()
        return super().delete(*args, **kwargs)

    @property
    def status(self):
        return CaseStatus.CLOSED if self.closed_on else CaseStatus.OPEN

    def get_status_display(self):
        return CaseStatus(self.status).label

    def _reopening_recorded(self) -> bool:
        latest = CaseEvent.objects.filter(case_id=self.pk).order_by("-id").values_list("kind", flat=True).first()
        return latest == CaseEventKind.REOPENED


class CaseEvent(AppendOnlyModel):
    """Append-only: the case's life (opened, closed, reopened, handed over), who did it and why.

    Not itself frozen by closing: closing and reopening are written here.
    """

    append_only_clearable = ("reason", "by", "lead_before", "lead_after")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what happened"), max_length=12, choices=CaseEventKind.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    reason = EncryptedTextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CaseOutcome.choices, blank=True)
    on = models.DateField(_("date"), null=True, blank=True)
    lead_before = models.ForeignKey(
        "counseling.CounselorProfile",
        verbose_name=_("lead counselor before"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_after = models.ForeignKey(
        "counseling.CounselorProfile",
        verbose_name=_("lead counselor after"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    coworkers_before = models.JSONField(_("other counselors before"), default=list, blank=True)
    coworkers_after = models.JSONField(_("other counselors after"), default=list, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case history")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class NeedsAssessment(CaseRecord):
    case_path = "case"
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


class Need(CaseRecord):
    case_path = "assessment__case"
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


class RiskAssessment(CaseRecord):
    case_path = "case"
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    scored_level = models.CharField(_("risk level by the score"), max_length=10, choices=RiskLevel.choices)
    # Professional judgement (as in DASH): the counselor may raise the level above the score's, with a reason.
    judgement_raised = models.BooleanField(_("raised by professional judgement"), default=False)
    judgement_reason = EncryptedTextField(_("why the level was raised"), blank=True)
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    next_due_on = models.DateField(_("next assessment due"))
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(next_due_on__gt=F("assessed_on")), name="risk_next_due_after_assessed"),
            models.CheckConstraint(
                condition=Q(judgement_raised=False) | ~Q(judgement_reason=""), name="risk_judgement_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.assessed_on:%Y-%m-%d}"


class RiskAnswer(CaseRecord):
    case_path = "assessment__case"
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(_("question"), max_length=40)
    answer = models.CharField(_("answer"), max_length=10, choices=RiskReply.choices)

    class Meta:
        verbose_name = _("risk answer")
        verbose_name_plural = _("risk answers")
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="risk_answer_once")]

    def __str__(self):
        return self.question


class SafetyPlan(CaseRecord):
    """The current safety plan; every saved state is also kept in SafetyPlanVersion."""

    case_path = "case"
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


class SafetyPlanVersion(CaseHistory):
    """Append-only: the plan as saved, one row per amendment."""

    case_path = "plan__case"
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


class ActionPlan(CaseRecord):
    case_path = "case"
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


class ActionStep(CaseRecord):
    case_path = "plan__case"
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


class ActionStepChange(CaseHistory):
    """Append-only history of the action plan: a snapshot of a step after each change."""

    case_path = "step__plan__case"
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


class InformationGiven(CaseRecord):
    case_path = "case"
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


class ConsentRecord(CaseRecord):
    """Her consent to share named categories of data with one body, for a purpose, for a limited time."""

    case_path = "case"
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
    withdrawal_reason = EncryptedTextField(_("why she withdrew it"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )
    # She may ask that the bodies that already received data under this consent are told it was withdrawn.
    tell_recipient = models.BooleanField(_("she asks that the recipient is told"), default=False)
    recipient_told_on = models.DateField(_("recipient told on"), null=True, blank=True)
    expiry_checked_on = models.DateField(
        _("end of the consent checked on"),
        null=True,
        blank=True,
        help_text=_("When her counselor asked her whether to renew it."),
    )
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


class Referral(CaseRecord):
    case_path = "case"
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals")
    institution = models.ForeignKey(
        Institution, verbose_name=_("referred to"), on_delete=models.PROTECT, related_name="referrals"
    )
    categories = models.JSONField(_("data shared"), default=list)
    reason = EncryptedTextField(_("reason for the referral"))
    sent_on = models.DateField(_("sent on"))
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
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


class ReferralStatusChange(CaseHistory):
    """Append-only: each status of a referral with its date and what was learnt; the referral shows the latest."""

    case_path = "referral__case"
    append_only_clearable = ("note", "by")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices)
    on = models.DateField(_("date"))
    note = EncryptedTextField(_("outcome"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("referral status")
        verbose_name_plural = _("referral statuses")
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.get_status_display()} {self.on:%Y-%m-%d}"


class Disclosure(CaseHistory):
    """Append-only log: data about her left the organisation, on which ground.

    The legal reason for sharing without consent stays after retention: it is the organisation's
    justification, and the row's check constraint needs a ground.
    """

    case_path = "case"
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
    conference = models.ForeignKey(
        "CaseConference", null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
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


class ShelterStay(CaseRecord):
    """Her stay in a shelter; aftercare is planned for the months after she leaves it."""

    case_path = "case"
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="shelter_stays")
    shelter = models.ForeignKey(
        Institution, verbose_name=_("shelter"), on_delete=models.PROTECT, related_name="shelter_stays"
    )
    arrived_on = models.DateField(_("arrived on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("shelter stay")
        verbose_name_plural = _("shelter stays")
        ordering = ["-arrived_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("arrived_on")), name="stay_left_after_arrived"
            )
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.arrived_on:%Y-%m-%d}"


class CountedQuerySet(CaseRecordQuerySet):
    """Records a donor report counts (aftercare held, conferences held): what a submitted or locked report
    counted stays as it was, through bulk changes too."""

    def counted_guard(self, *, project_id=None) -> None:
        from reporting.enums import FROZEN_STATUSES
        from reporting.locks import period_guard

        counted = self.filter(**self.model.counted_filter)
        if project_id is not None:
            counted = counted.filter(case__project_id=project_id)
        day_field = self.model.counted_day_field
        frozen = (
            counted.filter(
                case__project__periods__status__in=FROZEN_STATUSES,
                **{
                    f"{day_field}__gte": F("case__project__periods__start_date"),
                    f"{day_field}__lte": F("case__project__periods__end_date"),
                },
            )
            .values_list(day_field, "case__project_id")
            .first()
        )
        if frozen is not None:
            day = frozen[0].date() if hasattr(frozen[0], "date") else frozen[0]
            period_guard(project_id=frozen[1], on_date=day)

    def update(self, **kwargs):
        self.counted_guard()
        return super().update(**kwargs)

    def delete(self):
        self.counted_guard()
        return super().delete()

    delete.queryset_only = True


class CountedRecord(CaseRecord):
    """A case record a donor report counts on one day: saving or deleting it meets the period lock."""

    counted_fields: tuple[str, ...] = ()
    counted_filter: dict = {}
    counted_day_field = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._counted_guard(deleting=False)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._counted_guard(deleting=True)
        return super().delete(*args, **kwargs)

    @classmethod
    def counted_day(cls, values: dict):
        raise NotImplementedError

    def _counted_guard(self, *, deleting: bool) -> None:
        from reporting.locks import period_guard

        def project_of(case_id):
            return Case.objects.filter(pk=case_id).values_list("project_id", flat=True).first()

        values = {name: getattr(self, name) for name in self.counted_fields}
        if self.pk is not None and not self._state.adding:
            stored = type(self)._default_manager.filter(pk=self.pk).values(*self.counted_fields).first()
            if stored is not None:
                if not deleting and stored == values:
                    return
                day = self.counted_day(stored)
                if day is not None:
                    period_guard(project_id=project_of(stored["case_id"]), on_date=day)
        if not deleting:
            day = self.counted_day(values)
            if day is not None:
                period_guard(project_id=project_of(values["case_id"]), on_date=day)


class AftercareActivity(CountedRecord):
    """An aftercare activity: planned ahead (then held or missed), or recorded after it was held."""

    case_path = "case"
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="aftercare")
    stay = models.ForeignKey(
        ShelterStay,
        verbose_name=_("after the shelter stay"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aftercare",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AftercareKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.DONE)
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    objects = CountedQuerySet.as_manager()
    counted_fields = ("case_id", "status", "held_on", "kind")
    counted_filter = {"status": ActivityStatus.DONE}
    counted_day_field = "held_on"

    class Meta:
        verbose_name = _("aftercare activity")
        verbose_name_plural = _("aftercare activities")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.get_kind_display()

    @classmethod
    def counted_day(cls, values):
        return values["held_on"] if values["status"] == ActivityStatus.DONE else None


class CtiCourse(CaseRecord):
    """Coordinating counseling by Critical Time Intervention: 9 months in 3 phases of 3 months."""

    case_path = "case"
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


class CtiGoal(CaseRecord):
    case_path = "course__case"
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


class CtiReview(CaseRecord):
    case_path = "course__case"
    course = models.ForeignKey(CtiCourse, on_delete=models.CASCADE, related_name="reviews")
    phase = models.PositiveSmallIntegerField(_("phase"), choices=CtiPhase.choices)
    review_on = models.DateField(_("review date"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("CTI review")
        verbose_name_plural = _("CTI reviews")
        ordering = ["review_on", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.review_on:%Y-%m-%d}"


class FinalMinutesQuerySet(CaseRecordQuerySet):
    """A queryset's update and delete do not call the model's save and delete: final minutes refuse them too
    (what retention and a deleted staff account blank stays possible, as on a closed case)."""

    minutes_path = "conference__"

    def _final_minutes_guard(self, changes=None) -> None:
        if changes is not None and _only_clears(self.model, changes):
            return
        if self.filter(**{f"{self.minutes_path}minutes_final_at__isnull": False}).exists():
            raise MinutesFinalError()

    def update(self, **kwargs):
        self._final_minutes_guard(kwargs)
        return super().update(**kwargs)

    def delete(self):
        self._final_minutes_guard()
        return super().delete()

    delete.queryset_only = True


class ConferenceQuerySet(FinalMinutesQuerySet, CountedQuerySet):
    minutes_path = ""


class CaseConference(CountedRecord):
    case_path = "case"
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="conferences")
    held_at = models.DateTimeField(_("date and time"))
    place = EncryptedTextField(_("place"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ConferenceStatus.choices, default=ConferenceStatus.SCHEDULED
    )
    agenda = EncryptedTextField(_("agenda"), blank=True)
    decisions = EncryptedTextField(_("decisions"), blank=True)
    # Frozen when the minutes are final: the risk assessment discussed and, with the finalisation, the list
    # of participants and the decisions; a later assessment never rewrites what the meeting saw.
    risk_assessment = models.ForeignKey(
        RiskAssessment,
        verbose_name=_("risk assessment discussed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conferences",
    )
    minutes_final_at = models.DateTimeField(_("minutes final since"), null=True, blank=True)
    minutes_final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("invited staff"), blank=True, related_name="case_conferences"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConferenceQuerySet.as_manager()
    counted_fields = ("case_id", "status", "held_at")
    counted_filter = {"status": ConferenceStatus.HELD}
    counted_day_field = "held_at__date"

    class Meta:
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        ordering = ["-held_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.held_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and CaseConference.objects.filter(pk=self.pk, minutes_final_at__isnull=False).exists():
            raise MinutesFinalError()
        super().save(*args, **kwargs)

    @classmethod
    def counted_day(cls, values):
        if values["status"] != ConferenceStatus.HELD or values["held_at"] is None:
            return None
        from core.dates import local_date

        return local_date(values["held_at"])


MINUTES_FINAL_MESSAGE = _(
    "The minutes of this conference are final: its participants and decisions stay as they were at the "
    "meeting. Nothing was saved."
)


class MinutesFinalError(ValidationError):
    def __init__(self):
        super().__init__(MINUTES_FINAL_MESSAGE, code="minutes_final")


class ConferenceDecision(CaseHistory):
    """Append-only: every saved wording of the conference's decisions, who saved it and when."""

    case_path = "conference__case"
    append_only_clearable = ("text", "by")

    conference = models.ForeignKey(CaseConference, on_delete=models.PROTECT, related_name="decision_history")
    text = EncryptedTextField(_("decisions"), blank=True)
    recorded_at = models.DateTimeField(_("saved"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("conference decision")
        verbose_name_plural = _("conference decisions")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.recorded_at:%Y-%m-%d}"


class ConferenceParticipant(CaseRecord):
    case_path = "conference__case"
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="participants")
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    # Encrypted: the names and roles of the professionals around her case say who she is in contact with.
    name = EncryptedTextField(_("name"), help_text=_("The professional attending."))
    role = EncryptedTextField(_("role"), blank=True)
    present = models.BooleanField(_("present"), default=True)

    objects = FinalMinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["institution__name", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if CaseConference.objects.filter(pk=self.conference_id, minutes_final_at__isnull=False).exists():
            raise MinutesFinalError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if CaseConference.objects.filter(pk=self.conference_id, minutes_final_at__isnull=False).exists():
            raise MinutesFinalError()
        return super().delete(*args, **kwargs)


class FollowUpAction(CaseRecord):
    case_path = "conference__case"
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


class CaseJournalEntry(CaseHistory):
    """Append-only: the running record of the case (contacts, calls, messages, incidents, notes), dated and
    signed. A mistake is corrected by a new entry that names the one it corrects; nothing is edited."""

    append_only_clearable = ("text", "written_by")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="journal")
    kind = models.CharField(_("kind"), max_length=10, choices=JournalKind.choices)
    occurred_at = models.DateTimeField(_("when it happened"))
    text = EncryptedTextField(_("entry"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("written by")
    )
    written_at = models.DateTimeField(_("written"))
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects the entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal")
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class CaseChild(CaseRecord):
    """A child of hers, recorded only by a pseudonym, an age band and the support the child receives."""

    case_path = "case"
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="children")
    label = EncryptedTextField(_("pseudonym"), help_text=_('For example "child A": never the child\'s name.'))
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices)
    support = models.JSONField(_("support the child receives"), default=list, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_on = models.DateField(_("age recorded on"))

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"
