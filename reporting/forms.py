import re

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.enums import Cadence, Transition
from reporting.measures import registry
from reporting.models import ReportingPeriod


class NarrativeForm(forms.ModelForm):
    """The project manager's text. It goes to the donor, so it must not name a woman the project served."""

    class Meta:
        model = ReportingPeriod
        fields = ["achievements", "challenges", "next_steps"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}

    def clean(self):
        cleaned = super().clean()
        text = " ".join(cleaned.get(name) or "" for name in self.Meta.fields)
        if text.strip() and _names_a_survivor(self.instance.project_id, text):
            raise forms.ValidationError(
                _(
                    "The text contains the alias of a woman served by this project. "
                    "Donor reports never name survivors: please remove it."
                )
            )
        return cleaned


def _names_a_survivor(project_id, text) -> bool:
    aliases = set()
    for source in registry().beneficiaries:
        aliases |= set(source.aliases(project_id))
    lowered = text.casefold()
    for alias in aliases:
        alias = alias.strip().casefold()
        if len(alias) >= 2 and re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", lowered):
            return True
    return False


class GeneratePeriodsForm(forms.Form):
    cadence = forms.ChoiceField(label=_("Periods"), choices=Cadence.choices, initial=Cadence.QUARTERLY)
    months = forms.IntegerField(
        label=_("Length in months (custom periods only)"), min_value=1, max_value=24, required=False
    )
    due_days = forms.IntegerField(label=_("Report due (days after each period ends)"), min_value=0, max_value=365)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cadence") == Cadence.CUSTOM and not cleaned.get("months"):
            self.add_error("months", _("Give the length of a custom period in months."))
        return cleaned


class TransitionForm(forms.Form):
    transition = forms.ChoiceField(choices=Transition.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
