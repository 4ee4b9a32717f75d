"""Coordinator screens in the Wagtail admin: programmes, cohorts, members, memberships and sessions.

Every creation, change and deletion of a cohort, member, membership or session goes through the same
service as the pages (groups/services.py): the reporting-period lock, the calendar SEQUENCE, the email to the
facilitators, the membership dates that must keep her attendance marks, the audit log. A refusal shows as
the form's error and saves nothing. Attendance is not edited here at all: the attendance screen owns it.

Coordinators get every model permission of this app after migrate (accounts.roles), which is what these
viewsets check. Session notes are left out on purpose: they are read on the notes page, which is audited.
Every list, opening and change of a member or membership is audited, and member searches are sent by POST
so that an alias never lands in a URL or an access log. The membership form names a member by her internal
code, never by a list of every member's alias.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import modelform_factory
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.log_actions import log

from audit.admin_views import AuditedEditView, AuditedIndexView, AuditedInspectView
from core.admin_cells import ModelViewSet
from core.admin_listings import ListSelectRelated, RelatedListingLinks, shortlist_filter
from core.forms import WallClockDateTimeField
from groups import services
from groups.models import Cohort, GroupProgramme, GroupSession, Member, Membership
from groups.rules import facilitator_candidates

# Views that save through the services -------------------------------------------------------------------


def _form_refuse(form, refusal: ValidationError) -> None:
    """Show a service's refusal on the form: at its field when the form has that field, above it otherwise."""
    if hasattr(refusal, "error_dict"):
        for name, errors in refusal.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, refusal)


class _ServiceSaveMixin:
    """`save_instance` calls `self.save_through_service()`; a ValidationError from it becomes a form error.
    Wagtail's own history log is written as its default action would."""

    log_action = "wagtail.edit"

    def save_instance(self):
        instance = self.save_through_service(self.form.cleaned_data)
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as refusal:
            _form_refuse(form, refusal)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class _ServiceCreateView(_ServiceSaveMixin, generic.CreateView):
    log_action = "wagtail.create"


class _ServiceEditView(_ServiceSaveMixin, generic.EditView):
    pass


class _ServiceDeleteView(generic.DeleteView):
    """`delete_action` calls `self.delete_through_service()`; a refusal is shown and nothing is deleted."""

    def delete_action(self):
        # Logged first (a deleted row has no key to log against); a refusal rolls the entry back.
        with transaction.atomic():
            log(instance=self.object, action="wagtail.delete", user=self.request.user)
            self.delete_through_service()

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as refusal:
            for message in refusal.messages:
                messages.error(self.request, message)
            return redirect(self.edit_url_name, self.object.pk)


class _PostSearchIndexView(AuditedIndexView):
    """A list whose search box posts the query: an alias typed here never reaches a URL or an access log.

    Wagtail's own search box (a GET form, also sent while typing) is off; the query lives in the POST body
    of this one request. Paging and filters are GET links without it and show the whole list again."""

    template_name = "groups/admin/post_search_index.html"
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


class _AuditedServiceEditView(_ServiceSaveMixin, AuditedEditView):
    pass


# Forms ------------------------------------------------------------------------------------------------------


class CohortAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "facilitators" in self.fields:
            self.fields["facilitators"].queryset = facilitator_candidates()
            self.fields["facilitators"].widget = forms.CheckboxSelectMultiple(
                choices=self.fields["facilitators"].choices
            )


class MemberAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["code"].initial = services.member_code_new()
        self.fields["alias"].help_text = _("The alias or first name she chose. No surname, no address.")


class MembershipCreateForm(WagtailAdminModelForm):
    """She is named by her internal code: a drop-down of every member's alias would show them all to
    anyone who opens this form, and put them in the page the browser keeps."""

    member_code = forms.CharField(
        label=gettext_lazy("Member's internal code"),
        max_length=32,
        help_text=gettext_lazy("For example M-3F2A1C. Find it under Members (the search there is not logged)."),
    )

    class Meta:
        model = Membership
        fields = ["cohort", "joined_on"]


class MembershipEditForm(WagtailAdminModelForm):
    class Meta:
        model = Membership
        fields = ["joined_on", "left_on", "outcome"]


