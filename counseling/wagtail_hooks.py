"""Coordinator screens in the Wagtail admin: counselors, rooms, availability, absences, clients and bookings.

Coordinators get every model permission of this app after migrate (accounts.roles); the permission policies
below take away what the admin must not do. Clients are created and changed through the same services as
the pages (counseling/services.py), which check the rules, validate and write the audit log; a refusal shows
on the form and saves nothing. A client's file is never deleted here: it is closed, and retention
anonymises it later. Bookings are made and moved on the counseling pages, whose services guarantee that
nobody is double-booked; here a booking can only be looked at and cancelled, through the cancel service
(period lock, calendar SEQUENCE, audit). Session notes never appear here. Client searches are sent by POST,
so that an alias never lands in a URL or an access log. Counselors and rooms are made inactive, not deleted:
bookings refer to them.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import modelform_factory
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from audit.admin_views import AuditedEditView, AuditedIndexView, AuditedInspectView
from core.admin_cells import ModelViewSet
from core.admin_listings import ListSelectRelated, NamedChoiceFilter
from counseling import services
from counseling.enums import SessionKind
from counseling.models import (
    CLIENT_SECRET_FIELDS,
    AvailabilityException,
    AvailabilityWindow,
    Booking,
    Client,
    CounselorProfile,
    Room,
)
from counseling.selectors import counselor_names


class _PolicyWithout(ModelPermissionPolicy):
    """The model's permissions, less the actions in `refused`."""

    refused: tuple[str, ...] = ()

    def user_has_permission(self, user, action):
        return action not in self.refused and super().user_has_permission(user, action)


class _NoDelete(_PolicyWithout):
    refused = ("delete",)


class _BookingPolicy(_PolicyWithout):
    """Looked at, and changed only by cancelling an open booking."""

    refused = ("add", "delete", "copy")

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change":
            return user.has_perm("counseling.cancel_booking", instance)
        return super().user_has_permission_for_instance(user, action, instance)


register_permission_policy(Client, _NoDelete(Client))
register_permission_policy(CounselorProfile, _NoDelete(CounselorProfile))
register_permission_policy(Room, _NoDelete(Room))
register_permission_policy(Booking, _BookingPolicy(Booking))


# Views that save through the services -------------------------------------------------------------------


class _ServiceSaveMixin:
    """`save_instance` calls `self.save_through_service()`; its refusal becomes a form error, nothing saved.
    Wagtail's own history log is written as its default action would."""

    log_action = "wagtail.edit"

    def save_instance(self):
        instance = self.save_through_service(self.form.cleaned_data)
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as refusal:
            said = refusal.messages if isinstance(refusal, ValidationError) else [str(refusal)]
            for message in said:
                form.add_error(None, message)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class _PostSearchIndexView(AuditedIndexView):
    """A list whose search box posts the query: an alias typed here never reaches a URL or an access log.

    Wagtail's own search box (a GET form, also sent while typing) is off; the query lives in the POST body
    of this one request. Paging and filters are GET links without it and show the whole list again."""

    template_name = "counseling/admin/post_search_index.html"
    is_searchable = False
    search_max_length = 100

    def post(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)

    @cached_property
    def search_query(self):
        if self.request.method != "POST":
            return ""
        return (self.request.POST.get("find") or "").strip()[: self.search_max_length]

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["find"] = self.search_query
        return context


# Clients ----------------------------------------------------------------------------------------------------


class ClientAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["code"].initial = services.client_code_new()
        self.fields["alias"].help_text = _("Any name she chooses: a real name is not needed.")
        self.fields["counselors"].widget = forms.CheckboxSelectMultiple(choices=self.fields["counselors"].choices)


class ClientCreateView(_ServiceSaveMixin, generic.CreateView):
    log_action = "wagtail.create"

    def save_through_service(self, data):
        data = dict(data)
        counselors = data.pop("counselors", ())
        return services.client_create(by=self.request.user, counselors=counselors, request=self.request, **data)


class ClientEditView(_ServiceSaveMixin, AuditedEditView):
    def save_through_service(self, data):
        data = dict(data)
        counselors = data.pop("counselors", None)
        return services.client_update(
            client=self.object, by=self.request.user, counselors=counselors, request=self.request, **data
        )


class ClientIndexView(_PostSearchIndexView):
    def get_base_queryset(self):
        # Her safe-contact details are not listed: left in the database, not decrypted for every row.
        return super().get_base_queryset().defer(*CLIENT_SECRET_FIELDS)


# Bookings ---------------------------------------------------------------------------------------------------


