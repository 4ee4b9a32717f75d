from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.security import OneTimeTokenFormMixin
from counseling.enums import MARKABLE_STATUSES, BookingStatus, ContactChannel, SessionKind
from counseling.models import Client, Room


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.alias} ({obj.code})"


class TimesMixin:
    """date + from + until, combined into aware datetimes in the organisation's time zone."""

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            tz = timezone.get_current_timezone()
            data["start"] = datetime.combine(day, start, tzinfo=tz)
            data["end"] = datetime.combine(day, end, tzinfo=tz)
            if data["end"] <= data["start"]:
                raise ValidationError(_("The end must be after the start."), code="end_before_start")
        return data


class BookingForm(OneTimeTokenFormMixin, TimesMixin, forms.Form):
    counselor = forms.ModelChoiceField(label=_("Counselor"), queryset=None)
    client = ClientChoiceField(label=_("Client"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind of session"), choices=SessionKind.choices)
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.filter(active=True),
        required=False,
        help_text=_("Empty for a home visit."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (BookingStatus.CONFIRMED, BookingStatus.CONFIRMED.label),
            (BookingStatus.REQUESTED, BookingStatus.REQUESTED.label),
        ],
        initial=BookingStatus.CONFIRMED,
    )
    confirm_outside_availability = forms.BooleanField(
        label=_("Book outside her availability"),
        required=False,
        help_text=_("Coordinators only: she agreed to this time although it is outside her usual hours."),
    )

    def __init__(self, *args, counselors, clients, may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counselor"].queryset = counselors
        self.fields["client"].queryset = clients.filter(active=True, anonymised_at__isnull=True)
        if not may_override:
            del self.fields["confirm_outside_availability"]


class RescheduleForm(TimesMixin, forms.Form):
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.filter(active=True),
        required=False,
        help_text=_("Empty for a home visit."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())
    confirm_outside_availability = BookingForm.base_fields["confirm_outside_availability"]

    def __init__(self, *args, may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["confirm_outside_availability"]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=255)


class MarkForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, BookingStatus(s).label) for s in (BookingStatus.CONFIRMED, *MARKABLE_STATUSES)]
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Session notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only you and the coordinators can read these notes."),
    )


class SlotSearchForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of session"), choices=SessionKind.choices)
    counselor = forms.ModelChoiceField(label=_("Counselor"), queryset=None, required=False, empty_label=_("Any"))
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.filter(active=True), required=False, empty_label=_("Any")
    )
    first_day = forms.DateField(label=_("From"), widget=DateInput())
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=4, initial=1)
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=240, initial=60)

    def __init__(self, *args, counselors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counselor"].queryset = counselors

    @property
    def duration(self):
        return timedelta(minutes=self.cleaned_data["minutes"])


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "alias",
            "preferred_language",
            "children_count",
            "contact_channel",
            "contact_address",
            "safe_times",
            "safe_from",
            "safe_until",
            "safe_contact_instructions",
            "messages_may_name_purpose",
            "counselors",
        ]
        widgets = {
            "safe_from": TimeInput(),
            "safe_until": TimeInput(),
            "safe_contact_instructions": forms.Textarea(attrs={"rows": 4}),
            "contact_address": forms.TextInput(),
            "counselors": forms.CheckboxSelectMultiple(),
        }
        help_texts = {"alias": _("Any name she chooses: a real name is not needed.")}

    def __init__(self, *args, may_assign=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_assign:
            del self.fields["counselors"]
        else:
            self.fields["counselors"].queryset = self.fields["counselors"].queryset.select_related("user__profile")

    def clean(self):
        data = super().clean()
        channel = data.get("contact_channel")
        address = (data.get("contact_address") or "").strip()
        if channel and channel != ContactChannel.NEVER and not address:
            self.add_error("contact_address", _("Give the number or address for her safe channel, or choose “never”."))
        if channel == ContactChannel.EMAIL and address:
            try:
                forms.EmailField().clean(address)
            except ValidationError:
                self.add_error("contact_address", _("Enter a valid email address."))
        if bool(data.get("safe_from")) != bool(data.get("safe_until")):
            self.add_error("safe_until", _("Give both ends of her safe time for messages, or neither."))
        return data


class IntakeForm(OneTimeTokenFormMixin, forms.Form):
    alias = forms.CharField(
        label=_("What should we call you?"),
        max_length=100,
        help_text=_("Any name you like. You do not need to give your real name."),
    )
    preferred_language = forms.ChoiceField(label=_("Language you prefer"), choices=settings.LANGUAGES)
    safe_contact = forms.CharField(
        label=_("How can we reach you safely?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example a phone number and whether we may leave a message, or an email address."),
    )
    safe_times = forms.CharField(
        label=_("When is it safe to contact you?"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    needs = forms.CharField(
        label=_("What would you like help with?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only as much as you want to tell us."),
    )


class IntakeAcceptForm(forms.Form):
    counselors = forms.ModelMultipleChoiceField(
        label=_("Her counselors"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple()
    )

    def __init__(self, *args, counselors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counselors"].queryset = counselors


class ClientCreateForm(OneTimeTokenFormMixin, ClientForm):
    """Opening her file creates a record; the same fields edit it later without a token."""