class GroupSessionCreateForm(WagtailAdminModelForm):
    class Meta:
        model = GroupSession
        fields = ["cohort", "start", "end", "topic", "room"]
        field_classes = {"start": WallClockDateTimeField, "end": WallClockDateTimeField}
        widgets = {"topic": forms.TextInput}


class GroupSessionEditForm(WagtailAdminModelForm):
    class Meta:
        model = GroupSession
        fields = ["start", "end", "topic", "room", "cancelled", "cancel_reason"]
        field_classes = {"start": WallClockDateTimeField, "end": WallClockDateTimeField}
        widgets = {"topic": forms.TextInput, "cancel_reason": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cancelled") and not (cleaned.get("cancel_reason") or "").strip():
            self.add_error("cancel_reason", _("Give a reason for cancelling the session."))
        return cleaned


# Viewsets ---------------------------------------------------------------------------------------------------


class _FormViewSet(ListSelectRelated, ModelViewSet):
    base_form_class = WagtailAdminModelForm
    create_form_class = None
    edit_form_class = None

    def get_form_class(self, for_update=False):
        explicit = self.edit_form_class if for_update else self.create_form_class
        if explicit is not None:
            return explicit
        return modelform_factory(
            self.model,
            form=self.base_form_class,
            fields=self.form_fields,
            formfield_callback=self.formfield_for_dbfield,
        )


class GroupProgrammeViewSet(_FormViewSet):
    model = GroupProgramme
    icon = "list-ul"
    form_fields = ["name", "purpose", "target_group", "usual_session_count"]
    list_display = ["name", "target_group", "usual_session_count"]
    search_fields = ["name", "target_group"]


class CohortCreateView(_ServiceCreateView):
    def save_through_service(self, data):
        values = {k: v for k, v in data.items() if k != "facilitators"}
        return services.cohort_create(by=self.request.user, facilitators=data.get("facilitators", []), **values)


class CohortEditView(_ServiceEditView):
    def save_through_service(self, data):
        values = {k: v for k, v in data.items() if k != "facilitators"}
        return services.cohort_update(
            cohort=self.object, by=self.request.user, facilitators=data.get("facilitators"), **values
        )


class CohortDeleteView(_ServiceDeleteView):
    def delete_through_service(self):
        services.cohort_delete(cohort=self.object, by=self.request.user)


class CohortIndexView(RelatedListingLinks, generic.IndexView):
    related_param = "cohort"
    related_listings = ((GroupSession, "group_sessions", "date"), (Membership, "group_memberships", "link"))


class _CohortFilterSet(WagtailFilterSet):
    cohort = shortlist_filter(
        Cohort,
        name="cohort",
        start="start_date",
        end="end_date",
        label=capfirst(Cohort._meta.verbose_name),
        help_text=gettext_lazy(
            "Running, upcoming and recently ended cohorts. For an older one, open it from the cohorts listing."
        ),
        fields=("pk", "name"),  # a cohort is named by its name
    )


class MembershipFilterSet(_CohortFilterSet):
    class Meta:
        model = Membership
        fields = ["cohort", "outcome"]


class GroupSessionFilterSet(_CohortFilterSet):
    class Meta:
        model = GroupSession
        fields = ["cohort", "cancelled"]


class CohortViewSet(_FormViewSet):
    model = Cohort
    icon = "group"
    index_view_class = CohortIndexView
    base_form_class = CohortAdminForm
    add_view_class = CohortCreateView
    edit_view_class = CohortEditView
    delete_view_class = CohortDeleteView
    form_fields = [
        "programme",
        "name",
        "start_date",
        "end_date",
        "facilitators",
        "capacity",
        "venue",
        "room",
        "language",
        "status",
        "project",
    ]
    list_display = ["name", "programme", "start_date", "status", "capacity"]
    list_filter = ["status", "programme"]
    list_select_related = ("programme",)
    search_fields = ["name"]


class MemberCreateView(_ServiceCreateView):
    def save_through_service(self, data):
        # member_create writes the audit entry.
        return services.member_create(
            alias=data["alias"],
            code=data["code"],
            children_count=data.get("children_count"),
            age_band=data.get("age_band") or "",
            municipality=data.get("municipality"),
            target_group=data.get("target_group") or "",
            by=self.request.user,
            request=self.request,
        )


class MemberEditView(_AuditedServiceEditView):
    def save_through_service(self, data):
        return services.member_update(
            member=self.object,
            alias=data["alias"],
            code=data["code"],
            children_count=data.get("children_count"),
            age_band=data.get("age_band") or "",
            municipality=data.get("municipality"),
            target_group=data.get("target_group") or "",
            by=self.request.user,
            request=self.request,
        )


class MemberDeleteView(_ServiceDeleteView):
    def delete_through_service(self):
        services.member_delete(member=self.object, by=self.request.user, request=self.request)


class MemberViewSet(_FormViewSet):
    model = Member
    icon = "user"
    base_form_class = MemberAdminForm
    index_view_class = _PostSearchIndexView
    add_view_class = MemberCreateView
    edit_view_class = MemberEditView
    inspect_view_class = AuditedInspectView
    delete_view_class = MemberDeleteView
    form_fields = ["alias", "code", "children_count", "age_band", "municipality", "target_group"]
    list_display = ["alias", "code", "children_count"]
    search_fields = ["alias", "code"]
    copy_view_enabled = False


class MembershipCreateView(_ServiceCreateView):
    def save_through_service(self, data):
        try:
            member = services.member_by_code(code=data["member_code"], by=self.request.user, request=self.request)
        except ValidationError as refusal:
            raise ValidationError({"member_code": refusal.messages}) from None
        return services.membership_add(
            cohort=data["cohort"],
            member=member,
            joined_on=data["joined_on"],
            by=self.request.user,
            request=self.request,
        )


class MembershipEditView(_AuditedServiceEditView):
    def save_through_service(self, data):
        return services.membership_update(
            membership=self.object,
            joined_on=data["joined_on"],
            left_on=data.get("left_on"),
            outcome=data.get("outcome") or "",
            by=self.request.user,
            request=self.request,
        )


class MembershipDeleteView(_ServiceDeleteView):
    def delete_through_service(self):
        services.membership_delete(membership=self.object, by=self.request.user, request=self.request)


class MembershipViewSet(_FormViewSet):
    model = Membership
    icon = "link"
    index_view_class = _PostSearchIndexView
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditView
    inspect_view_class = AuditedInspectView
    delete_view_class = MembershipDeleteView
    create_form_class = MembershipCreateForm
    edit_form_class = MembershipEditForm
    list_display = ["member", "cohort", "joined_on", "left_on", "outcome"]
    filterset_class = MembershipFilterSet
    list_select_related = ("member", "cohort")
    search_fields = ["member__alias", "member__code"]
    copy_view_enabled = False


class GroupSessionCreateView(_ServiceCreateView):
    def save_through_service(self, data):
        return services.session_create(
            cohort=data["cohort"],
            start=data["start"],
            end=data["end"],
            topic=data.get("topic") or "",
            room=data.get("room") or "",
            by=self.request.user,
        )


class GroupSessionEditView(_ServiceEditView):
    def save_through_service(self, data):
        return services.session_update(
            session=self.object,
            start=data["start"],
            end=data["end"],
            topic=data.get("topic") or "",
            room=data.get("room") or "",
            cancelled=bool(data.get("cancelled")),
            cancel_reason=data.get("cancel_reason") or "",
            by=self.request.user,
            request=self.request,
        )


class GroupSessionDeleteView(_ServiceDeleteView):
    def delete_through_service(self):
        services.session_delete(session=self.object, by=self.request.user)


class GroupSessionViewSet(_FormViewSet):
    model = GroupSession
    icon = "date"
    add_view_class = GroupSessionCreateView
    edit_view_class = GroupSessionEditView
    delete_view_class = GroupSessionDeleteView
    create_form_class = GroupSessionCreateForm
    edit_form_class = GroupSessionEditForm
    list_display = ["cohort", "start", "topic", "cancelled"]
    filterset_class = GroupSessionFilterSet
    list_select_related = ("cohort",)
    copy_view_enabled = False


class GroupsViewSetGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Self-support groups")
    menu_icon = "group"
    menu_order = 210
    items = (
        GroupProgrammeViewSet("group_programmes"),
        CohortViewSet("group_cohorts"),
        MemberViewSet("group_members"),
        MembershipViewSet("group_memberships"),
        GroupSessionViewSet("group_sessions"),
    )


@hooks.register("register_admin_viewset")
def register_groups_viewsets():
    return GroupsViewSetGroup()
