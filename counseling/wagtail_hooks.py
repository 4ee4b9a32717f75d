"""Coordinator screens in the Wagtail admin: counselors, rooms, availability, absences and clients.

Coordinators get every model permission of this app after migrate (accounts.roles). Bookings are made in the
app's own screens, whose service guarantees no double booking; session notes never appear here.
"""

from django import forms
from django.forms import modelform_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from audit.admin_views import AuditedViewSetMixin
from counseling.enums import SessionKind
from counseling.models import AvailabilityException, AvailabilityWindow, Client, CounselorProfile, Room
from counseling.services import client_code_new


class CounselorProfileAdminForm(WagtailAdminModelForm):
    session_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of session"),
        choices=SessionKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ClientAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["code"].initial = client_code_new()
        self.fields["alias"].help_text = _("Any name she chooses: a real name is not needed.")
        self.fields["counselors"].widget = forms.CheckboxSelectMultiple(choices=self.fields["counselors"].choices)


class _FormViewSet(ModelViewSet):
    base_form_class = WagtailAdminModelForm
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model,
            form=self.base_form_class,
            fields=self.form_fields,
            formfield_callback=self.formfield_for_dbfield,
        )


class CounselorViewSet(_FormViewSet):
    model = CounselorProfile
    icon = "user"
    base_form_class = CounselorProfileAdminForm
    form_fields = [
        "user",
        "expertise",
        "languages",
        "session_kinds",
        "trained_for_violence",
        "buffer_minutes",
        "min_notice_hours",
        "active",
    ]
    list_display = ["__str__", "languages", "trained_for_violence", "active"]
    list_filter = ["trained_for_violence", "active"]


class RoomViewSet(_FormViewSet):
    model = Room
    icon = "home"
    form_fields = ["name", "location", "active"]
    list_display = ["name", "location", "active"]
    search_fields = ["name", "location"]


class AvailabilityWindowViewSet(_FormViewSet):
    model = AvailabilityWindow
    icon = "time"
    form_fields = ["counselor", "weekday", "start_time", "end_time"]
    list_display = ["counselor", "__str__"]
    list_filter = ["counselor", "weekday"]


class AbsenceViewSet(_FormViewSet):
    model = AvailabilityException
    icon = "date"
    form_fields = ["counselor", "start", "end", "reason"]
    list_display = ["counselor", "start", "end", "reason"]
    list_filter = ["counselor"]


class ClientViewSet(AuditedViewSetMixin, _FormViewSet):
    model = Client
    icon = "user"
    base_form_class = ClientAdminForm
    form_fields = [
        "alias",
        "code",
        "preferred_language",
        "children_count",
        "contact_channel",
        "contact_address",
        "safe_contact_instructions",
        "safe_times",
        "safe_from",
        "safe_until",
        "messages_may_name_purpose",
        "counselors",
        "active",
    ]
    # Only plain, non-encrypted columns: encrypted text can be neither listed usefully nor searched.
    list_display = ["alias", "code", "contact_channel", "active"]
    list_filter = ["active", "contact_channel"]
    search_fields = ["alias", "code"]


class CounselingViewSetGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Counseling")
    menu_icon = "group"
    menu_order = 220
    items = (
        CounselorViewSet("counseling_counselors"),
        RoomViewSet("counseling_rooms"),
        AvailabilityWindowViewSet("counseling_windows"),
        AbsenceViewSet("counseling_absences"),
        ClientViewSet("counseling_clients"),
    )


@hooks.register("register_admin_viewset")
def register_counseling_viewsets():
    return CounselingViewSetGroup()
