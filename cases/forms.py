from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.enums import STAFF_ROLES
from cases import rules
from cases.enums import (
    RISK_QUESTIONS,
    ActionArea,
    ActivityStatus,
    AftercareKind,
    AgeBand,
    CaseOutcome,
    ChildSupport,
    ConferenceStatus,
    CtiArea,
    CtiPhase,
    DataCategory,
    GoalStatus,
    InformationTopic,
    InstitutionKind,
    JournalKind,
    NeedArea,
    NeedLevel,
    ReferralStatus,
    RiskLevel,
    RiskReply,
    SafetyPlanSection,
    StepOwner,
    StepStatus,
)
from cases.enums import (
    ConsentForm as ConsentGiven,
)
from cases.models import Institution
from core import dates
from core.forms import QuickSelect, WallClockDateTimeField
from core.security import OneTimeTokenFormMixin
from counseling.models import Client, CounselorProfile


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


OUT_OF_RANGE = _("Enter a date between 1900 and twenty years from now.")


class DateField(forms.DateField):
    """A date a person can mean: a typo such as year 9999 gets a message here, before it reaches date
    arithmetic that cannot represent it."""

    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if value and not dates.is_sensible_date(value):
            raise forms.ValidationError(OUT_OF_RANGE, code="date_out_of_range")


class DateTimeField(WallClockDateTimeField):
    def validate(self, value):
        super().validate(value)
        if value and not dates.is_sensible_date(value.date()):
            raise forms.ValidationError(OUT_OF_RANGE, code="date_out_of_range")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _institutions():
    return Institution.objects.filter(active=True).order_by("name")


def _counselors():
    return CounselorProfile.objects.filter(active=True).select_related("user__profile")


