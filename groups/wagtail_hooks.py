"""Coordinator screens in the Wagtail admin: programmes, cohorts, members, memberships and sessions.

Coordinators get every model permission of this app after migrate (accounts.roles), which is what these
viewsets check. Session notes are left out on purpose: they are read on the notes page, which is audited.
Every list, opening and change of a member or membership here is audited too.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from accounts.enums import Role
from audit.admin_views import AuditedViewSetMixin
from groups.models import Cohort, GroupProgramme, GroupSession, Member, Membership
from groups.services import member_code_new, membership_capacity_check


class CohortAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "facilitators" in self.fields:
            self.fields["facilitators"].queryset = (
                get_user_model().objects.filter(groups__name=Role.FACILITATOR).order_by("email").distinct()
            )
            self.fields["facilitators"].widget = forms.CheckboxSelectMultiple(
                choices=self.fields["facilitators"].choices
            )


class MemberAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["code"].initial = member_code_new()
        self.fields["alias"].help_text = _("The alias or first name she chose. No surname, no address.")


class MembershipAdminForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        cohort, joined_on = cleaned.get("cohort"), cleaned.get("joined_on")
        if cohort and joined_on and not cleaned.get("left_on"):
            membership_capacity_check(cohort=cohort, joined_on=joined_on, exclude_pk=self.instance.pk)
        return cleaned


class GroupSessionAdminForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cancelled") and not (cleaned.get("cancel_reason") or "").strip():
            raise ValidationError({"cancel_reason": _("Give a reason for cancelling the session.")})
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            raise ValidationError({"end": _("The session must end after it starts.")})
        return cleaned


class _FormViewSet(ModelViewSet):
    base_form_class = WagtailAdminModelForm

    def get_form_class(self, for_update=False):
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


class CohortViewSet(_FormViewSet):
    model = Cohort
    icon = "group"
    base_form_class = CohortAdminForm
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
    search_fields = ["name"]


class MemberViewSet(AuditedViewSetMixin, _FormViewSet):
    model = Member
    icon = "user"
    base_form_class = MemberAdminForm
    form_fields = ["alias", "code", "children_count"]
    list_display = ["alias", "code", "children_count"]
    search_fields = ["alias", "code"]
    copy_view_enabled = False


class MembershipViewSet(AuditedViewSetMixin, _FormViewSet):
    model = Membership
    icon = "link"
    base_form_class = MembershipAdminForm
    form_fields = ["cohort", "member", "joined_on", "left_on", "outcome"]
    list_display = ["member", "cohort", "joined_on", "left_on", "outcome"]
    list_filter = ["cohort", "outcome"]
    copy_view_enabled = False


class GroupSessionViewSet(_FormViewSet):
    model = GroupSession
    icon = "date"
    base_form_class = GroupSessionAdminForm
    form_fields = ["cohort", "start", "end", "topic", "room", "cancelled", "cancel_reason"]
    list_display = ["cohort", "start", "topic", "cancelled"]
    list_filter = ["cohort", "cancelled"]


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
