from django import forms
from django.utils.translation import gettext_lazy as _

from core.enums import AttendanceStatus


class TransferForm(forms.Form):
    edition = forms.ModelChoiceField(label=_("Move to edition"), queryset=None, empty_label=None)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = targets
        self.fields["edition"].label_from_instance = lambda e: (
            _("%(start)s – %(end)s, %(place)s")
            % {
                "start": e.start_date.strftime("%d.%m.%Y"),
                "end": e.end_date.strftime("%d.%m.%Y"),
                "place": e.municipality or e.venue or _("online"),
            }
        )


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
