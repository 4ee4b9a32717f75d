from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.models import Accreditation


class SerialForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=40,
        help_text=_("As printed on the certificate, for example ORG-2026-00042."),
    )


class SearchForm(forms.Form):
    # A CharField refuses NUL characters, which PostgreSQL cannot compare with.
    q = forms.CharField(required=False, max_length=100, strip=True)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=255)


class ReissueForm(forms.Form):
    holder_name = forms.CharField(
        label=_("Name as it should print"),
        max_length=200,
        help_text=_("The old certificate will be shown as replaced."),
    )


class RegisterExportForm(forms.Form):
    accreditation = forms.ModelChoiceField(label=_("Accreditation"), queryset=Accreditation.objects.all())
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Issued until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            raise forms.ValidationError(_("The end of the date range is before its start."))
        return cleaned
