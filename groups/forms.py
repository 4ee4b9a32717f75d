import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.attendance import Mark
from core.enums import AttendanceStatus
from core.formatting import local_moment
from core.security import OneTimeTokenFormMixin
from groups.enums import FollowUpStep
from groups.services import MAX_CHILDREN_PRESENT, MAX_SCHEDULE_SESSIONS

_MARK_FIELD = re.compile(r"^m-(\d+)$")


class AttendanceForm(forms.Form):
    """Reads `m-<member id>` (present / absent / excused) and `c-<member id>` (children present).

    The fields are read from whatever was posted, not only from the members shown, so that a mark for
    someone outside the cohort reaches the service and is refused with a message instead of being dropped.
    """

    ALL_PRESENT = "all_present"

    def __init__(self, data=None, *, memberships=(), current=None, labels=None):
        super().__init__(data)
        self.memberships = list(memberships)
        self.current = current or {}
        self.labels = labels or {}

    @property
    def wants_all_present(self) -> bool:
        """The "mark everyone present" button: fill the unmarked rows, save nothing yet (she then changes
        the few who are absent). With JavaScript the page does it in place; without, the server does."""
        return self.is_bound and self.ALL_PRESENT in self.data

    def all_present_data(self):
        data = self.data.copy()
        for membership in self.memberships:
            if not data.get(f"m-{membership.member_id}"):
                data[f"m-{membership.member_id}"] = AttendanceStatus.PRESENT
        data.pop(self.ALL_PRESENT, None)
        return data

    def clean(self):
        marks = {}
        for key, value in self.data.items():
            match = _MARK_FIELD.match(key)
            if not match or not value:
                continue
            if value not in AttendanceStatus.values:
                raise ValidationError(_("Choose present, absent or excused."))
            member_id = int(match.group(1))
            raw_children = (self.data.get(f"c-{member_id}") or "0").strip() or "0"
            try:
                children = int(raw_children)
            except ValueError:
                raise ValidationError(_("The number of children present must be a whole number.")) from None
            if not 0 <= children <= MAX_CHILDREN_PRESENT:
                raise ValidationError(
                    _("The number of children present must be between 0 and %(max)s.") % {"max": MAX_CHILDREN_PRESENT}
                )
            marks[member_id] = Mark(status=value, children=children)
        self.cleaned_data["marks"] = marks
        return self.cleaned_data

    def rows(self):
        """What the screen shows per member: the posted value after an error, otherwise the saved one."""
        rows = []
        for membership in self.memberships:
            member = membership.member
            saved = self.current.get(member.pk)
            if self.is_bound:
                status = self.data.get(f"m-{member.pk}", "")
                children = self.data.get(f"c-{member.pk}", "")
            else:
                status = saved.status if saved else ""
                children = saved.children_present if saved else ""
            rows.append(
                {
                    "member": member,
                    "label": self.labels.get(member.pk, member.alias),
                    # The mark her screen shows, for a phone sending marks later: was it changed meanwhile?
                    "seen": saved.recorded_at.isoformat() if saved else "",
                    "name": f"m-{member.pk}",
                    "children_name": f"c-{member.pk}",
                    "status": status,
                    "children": children,
                    "saved": saved,
                    "with_children": bool(member.children_count) or bool(saved and saved.children_present),
                }
            )
        return rows


class SessionNotesForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Session notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        help_text=gettext_lazy(
            "Only this cohort's facilitators and the coordinators can read these notes. "
            "Write what the group needs to continue, not details that identify anyone."
        ),
    )


class ScheduleForm(OneTimeTokenFormMixin, forms.Form):
    first_date = forms.DateField(label=gettext_lazy("First session"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=gettext_lazy("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Length in minutes"), min_value=15, max_value=480, initial=90
    )
    count = forms.IntegerField(
        label=gettext_lazy("Number of sessions"), min_value=1, max_value=MAX_SCHEDULE_SESSIONS, initial=12
    )
    interval_weeks = forms.TypedChoiceField(
        label=gettext_lazy("How often"),
        coerce=int,
        choices=[(1, gettext_lazy("Weekly")), (2, gettext_lazy("Fortnightly"))],
        initial=1,
        widget=forms.RadioSelect,
    )
    skip_dates = forms.CharField(
        label=gettext_lazy("Dates to skip"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Holidays, one per line or separated by commas, as YYYY-MM-DD."),
    )
    topic = forms.CharField(label=gettext_lazy("Topic"), required=False, max_length=255)
    room = forms.CharField(
        label=gettext_lazy("Room"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Leave empty to use the cohort's room."),
    )

    def clean_skip_dates(self):
        raw = self.cleaned_data.get("skip_dates", "")
        days = []
        for part in re.split(r"[\s,;]+", raw.strip()):
            if not part:
                continue
            try:
                days.append(date.fromisoformat(part))
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a date. Write dates as YYYY-MM-DD.") % {"value": part}
                ) from None
        return days


class ExcuseForm(forms.Form):
    """Excuse an absence ahead of an upcoming session."""

    member = forms.TypedChoiceField(label=gettext_lazy("Member"), coerce=int)
    session = forms.TypedChoiceField(label=gettext_lazy("Session"), coerce=int)

    def __init__(self, data=None, *, memberships=(), sessions=(), labels=None):
        super().__init__(data)
        labels = labels or {}
        self.fields["member"].choices = [(m.member_id, labels.get(m.member_id, m.member.alias)) for m in memberships]
        self.fields["session"].choices = [(s.pk, local_moment(s.start)) for s in sessions]


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the session cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The other facilitators are told that it is cancelled; the reason stays here."),
    )


class FollowUpStepForm(forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    session = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.ChoiceField(choices=FollowUpStep.choices)
