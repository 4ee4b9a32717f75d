import re

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.enums import Cadence, IndicatorMeasure, Transition
from reporting.measures import registry
from reporting.models import ReportingPeriod, Result, ResultIndicator


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


class ResultForm(forms.ModelForm):
    class Meta:
        model = Result
        fields = ["result_type", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ResultIndicatorForm(forms.ModelForm):
    """An indicator with one target field per reporting period of its project; a frozen period's target
    is shown but cannot be changed."""

    class Meta:
        model = ResultIndicator
        fields = [
            "title",
            "source",
            "measure",
            "measure_type",
            "unit",
            "baseline_value",
            "baseline_year",
            "target",
            "means_of_verification",
            "sort_order",
        ]
        widgets = {"means_of_verification": forms.Textarea(attrs={"rows": 3})}

    only = forms.ChoiceField(
        label=_("Count only"),
        required=False,
        help_text=_(
            "For an indicator counted by Haven: one row of one of the report's tables (a cohort, an edition, a "
            "municipality, a target group...). Its figures are then that row's, as the reports published them."
        ),
    )

    def __init__(self, *args, periods=(), targets=None, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        from reporting.results import ROW_SEPARATOR

        self.fields["only"].choices = [("", _("Everything it counts")), *rows]
        instance = self.instance
        if instance.breakdown:
            current = f"{instance.breakdown}{ROW_SEPARATOR}{instance.breakdown_row}"
            self.initial.setdefault("only", current)
            if not any(current == value for _group, choices in rows for value, _label in choices):
                # A row no longer found (a cohort renamed) stays choosable as it is stored.
                self.fields["only"].choices.append((current, instance.breakdown_row))
        targets = targets or {}
        self.periods = list(periods)
        for period in self.periods:
            field = forms.DecimalField(
                label=_("Target for %(period)s") % {"period": period.label},
                max_digits=12,
                decimal_places=1,
                min_value=0,
                required=False,
                initial=targets.get(period.pk),
                disabled=period.is_frozen,
                help_text=_("Reported: this target can no longer change.") if period.is_frozen else "",
            )
            self.fields[f"target_{period.pk}"] = field

    def clean(self):
        from reporting.results import ROW_SEPARATOR

        cleaned = super().clean()
        only = cleaned.get("only") or ""
        breakdown, _separator, row = only.partition(ROW_SEPARATOR)
        self.instance.breakdown, self.instance.breakdown_row = breakdown, row
        return cleaned

    def period_targets(self) -> dict:
        return {period: self.cleaned_data.get(f"target_{period.pk}") for period in self.periods if not period.is_frozen}


class IndicatorValuesForm(forms.Form):
    """The period's values of the indicators entered by hand, each with how it is known."""

    def __init__(self, *args, indicators=(), actuals=None, **kwargs):
        super().__init__(*args, **kwargs)
        actuals = actuals or {}
        self.indicators = list(indicators)
        for indicator in self.indicators:
            entered = actuals.get(indicator.pk)
            self.fields[f"value_{indicator.pk}"] = forms.DecimalField(
                label=indicator.title,
                max_digits=12,
                decimal_places=1,
                min_value=0,
                max_value=100 if indicator.measure_type == IndicatorMeasure.PERCENTAGE else None,
                required=False,
                initial=entered.value if entered else None,
                help_text=indicator.means_of_verification,
            )
            self.fields[f"comment_{indicator.pk}"] = forms.CharField(
                label=_("Comment on “%(indicator)s”") % {"indicator": indicator.title},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=entered.comment if entered else "",
            )

    def values(self) -> dict:
        return {
            indicator: (
                self.cleaned_data.get(f"value_{indicator.pk}"),
                self.cleaned_data.get(f"comment_{indicator.pk}") or "",
            )
            for indicator in self.indicators
        }
