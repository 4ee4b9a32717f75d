"""Coordinator screens: donor projects with their indicator targets, and the reporting periods."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from reporting.models import DonorProject, ReportingPeriod


class DonorProjectViewSet(ModelViewSet):
    model = DonorProject
    icon = "folder-open-inverse"
    menu_label = _("Donor projects")
    list_display = ["title", "donor", "grant_number", "start_date", "end_date"]
    list_filter = ["donor"]
    search_fields = ["title", "donor", "grant_number"]
    list_export = ["title", "donor", "grant_number", "start_date", "end_date", "partners"]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("donor"),
                FieldPanel("grant_number"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldPanel("managers"),
            ],
            heading=_("Project"),
        ),
        MultiFieldPanel(
            [FieldPanel("partners"), FieldPanel("aim"), FieldPanel("target_groups"), FieldPanel("planned_activities")],
            heading=_("Content"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("cadence"),
                FieldPanel("due_days"),
                FieldPanel("disclosure_method"),
                FieldPanel("suppression_threshold"),
                FieldPanel("publish_zeros"),
            ],
            heading=_("Reporting"),
        ),
        InlinePanel("indicators", heading=_("Indicators with targets"), label=_("Indicator")),
    ]


class ReportingPeriodViewSet(ModelViewSet):
    """Dates and due dates only: status moves through the report screen, where every step is logged."""

    model = ReportingPeriod
    icon = "date"
    menu_label = _("Reporting periods")
    list_display = ["project", "label", "start_date", "end_date", "due_date", "status"]
    list_filter = ["project", "status"]
    form_fields = ["project", "label", "start_date", "end_date", "due_date"]
    inspect_view_enabled = True


class ReportingViewSetGroup(ViewSetGroup):
    items = (DonorProjectViewSet("donor_projects"), ReportingPeriodViewSet("reporting_periods"))
    menu_label = _("Donor reporting")
    menu_icon = "folder-open-inverse"


@hooks.register("register_admin_viewset")
def register_reporting_viewsets():
    return ReportingViewSetGroup()
