from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core import dates
from core.dates import aware_from_wall_clock
from core.forms import NamedModelChoiceField, QuickSelect
from core.security import OneTimeTokenFormMixin
from counseling.enums import MARKABLE_STATUSES, BookingStatus, ContactChannel, SessionKind
from counseling.models import Booking, Client, IntakeRequest, Room
from counseling.selectors import counselor_names, room_names
from counseling.services import booking_horizon


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
        label = f"{obj.alias} ({obj.code})"
        if obj.interpreter_needed:
            # Seen while booking, so that the session is planned with an interpreter.
            label += " · " + str(_("interpreter: %(language)s") % {"language": obj.interpreter_language})
        return label


def date_out_of_range_message(last) -> str:
    return _("Choose a date between %(earliest)s and %(latest)s.") % {
        "earliest": formats.date_format(dates.EARLIEST_DATE, "SHORT_DATE_FORMAT"),
        "latest": formats.date_format(last, "SHORT_DATE_FORMAT"),
    }


class BookingDateField(forms.DateField):
    """A day on which a session can take place: not absurd, and not beyond the booking horizon."""

    def __init__(self, **kwargs):
        super().__init__(widget=DateInput(), **kwargs)

    def __deepcopy__(self, memo):
        # Each form gets its copy of the field: the browser's date picker stops at today's horizon, not at
        # the horizon of the day the module was imported.
        field = super().__deepcopy__(memo)
        field.widget.attrs["max"] = booking_horizon().isoformat()
        return field

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if not dates.is_sensible_date(value):
            raise ValidationError(date_out_of_range_message(dates.latest_date()), code="date_out_of_range")
        if value > booking_horizon():
            raise ValidationError(
                _("A session can be booked at most %(days)s days ahead, so on %(last)s at the latest.")
                % {
                    "days": settings.HAVEN_BOOKING_HORIZON_DAYS,
                    "last": formats.date_format(booking_horizon(), "SHORT_DATE_FORMAT"),
                },
                code="beyond_horizon",
            )


class TimesMixin:
    """date + from + until, combined into aware datetimes in the organisation's time zone."""

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            # One wall-clock policy for every form (core.dates): the night the clocks change too.
            data["start"] = aware_from_wall_clock(datetime.combine(day, start))
            data["end"] = aware_from_wall_clock(datetime.combine(day, end))
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
    date = BookingDateField(label=_("Date"))
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
    date = BookingDateField(label=_("Date"))
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())
    confirm_outside_availability = BookingForm.base_fields["confirm_outside_availability"]

    def __init__(self, *args, may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["confirm_outside_availability"]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=Booking._meta.get_field("cancel_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For your colleagues: it is never sent to her."),
    )


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
    kind = forms.ChoiceField(label=_("Kind of session"), choices=SessionKind.choices, widget=QuickSelect)
    # Every counselor of the organisation: options named from values and written in Python (core.forms), not
    # a model instance and a template each, which for two hundred counselors cost a fifth of the page.
    counselor = NamedModelChoiceField(
        label=_("Counselor"),
        queryset=None,
        names=counselor_names,
        required=False,
        empty_label=_("Any"),
        widget=QuickSelect,
    )
    room = NamedModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.filter(active=True),
        names=room_names,
        required=False,
        empty_label=_("Any"),
        widget=QuickSelect,
    )
    first_day = BookingDateField(label=_("From"))
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=4, initial=2)
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=240, initial=60)

    def __init__(self, *args, counselors, names=None, **kwargs):
        """`names`: the counselors' (id, name) as the page read them already (selectors.counselor_rows)."""
        super().__init__(*args, **kwargs)
        self.fields["counselor"].queryset = counselors
        if names is not None:
            self.fields["counselor"].names = lambda _counselors: names

    @classmethod
    def next_two_weeks(cls, counselors) -> dict:
        """What the finder searches when it opens: the next two weeks, for the first kind she holds."""
        own = counselors.first() if counselors.count() == 1 else None
        kind = next((k for k in SessionKind.values if own is None or own.may_hold(k)), SessionKind.EXPERIENTIAL)
        return {"kind": kind, "first_day": dates.today().isoformat(), "weeks": 2, "minutes": 60}

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
            "age_band",
            "municipality",
            "target_group",
            "interpreter_needed",
            "interpreter_language",
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
            "safe_times": forms.TextInput(),
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
        if data.get("interpreter_needed") and not (data.get("interpreter_language") or "").strip():
            self.add_error("interpreter_language", _("Say which language she needs interpreted."))
        return data


class ClientSearchForm(forms.Form):
    """Sent by POST: an alias must never stand in a URL, where access logs and browser history keep it."""

    q = forms.CharField(
        label=_("Alias or code"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )


def _intake_limit(name):
    return IntakeRequest._meta.get_field(name).max_length


INTAKE_TRAP = "website"


class IntakeForm(OneTimeTokenFormMixin, forms.Form):
    alias = forms.CharField(
        label=_("What should we call you?"),
        max_length=_intake_limit("alias"),
        help_text=_("Any name you like. You do not need to give your real name."),
    )
    preferred_language = forms.ChoiceField(label=_("Language you prefer"), choices=settings.LANGUAGES)
    safe_contact = forms.CharField(
        label=_("How can we reach you safely?"),
        max_length=_intake_limit("safe_contact"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example a phone number and whether we may leave a message, or an email address."),
    )
    safe_times = forms.CharField(
        label=_("When is it safe to contact you?"),
        max_length=_intake_limit("safe_times"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    needs = forms.CharField(
        label=_("What would you like help with?"),
        max_length=_intake_limit("needs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only as much as you want to tell us."),
    )
    # A field people never see (hidden by the stylesheet and from screen readers) and programs that fill in
    # every field do: filled in, the request is refused. Rendered by the template on its own.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != INTAKE_TRAP]

    def clean(self):
        data = super().clean()
        if data.get(INTAKE_TRAP):
            raise ValidationError(
                _("Your request could not be sent. Please leave the last field empty and send it again."),
                code="trap",
            )
        return data

    @property
    def request_values(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != INTAKE_TRAP}


class IntakeAcceptForm(forms.Form):
    counselors = forms.ModelMultipleChoiceField(
        label=_("Her counselors"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple()
    )

    def __init__(self, *args, counselors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counselors"].queryset = counselors


class ClientCreateForm(OneTimeTokenFormMixin, ClientForm):
    """Opening her file creates a record; the same fields edit it later without a token."""
