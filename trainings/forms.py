"""What people type: the trainee's and trainer's pages, and the coordinator's admin screens.

Forms validate input and call no ORM writes; the views and admin views hand what they cleaned to a service.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.enums import AttendanceStatus
from trainings import services
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.imports import MAX_BYTES, people_read
from trainings.models import Edition, Enrollment, TrainingSession
from trainings.rules import trainer_candidates
from trainings.selectors import participant_label


def _edition_label(edition) -> str:
    return _("%(start)s – %(end)s, %(place)s") % {
        "start": edition.start_date.strftime("%d.%m.%Y"),
        "end": edition.end_date.strftime("%d.%m.%Y"),
        "place": edition.municipality or edition.venue or _("online"),
    }


class TransferForm(forms.Form):
    edition = forms.ModelChoiceField(label=_("Move to edition"), queryset=None, empty_label=None)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = targets
        self.fields["edition"].label_from_instance = _edition_label


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (shown to the trainee)"), max_length=255, required=False)


class AttendanceForm(forms.Form):
    """One radio group per participant, named `e-<enrollment id>`; unmarked people are left as they were."""

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        for enrollment, _current in participants:
            self.fields[f"e-{enrollment.pk}"] = forms.ChoiceField(
                choices=AttendanceStatus.choices, required=False, label=str(enrollment.pk)
            )

    def clean(self):
        cleaned = super().clean()
        if self.data:
            known = {f"e-{enrollment.pk}" for enrollment, _current in self.participants}
            unknown = [key for key in self.data if key.startswith("e-") and key not in known]
            if unknown:
                raise forms.ValidationError(
                    _("Attendance can only be recorded for people enrolled in this edition. Nothing was saved."),
                    code="not_enrolled",
                )
        return cleaned

    def marks(self) -> dict:
        return {
            int(name.removeprefix("e-")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("e-") and value
        }

    def rows(self) -> list[dict]:
        """Each participant's row as the screen shows it: her radio group's name, her name, when her mark was
        saved, and the choice shown: the one she sent when the form comes back with an error (her marks are
        not lost), else the saved one. Built here once rather than by template filters per row."""
        rows = []
        for enrollment, current in self.participants:
            name = f"e-{enrollment.pk}"
            sent = self.data.get(name) if self.is_bound else None
            rows.append(
                {
                    "subject": enrollment.pk,
                    "name": name,
                    "label": participant_label(enrollment),
                    "seen": current.recorded_at.isoformat() if current else "",
                    "status": sent or (current.status if current else ""),
                }
            )
        return rows


# Wagtail admin ---------------------------------------------------------------------------------------------


def _open_editions():
    return Edition.objects.exclude(status__in=[EditionStatus.CLOSED, EditionStatus.CANCELLED]).select_related(
        "programme"
    )


class EditionAdminForm(WagtailAdminModelForm):
    """The status offers only the steps open from where the edition is; trainers are people with the role."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            allowed = services.edition_status_choices(self.instance)
            self.fields["status"].choices = [(value, EditionStatus(value).label) for value in allowed]
            self.fields["status"].help_text = _(
                "Closing works out every participant's completion and can only happen after the last session. "
                "Cancelling tells everyone enrolled."
            )
        if "trainers" in self.fields:
            self.fields["trainers"].queryset = trainer_candidates()
            self.fields["trainers"].widget = forms.CheckboxSelectMultiple(choices=self.fields["trainers"].choices)
        if "programme" in self.fields:
            self.fields["programme"].queryset = self.fields["programme"].queryset.order_by("title")


class TrainingSessionAdminForm(WagtailAdminModelForm):
    class Meta:
        model = TrainingSession
        fields = ["edition", "start", "end", "title", "cancelled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A session stays with its edition: a different day is a move, another edition a new session.
            self.fields["edition"].disabled = True
            self.fields["edition"].queryset = Edition.objects.select_related("programme")
            self.fields["cancelled"].help_text = _(
                "Everyone enrolled is told, and their calendars show the session cancelled."
            )
        else:
            self.fields["edition"].queryset = _open_editions()
            del self.fields["cancelled"]
        self.fields["start"].help_text = _("Moving a session tells everyone enrolled and updates their calendars.")


class EnrollmentOnBehalfForm(WagtailAdminModelForm):
    """Enrol someone on her behalf: the email finds her account, or one is made for her."""

    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, required=False, help_text=_("Needed when she has no account yet.")
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language of her emails"), choices=settings.LANGUAGES)

    class Meta:
        model = Enrollment
        fields = ["edition"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = _open_editions()
        self.fields["edition"].help_text = _("A full edition puts her on its waitlist, in order.")

    def person(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in services.PERSON_FIELDS}


class EnrollmentStatusForm(WagtailAdminModelForm):
    """A coordinator's change of an enrolment: only the steps its workflow allows from where it is."""

    status = forms.ChoiceField(label=_("Status"))
    reason = forms.CharField(
        label=_("Reason (shown to the trainee)"),
        max_length=255,
        required=False,
        help_text=_("When you cancel or do not approve, she is told by email."),
    )

    class Meta:
        model = Enrollment
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.status
        allowed = [current, *services.enrollment_status_choices(self.instance)]
        self.fields["status"].choices = [(value, EnrollmentStatus(value).label) for value in allowed]
        self.fields["status"].initial = current
        self.fields["status"].help_text = _(
            "Completion follows the attendance, and waiting people get seats in order as they free."
        )


class TraineeImportForm(forms.Form):
    file = forms.FileField(
        label=_("List of trainees (.csv or .xlsx)"),
        help_text=_(
            "The first row names the columns: Email, Full name, Organisation, Job title, Language (en, da or sr). "
            "Nothing is saved before you have checked the preview."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB: split the list into smaller files."))
        self.people = people_read(upload)
        return upload


class ImportConfirmForm(forms.Form):
    preview = forms.CharField(widget=forms.HiddenInput)