class CaseForm(OneTimeTokenFormMixin, forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    lead_counselor = forms.ModelChoiceField(label=_("Lead counselor"), queryset=CounselorProfile.objects.none())
    counselors = forms.ModelMultipleChoiceField(
        label=_("Other counselors"),
        queryset=CounselorProfile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opened_on = DateField(label=_("Opened on"))
    risk_review_weeks = forms.IntegerField(
        label=_("Weeks between risk assessments"),
        required=False,
        min_value=1,
        max_value=52,
        help_text=_("Leave empty to use the organisation's interval."),
    )
    project = forms.ModelChoiceField(
        label=_("Donor project"),
        queryset=None,
        required=False,
        help_text=_("The project that funds this case work: its donor reports count the aftercare and conferences."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from reporting.models import DonorProject

        self.fields["project"].queryset = DonorProject.objects.filter(end_date__gte=dates.today()).order_by("title")
        self.fields["client"].queryset = rules.clients_for_new_case(user).order_by("alias")
        self.fields["lead_counselor"].queryset = _counselors()
        self.fields["counselors"].queryset = _counselors()
        self.initial.setdefault("opened_on", dates.today())
        own = CounselorProfile.objects.filter(user=user).first()
        if own:
            self.initial.setdefault("lead_counselor", own.pk)


class CaseCloseForm(forms.Form):
    closed_on = DateField(label=_("Closed on"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "---------"), *CaseOutcome.choices])
    reason = forms.CharField(
        label=_("Why the case is closed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the case's history."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that a closed case is read-only until it is reopened."),
        error_messages={"required": _("Confirm that the case becomes read-only.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("closed_on", dates.today())


class CaseReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case is reopened"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the case's history."),
    )


class NeedsForm(OneTimeTokenFormMixin, forms.Form):
    assessed_on = DateField(label=_("Assessed on"))

    def __init__(self, *args, latest=None, **kwargs):
        super().__init__(*args, **kwargs)
        previous = {need.area: need for need in latest.needs.all()} if latest else {}
        self.initial.setdefault("assessed_on", dates.today())
        self.areas = []
        for area in NeedArea:
            level_name, notes_name = f"level_{area.value}", f"notes_{area.value}"
            self.fields[level_name] = forms.ChoiceField(
                label=_("Need"), choices=NeedLevel.choices, initial=NeedLevel.NONE, widget=forms.RadioSelect
            )
            self.fields[notes_name] = forms.CharField(
                label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            if area.value in previous:
                self.initial.setdefault(level_name, previous[area.value].level)
                self.initial.setdefault(notes_name, previous[area.value].notes)
            self.areas.append((area.label, self[level_name], self[notes_name]))

    def needs(self):
        return {
            area.value: (self.cleaned_data[f"level_{area.value}"], self.cleaned_data[f"notes_{area.value}"])
            for area in NeedArea
        }


class RiskForm(OneTimeTokenFormMixin, forms.Form):
    assessed_on = DateField(label=_("Assessed on"))
    raise_to = forms.ChoiceField(
        label=_("Raise the level by professional judgement"),
        required=False,
        choices=[
            ("", _("No: the score's level stands")),
            (RiskLevel.MEDIUM, RiskLevel.MEDIUM.label),
            (RiskLevel.HIGH, RiskLevel.HIGH.label),
        ],
        help_text=_("When what you know of her situation puts her at a higher risk than the score says."),
    )
    judgement_reason = forms.CharField(
        label=_("Why the level is raised"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_due_on = DateField(
        label=_("Next assessment due"),
        required=False,
        help_text=_("Leave empty for the case's interval; choose an earlier day when the risk may change soon."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("assessed_on", dates.today())
        self.questions = []
        for number, question in enumerate(RISK_QUESTIONS, start=1):
            name = f"q_{question.code}"
            self.fields[name] = forms.ChoiceField(
                label=f"{number}. {question.text}",
                choices=RiskReply.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question.")},
            )
            self.questions.append(self[name])
        questions = [f"q_{q.code}" for q in RISK_QUESTIONS]
        self.order_fields(["assessed_on", *questions, "raise_to", "judgement_reason", "next_due_on", "notes"])

    def answers(self) -> dict[str, str]:
        return {q.code: self.cleaned_data[f"q_{q.code}"] for q in RISK_QUESTIONS}

    def judgement(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("raise_to", "judgement_reason", "next_due_on")}


class SafetyPlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section in SafetyPlanSection:
            self.fields[section.value] = forms.CharField(
                label=section.label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    def sections(self):
        return {section.value: self.cleaned_data[section.value] for section in SafetyPlanSection}


class ActionStepForm(forms.Form):
    # Its selects write their options in Python (QuickSelect), as the admin's filters do: the action plan's page
    # shows this form under the plan, and a template per option was half a millisecond of it.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    area = forms.ChoiceField(label=_("Area"), choices=ActionArea.choices, widget=QuickSelect)
    description = forms.CharField(label=_("Step"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("Who does it"), choices=StepOwner.choices, widget=QuickSelect)
    owner_institution = forms.ModelChoiceField(
        label=_("Which body"),
        queryset=Institution.objects.none(),
        required=False,
        help_text=_("Needed when another body takes the step."),
        widget=QuickSelect,
    )
    due_on = DateField(label=_("Due"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=StepStatus.choices, initial=StepStatus.PLANNED, widget=QuickSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_institution"].queryset = _institutions()

    def step_fields(self):
        return {
            name: self.cleaned_data[name]
            for name in ("area", "description", "owner", "owner_institution", "due_on", "status")
        }


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AsOfForm(forms.Form):
    on = DateField(label=_("Show as on"))


class InformationForm(OneTimeTokenFormMixin, forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("Rights and services explained"), choices=InformationTopic.choices, widget=forms.CheckboxSelectMultiple
    )
    given_on = DateField(label=_("Explained on"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("given_on", dates.today())


class CategoriesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Data categories"))
        super().__init__(choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple, **kwargs)


class ConsentRecordForm(OneTimeTokenFormMixin, forms.Form):
    recipient = forms.ModelChoiceField(label=_("Recipient"), queryset=Institution.objects.none())
    categories = CategoriesField()
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    given_how = forms.ChoiceField(label=_("Given"), choices=ConsentGiven.choices, widget=forms.RadioSelect)
    valid_from = DateField(label=_("Valid from"))
    valid_until = DateField(label=_("Valid until"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = _institutions()
        self.initial.setdefault("valid_from", dates.today())


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = DateField(label=_("Withdrawn on"))
    reason = forms.CharField(
        label=_("Why she withdrew her consent"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In her words where possible."),
    )
    tell_recipient = forms.BooleanField(
        label=_("She asks that the recipient is told"),
        required=False,
        help_text=_("Telling them becomes a task on the caseload until it is done."),
    )
    confirm = forms.BooleanField(
        label=_("Nothing more may be shared on the ground of this consent."),
        error_messages={"required": _("Confirm the withdrawal.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("withdrawn_on", dates.today())


class ConsentToldForm(forms.Form):
    told_on = DateField(label=_("Told on"), required=False)

    def clean_told_on(self):
        return self.cleaned_data["told_on"] or dates.today()


class ConfirmForm(forms.Form):
    """A button that needs no input: its POST is the whole answer."""


class _OverrideMixin:
    def _override_setup(self, user):
        if not user.has_perm("cases.override_consent"):
            del self.fields["override_reason"]


class DisclosureForm(OneTimeTokenFormMixin, _OverrideMixin, forms.Form):
    recipient = forms.ModelChoiceField(label=_("Recipient"), queryset=Institution.objects.none())
    categories = CategoriesField()
    format = forms.ChoiceField(
        label=_("Form"), choices=[("print", _("Print view")), ("pdf", _("PDF"))], widget=forms.RadioSelect
    )
    override_reason = forms.CharField(
        label=_("Legal reason for sharing without consent (coordinators only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when there is no valid consent, e.g. a legal duty to report a danger to a child."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = _institutions()
        self.initial.setdefault("format", "print")
        self._override_setup(user)


class ReferralForm(OneTimeTokenFormMixin, _OverrideMixin, forms.Form):
    institution = forms.ModelChoiceField(label=_("Refer to"), queryset=Institution.objects.none())
    categories = CategoriesField(label=_("Data shared with the referral"))
    reason = forms.CharField(label=_("Reason for the referral"), widget=forms.Textarea(attrs={"rows": 2}))
    sent_on = DateField(label=_("Sent on"))
    override_reason = forms.CharField(
        label=_("Legal reason for sharing without consent (coordinators only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = _institutions()
        self.initial.setdefault("sent_on", dates.today())
        self._override_setup(user)


class ReferralUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ReferralStatus.choices)
    on = DateField(label=_("Date"))
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", dates.today())


class AftercareForm(OneTimeTokenFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AftercareKind.choices)
    status = forms.ChoiceField(
        label=_("Planned or held"),
        choices=[(ActivityStatus.PLANNED, _("Planned")), (ActivityStatus.DONE, _("Held"))],
        initial=ActivityStatus.PLANNED,
        widget=forms.RadioSelect,
    )
    stay = forms.ModelChoiceField(label=_("After the shelter stay"), queryset=None, required=False)
    held_on = DateField(label=_("Date"))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False, min_value=1, max_value=600)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, stays, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stay"].queryset = stays
        self.fields["stay"].label_from_instance = lambda stay: f"{stay.shelter} ({stay.arrived_on:%Y-%m-%d})"


class MarkForm(forms.Form):
    """Held or missed, for a planned activity or review."""

    status = forms.ChoiceField(choices=[(ActivityStatus.DONE, _("Held")), (ActivityStatus.MISSED, _("Missed"))])


class ShelterStayForm(OneTimeTokenFormMixin, forms.Form):
    shelter = forms.ModelChoiceField(label=_("Shelter"), queryset=Institution.objects.none())
    arrived_on = DateField(label=_("Arrived on"))
    left_on = DateField(label=_("Left on"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shelter"].queryset = _institutions().filter(kind=InstitutionKind.SHELTER)


class ChildForm(forms.Form):
    label = forms.CharField(
        label=_("Pseudonym"), max_length=40, help_text=_('For example "child A": never the child\'s name.')
    )
    age_band = forms.ChoiceField(label=_("Age"), choices=AgeBand.choices)
    support = forms.MultipleChoiceField(
        label=_("Support the child receives"),
        choices=ChildSupport.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChildAddForm(OneTimeTokenFormMixin, ChildForm):
    """Adding a child creates one; the same fields change it later without a token."""


class JournalEntryForm(OneTimeTokenFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=JournalKind.choices, widget=forms.RadioSelect)
    occurred_at = DateTimeField(label=_("When it happened"), widget=DateTimeInput())
    text = forms.CharField(label=_("Entry"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("kind", JournalKind.NOTE)
        self.initial.setdefault("occurred_at", dates.local_time().replace(second=0, microsecond=0))


class CaseReassignForm(forms.Form):
    lead_counselor = forms.ModelChoiceField(label=_("Lead counselor"), queryset=CounselorProfile.objects.none())
    counselors = forms.ModelMultipleChoiceField(
        label=_("Other counselors"),
        queryset=CounselorProfile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Why the case is handed over"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the case's history. The counselors who join the case are told by email."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_counselor"].queryset = _counselors()
        self.fields["counselors"].queryset = _counselors()


class CaseloadFilterForm(forms.Form):
    counselor = forms.ModelChoiceField(
        label=_("Caseload of"), queryset=CounselorProfile.objects.none(), required=False, empty_label=_("Mine")
    )

    def __init__(self, *args, counselors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counselor"].queryset = counselors


class CtiCourseForm(forms.Form):
    start_on = DateField(label=_("Starts on"))
    moved_out_on = DateField(label=_("Moved out of the shelter on"), required=False)
    moved_in_on = DateField(label=_("Moved into her own home on"), required=False)
    extension_reason = forms.CharField(
        label=_("Reason for running more than 6 months after moving in"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Up to 12 months after moving in, only with a reason."),
    )
    ended_on = DateField(label=_("Ended on"), required=False)


class CtiGoalForm(OneTimeTokenFormMixin, forms.Form):
    phase = forms.TypedChoiceField(label=_("Phase"), choices=CtiPhase.choices, coerce=int)
    area = forms.ChoiceField(label=_("Area"), choices=CtiArea.choices)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))


class CtiGoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class CtiReviewForm(OneTimeTokenFormMixin, forms.Form):
    phase = forms.TypedChoiceField(label=_("Phase"), choices=CtiPhase.choices, coerce=int)
    review_on = DateField(label=_("Review date"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConferenceForm(forms.Form):
    held_at = DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=ConferenceStatus.choices, initial=ConferenceStatus.SCHEDULED)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    invited_staff = forms.ModelMultipleChoiceField(
        label=_("Invited staff"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They see this conference and its minutes, not the rest of the case."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invited_staff"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[str(role) for role in STAFF_ROLES])
            .distinct()
            .select_related("profile")
            .order_by("profile__full_name", "email")
        )
        self.fields["invited_staff"].label_from_instance = lambda user: (
            getattr(getattr(user, "profile", None), "full_name", "") or user.email
        )


class ParticipantForm(OneTimeTokenFormMixin, forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role"), required=False, max_length=200)
    present = forms.BooleanField(label=_("Present"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = _institutions()


class MinutesDiscloseForm(_OverrideMixin, forms.Form):
    recipient = forms.ModelChoiceField(label=_("Recipient"), queryset=Institution.objects.none())
    override_reason = forms.CharField(
        label=_("Legal reason for sharing without consent (coordinators only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = _institutions()
        self._override_setup(user)


class FinaliseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The minutes are complete: freeze the participants, the decisions and the risk assessment discussed."),
        error_messages={"required": _("Confirm that the minutes are complete.")},
    )


class FollowUpDoneForm(forms.Form):
    done = forms.TypedChoiceField(choices=[("1", _("Done")), ("0", _("Open"))], coerce=lambda value: value == "1")


class FollowUpForm(OneTimeTokenFormMixin, forms.Form):
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    institution = forms.ModelChoiceField(label=_("Responsible institution"), queryset=Institution.objects.none())
    due_on = DateField(label=_("Due"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = _institutions()


class ActionStepAddForm(OneTimeTokenFormMixin, ActionStepForm):
    """Adding a step creates one; editing a step is guarded by the plan's version instead."""


class ConferenceCreateForm(OneTimeTokenFormMixin, ConferenceForm):
    """Recording a conference creates one; the same fields edit it later without a token."""
