from django import forms
from django.conf import settings
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from accounts.enums import OrganisationType
from accounts.models import Profile
from accounts.services import trainee_sign_up
from accounts.validators import validate_visible_text


class ProfileFieldsMixin(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As it should print on a certificate."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[*BLANK_CHOICE_DASH, *OrganisationType.choices],
        required=False,
    )
    job_title = forms.CharField(
        label=_("Job title"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    municipality = forms.CharField(label=_("Municipality"), max_length=120, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        validate_visible_text(name)
        if len(name) < 2:
            raise forms.ValidationError(_("Please enter your full name."))
        return name


class SignupForm(ProfileFieldsMixin):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    def signup(self, request, user):
        data = self.cleaned_data
        trainee_sign_up(
            user=user,
            full_name=data["full_name"],
            organisation=data["organisation"],
            organisation_type=data.get("organisation_type", ""),
            job_title=data["job_title"],
            municipality=data.get("municipality", ""),
            preferred_language=data["preferred_language"],
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["full_name", "organisation", "organisation_type", "job_title", "municipality", "preferred_language"]


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )
    confirm = forms.BooleanField(label=_("Yes, delete my account. This cannot be undone."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password
