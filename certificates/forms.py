from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.models import Accreditation
from certificates.openbadges import MAX_CREDENTIAL_BYTES


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        required=False,
        help_text=_("Printed under the QR code, for example 7K3M-Q9XD-2HBW-R5TF-8NCA."),
    )
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=40,
        required=False,
        help_text=_("Without the code, we only say whether a certificate with this number exists."),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("code") and not cleaned.get("serial"):
            raise forms.ValidationError(_("Enter the verification code printed on the certificate."))
        return cleaned


class CredentialCheckForm(forms.Form):
    credential = forms.CharField(
        label=_("Paste the credential (JSON)"),
        required=False,
        max_length=MAX_CREDENTIAL_BYTES,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    upload = forms.FileField(label=_("or upload the credential file"), required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is not None:
            if upload.size > MAX_CREDENTIAL_BYTES:
                raise forms.ValidationError(_("This file is too large to be a credential."))
            try:
                cleaned["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("This file is not a credential (JSON text).")) from None
        else:
            cleaned["text"] = cleaned.get("credential") or ""
        if not cleaned["text"].strip():
            raise forms.ValidationError(_("Paste the credential or choose its file."))
        return cleaned


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
    reason = forms.CharField(label=_("Reason for the new certificate"), max_length=255)


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
