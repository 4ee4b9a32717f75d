"""Coordinator screens: the audit log (read only) and the register of compelled disclosures."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup

from audit.admin_views import AuditedCreateView, AuditedViewSetMixin
from audit.enums import AuditAction
from audit.models import AuditEntry, CompelledDisclosure
from audit.selectors import audit_entries_about_ids, audit_entries_between
from audit.services import audit_record
from core.admin_cells import ModelViewSet
from core.admin_listings import CappedCountPaginator, NamedChoiceFilter
from core.forms import QuickSelect

_labels: dict[tuple[str, str, str], str] = {}


def content_type_label(app_label: str, model: str) -> str:
    """What a content type shows (`str(content_type)`: its app's and its model's names), worked out once per
    language: the names are the code's, and working them out (two translations) for every kind of record
    the filter offers and twice for every row shown was a tenth of the audit log's page."""
    key = (get_language(), app_label, model)
    label = _labels.get(key)
    if label is None:
        label = _labels[key] = ContentType(app_label=app_label, model=model).app_labeled_name
    return label


def content_type_names(content_types) -> list[tuple[int, str]]:
    return [
        (pk, content_type_label(app_label, model))
        for pk, app_label, model in content_types.values_list("pk", "app_label", "model")
    ]


class AuditEntryFilterSet(WagtailFilterSet):
    """Each filter is an equality or a range on an indexed column: at three million entries one day is
    found through the index, where a per-row date() of the column read every row."""

    # Options written in Python (QuickSelect): the hundred and thirty kinds of record through Django's option
    # template were a tenth of the listing.
    action = django_filters.ChoiceFilter(label=_("action"), choices=AuditAction.choices, widget=QuickSelect)
    content_type = NamedChoiceFilter(
        label=_("kind of record"), queryset=ContentType.objects.order_by("app_label", "model"), names=content_type_names
    )
    record = django_filters.CharFilter(label=_("record id"), method="filter_record")
    # By email, not a user picker: a drop-down would list every account, trainees included.
    actor_email = django_filters.CharFilter(label=_("who (email)"), method="filter_actor_email")
    on_or_after = django_filters.DateFilter(label=_("from (date)"), method="filter_dates")
    on_or_before = django_filters.DateFilter(label=_("until (date)"), method="filter_dates")

    class Meta:
        model = AuditEntry
        fields = []

    def filter_record(self, queryset, name, value):
        return audit_entries_about_ids(queryset, record_id=value.strip())

    def filter_actor_email(self, queryset, name, value):
        return queryset.filter(actor_email=value.strip().lower())

    def filter_dates(self, queryset, name, value):
        if name == "on_or_after":
            return audit_entries_between(queryset, first_day=value)
        return audit_entries_between(queryset, last_day=value)


class AuditEntryIndexView(generic.IndexView):
    # The log only grows: its listing counts no further than the paginator's cap.
    paginator_class = CappedCountPaginator

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("content_type")

    def get_list_more_buttons(self, instance):
        # An entry is only ever opened: its time links to it, and a menu holding that same link again on
        # each of fifty rows was fifty more stops for a keyboard and a third of a row's work.
        return []

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if field_name == "content_type":
            kwargs["accessor"] = _content_type_shown
        elif field_name == "detail":
            kwargs["accessor"] = AuditEntry.get_detail_display
        return super()._get_custom_column(field_name, column_class, **kwargs)


def _content_type_shown(entry):
    kind = entry.content_type
    return None if kind is None else content_type_label(kind.app_label, kind.model)


class AuditEntryViewSet(ModelViewSet):
    """Search and filter only: the log has no add, edit, copy or delete screen at all."""

    model = AuditEntry
    icon = "list-ul"
    menu_label = _("Audit log")
    index_view_class = AuditEntryIndexView
    index_results_template_name = "audit/admin/index_results.html"
    list_display = ["at", "actor_email", "action", "content_type", "record_ids", "ip_address", "detail"]
    filterset_class = AuditEntryFilterSet
    # No free-text search: a substring search reads every row of a log that grows by millions.
    search_fields = None
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
