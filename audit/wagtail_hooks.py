"""Coordinator screens: the audit log (read only) and the register of compelled disclosures."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from audit.admin_views import AuditedCreateView, AuditedViewSetMixin
from audit.enums import AuditAction
from audit.models import AuditEntry, CompelledDisclosure
from audit.services import audit_record


class AuditEntryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("content_type")


class AuditEntryViewSet(ModelViewSet):
    """Search and filter only: the log has no add, edit, copy or delete screen at all."""

    model = AuditEntry
    icon = "list-ul"
    menu_label = _("Audit log")
    index_view_class = AuditEntryIndexView
    list_display = ["at", "actor_email", "action", "content_type", "object_id", "ip_address", "detail"]
    list_filter = {
        "action": ["exact"],
        "content_type": ["exact"],
        # By email, not a user picker: a drop-down would list every account, trainees included.
        "actor_email": ["icontains"],
        "at": ["date__gte", "date__lte"],
    }
    search_fields = ["actor_email", "object_id", "detail"]
    search_backend_name = None  # plain SQL filtering: the log is never put into a search index
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"):
            view_kwargs[name] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class CompelledDisclosureCreateView(AuditedCreateView):
    def save_instance(self):
        self.form.instance.recorded_by = self.request.user
        instance = super().save_instance()
        audit_record(
            actor=self.request.user,
            action=AuditAction.DISCLOSE,
            obj=instance.client or instance.member,
            request=self.request,
            detail=f"compelled disclosure {instance.pk}",
        )
        return instance


class CompelledDisclosureViewSet(AuditedViewSetMixin, ModelViewSet):
    model = CompelledDisclosure
    icon = "warning"
    menu_label = _("Compelled disclosures")
    add_view_class = CompelledDisclosureCreateView
    form_fields = [
        "client",
        "member",
        "released_what",
        "released_to",
        "legal_basis",
        "legal_reference",
        "released_on",
        "client_told_on",
        "not_told_reason",
    ]
    list_display = ["__str__", "released_to", "legal_reference", "released_on", "client_told_on"]
    list_filter = ["legal_basis", "released_on"]
    search_fields = ["released_to", "legal_reference"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        view_kwargs["delete_url_name"] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "delete"]


class AuditGroup(ViewSetGroup):
    menu_label = _("Audit")
    menu_icon = "list-ul"
    menu_order = 900
    items = (AuditEntryViewSet("audit_log"), CompelledDisclosureViewSet("compelled_disclosures"))


@hooks.register("register_admin_viewset")
def register_audit_viewsets():
    return AuditGroup()
