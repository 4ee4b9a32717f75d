"""Coordinator screens in the Wagtail admin: the register of institutions, and cases.

The risk questionnaire's thresholds and interval are a Wagtail setting (cases.models.RiskSettings) under
Settings. Cases open, close and hold their records on the case work pages, which own those flows; here a
coordinator lists and inspects cases, and her one change, handing a case over, goes through the same
service as the page (services.case_reassign): the same rule, the same closed-case refusal, the same
history entry and audit entry. No case is created or deleted here.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from audit.admin_views import AuditedEditView, AuditedIndexView, AuditedInspectView
from cases import services
from cases.models import Case, Institution
from core.admin_cells import ModelViewSet
from core.admin_listings import ListSelectRelated, NamedChoiceFilter
from counseling.models import CounselorProfile
from counseling.selectors import counselor_names


class InstitutionViewSet(SnippetViewSet):
    model = Institution
    icon = "group"
    menu_label = _("Institutions")
    add_to_admin_menu = True
    menu_order = 320
    list_display = ["name", "kind", "municipality", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "municipality"]
    list_export = ["name", "kind", "municipality", "active"]
    panels = [FieldPanel("name"), FieldPanel("kind"), FieldPanel("municipality"), FieldPanel("active")]


register_snippet(Institution, viewset=InstitutionViewSet)


class CasePermissionPolicy(ModelPermissionPolicy):
    """Cases are opened on the case pages and never deleted: the admin cannot add, copy or delete one."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete", "copy"):
            return False
        return super().user_has_permission(user, action)


register_permission_policy(Case, CasePermissionPolicy(Case))


class CaseHandoverForm(forms.ModelForm):
    """The admin's one change to a case: who works on it, with the reason for the handover."""

    reason = forms.CharField(
        label=_("Why the case is handed over"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the case's history. The counselors who join the case are told by email."),
    )

    class Meta:
        model = Case
        fields = ["lead_counselor", "counselors"]
        widgets = {"counselors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        active = CounselorProfile.objects.filter(active=True).select_related("user__profile")
        self.fields["lead_counselor"].queryset = active
        self.fields["counselors"].queryset = active
        self.fields["counselors"].required = False


class CaseHandoverView(AuditedEditView):
    """The edit view, whose save is the handover service; its refusal lands on the form, nothing saved."""

    def get_form_class(self):
        return CaseHandoverForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.case_reassign(
                case=self.object,
                lead_counselor=data["lead_counselor"],
                counselors=data["counselors"],
                reason=data["reason"],
                by=self.request.user,
                request=self.request,
            )
        except (ValidationError, PermissionDenied) as error:
            return self.refused(form, error)
        self.object.refresh_from_db()
        return self.save_action()

    def refused(self, form, error):
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class _CaseFilterSet(WagtailFilterSet):
    """A filter by lead counselor whose choices name each counselor without a query per choice."""

    lead_counselor = NamedChoiceFilter(
        label=_("Lead counselor"),
        queryset=CounselorProfile.objects.all(),
        names=counselor_names,
    )

    class Meta:
        model = Case
        fields = ["lead_counselor", "outcome"]


class CaseViewSet(ListSelectRelated, ModelViewSet):
    model = Case
    icon = "folder-open-inverse"
    menu_label = _("Cases")
    add_to_admin_menu = True
    menu_order = 310
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = AuditedIndexView
    edit_view_class = CaseHandoverView
    inspect_view_class = AuditedInspectView
    form_fields = ["lead_counselor", "counselors"]
    list_display = ["__str__", "lead_counselor", "opened_on", "closed_on", "outcome"]
    filterset_class = _CaseFilterSet
    inspect_view_fields = ["lead_counselor", "counselors", "opened_on", "closed_on", "outcome"]
    list_select_related = ("lead_counselor__user__profile",)


@hooks.register("register_admin_viewset")
def register_case_viewset():
    return CaseViewSet("case_admin", url_prefix="cases")