class BookingCancelAdminForm(WagtailAdminModelForm):
    """The admin's one change to a booking: cancelling it, with the reason."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for cancelling"),
        max_length=Booking._meta.get_field("cancel_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Cancelling cannot be undone: the booking stays in her file as cancelled and the time becomes free."
        ),
    )

    class Meta:
        model = Booking
        fields = []


class BookingCancelView(_ServiceSaveMixin, AuditedEditView):
    page_title = gettext_lazy("Cancel booking")
    submit_button_label = gettext_lazy("Yes, cancel the booking")
    success_message = gettext_lazy("The booking was cancelled.")

    def dispatch(self, request, *args, **kwargs):
        booking = self.get_object()
        if not request.user.has_perm("counseling.cancel_booking", booking):
            messages.error(request, _("Only a requested or confirmed booking can be cancelled."))
            return redirect(self.inspect_url_name, booking.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return BookingCancelAdminForm

    def save_through_service(self, data):
        return services.booking_cancel(
            booking=self.object, reason=data["reason"], by=self.request.user, request=self.request
        )


class BookingIndexView(AuditedIndexView):
    def get_base_queryset(self):
        # What the rows show (the booking's kind and start, its counselor, room and status), not her safe-contact
        # details: of hers only her code is read, nothing decrypted for every row. She stays in the join for
        # SQLite's sake: without her, it sorted every booking (36 against 20 ms at 30,000) rather than walk the
        # start index.
        queryset = super().get_base_queryset().select_related("counselor__user__profile", "room", "client")
        return queryset.only(
            "start",
            "kind",
            "status",
            "client__code",
            "counselor__user__username",
            "counselor__user__profile__full_name",
            "room__name",
        )


# View sets --------------------------------------------------------------------------------------------------


class CounselorProfileAdminForm(WagtailAdminModelForm):
    session_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of session"),
        choices=SessionKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class _FormViewSet(ListSelectRelated, ModelViewSet):
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
    list_select_related = ("user__profile",)


class RoomViewSet(_FormViewSet):
    model = Room
    icon = "home"
    form_fields = ["name", "location", "active"]
    list_display = ["name", "location", "active"]
    search_fields = ["name", "location"]


class _CounselorFilterSet(WagtailFilterSet):
    """A filter by counselor whose choices name each counselor without a query per choice."""

    counselor = NamedChoiceFilter(
        label=gettext_lazy("Counselor"),
        queryset=CounselorProfile.objects.all(),
        names=counselor_names,
    )


class _WindowFilterSet(_CounselorFilterSet):
    class Meta:
        model = AvailabilityWindow
        fields = ["counselor", "weekday"]


class _AbsenceFilterSet(_CounselorFilterSet):
    class Meta:
        model = AvailabilityException
        fields = ["counselor"]


class _BookingFilterSet(_CounselorFilterSet):
    class Meta:
        model = Booking
        fields = ["status", "kind", "counselor"]


class AvailabilityWindowViewSet(_FormViewSet):
    model = AvailabilityWindow
    icon = "time"
    form_fields = ["counselor", "weekday", "start_time", "end_time"]
    list_display = ["counselor", "__str__"]
    list_select_related = ("counselor__user__profile",)
    filterset_class = _WindowFilterSet


class AbsenceViewSet(_FormViewSet):
    model = AvailabilityException
    icon = "date"
    form_fields = ["counselor", "start", "end", "reason"]
    list_display = ["counselor", "start", "end", "reason"]
    list_select_related = ("counselor__user__profile",)
    filterset_class = _AbsenceFilterSet


class ClientViewSet(_FormViewSet):
    model = Client
    icon = "user"
    base_form_class = ClientAdminForm
    index_view_class = ClientIndexView
    add_view_class = ClientCreateView
    edit_view_class = ClientEditView
    inspect_view_class = AuditedInspectView
    form_fields = [
        "alias",
        "code",
        "preferred_language",
        "children_count",
        "age_band",
        "municipality",
        "target_group",
        "interpreter_needed",
        "interpreter_language",
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
    list_display = ["alias", "code", "contact_channel", "interpreter_needed", "active"]
    list_filter = ["active", "contact_channel", "interpreter_needed"]
    search_fields = ["alias", "code"]


class BookingViewSet(ModelViewSet):
    model = Booking
    icon = "date"
    menu_label = gettext_lazy("Bookings")
    index_view_class = BookingIndexView
    edit_view_class = BookingCancelView
    inspect_view_class = AuditedInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []
    list_display = ["__str__", "counselor", "room", "status"]
    filterset_class = _BookingFilterSet
    ordering = ["-start"]
    # No session notes, and her code rather than her alias: the coordinator opens her file for more.
    inspect_view_fields = ["start", "end", "kind", "status", "counselor", "room", "outside_availability", "project"]

    def get_form_class(self, for_update=False):
        return BookingCancelAdminForm


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
        BookingViewSet("counseling_bookings"),
    )


@hooks.register("register_admin_viewset")
def register_counseling_viewsets():
    return CounselingViewSetGroup()
