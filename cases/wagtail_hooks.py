"""Coordinator screens: the register of institutions. The risk questionnaire's thresholds and interval
are a Wagtail setting (cases.models.RiskSettings) under Settings."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cases.models import Institution


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
