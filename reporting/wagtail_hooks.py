"""Coordinator screens: donor projects with their indicator targets, and the reporting periods."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup

from core.admin_cells import ModelViewSet
from core.admin_listings import ListSelectRelated
from reporting.models import DonorProject, Programme, ReportingPeriod, ResultIndicator
from reporting.services import indicator_delete, indicator_save, period_delete, period_save


class _RefusalOnTheForm:
    """A refusal from below the form (a frozen period's dates, a result whose targets a frozen report holds)
    shows as the form's error; the transaction is rolled back, so nothing is saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            self.produced_error_message = " ".join(error.messages)
            return self.form_invalid(form)


class DonorProjectCreateView(_RefusalOnTheForm, CreateView):
    pass


class DonorProjectEditView(_RefusalOnTheForm, EditView):
    pass


class _DeletedByService(DeleteView):
    """Deleting goes through a service (delete_by_service); its refusal is shown and nothing is deleted."""

    def delete_by_service(self):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.delete_by_service()
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(self.index_url_name)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())


class DonorProjectViewSet(ModelViewSet):
    model = DonorProject
    add_view_class = DonorProjectCreateView
    edit_view_class = DonorProjectEditView
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
                FieldPanel("programme"),
                FieldPanel("donor"),
                FieldPanel("grant_number"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldPanel("managers"),
                FieldPanel("iati_identifier"),
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
        InlinePanel(
            "results",
            heading=_("Results (outcomes and outputs)"),
            label=_("Result"),
            panels=[FieldPanel("result_type"), FieldPanel("title"), FieldPanel("description")],
        ),
    ]


class ProgrammeViewSet(ModelViewSet):
    model = Programme
    icon = "folder-inverse"
    menu_label = _("Programmes")
    list_display = ["name"]
    search_fields = ["name"]
    form_fields = ["name", "description"]


class _IndicatorSavedByService(_RefusalOnTheForm):
    """Saved through reporting.services.indicator_save (with its period targets, which the models keep as
    reported once a period is frozen); a refusal shows on the form and saves nothing."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        return indicator_save(indicator=instance, by=self.request.user)


class IndicatorCreateView(_IndicatorSavedByService, CreateView):
    pass


class IndicatorEditView(_IndicatorSavedByService, EditView):
    pass


class IndicatorDeleteView(_DeletedByService):
    """An indicator whose targets or values a frozen report holds stays."""

    def delete_by_service(self):
        indicator_delete(indicator=self.object, by=self.request.user)


class ResultIndicatorViewSet(ListSelectRelated, ModelViewSet):
    """Indicators of the projects' results, each with its target per reporting period."""

    model = ResultIndicator
    add_view_class = IndicatorCreateView
    edit_view_class = IndicatorEditView
    delete_view_class = IndicatorDeleteView
    icon = "list-ul"
    menu_label = _("Result indicators")
    list_display = ["title", "result", "source", "measure", "target"]
    list_select_related = ("result__project",)
    list_filter = ["source", "result__project"]
    search_fields = ["title"]
    panels = [
        FieldPanel("result"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("source"), FieldPanel("measure")]),
        FieldRowPanel([FieldPanel("measure_type"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("baseline_value"), FieldPanel("baseline_year")]),
        FieldPanel("target"),
        FieldPanel("means_of_verification"),
        FieldPanel("sort_order"),
        InlinePanel("targets", heading=_("Targets per reporting period"), label=_("Period target")),
    ]


class _PeriodSavedByService(_RefusalOnTheForm):
    """The admin form saves through reporting.services.period_save, as every other door does; a refusal
    (a submitted or locked period's dates) shows as the form's error and saves nothing."""

    def save_instance(self):
        return period_save(period=self.form.instance, by=self.request.user)


class PeriodCreateView(_PeriodSavedByService, CreateView):
    pass


class PeriodEditView(_PeriodSavedByService, EditView):
    pass


class PeriodDeleteView(_DeletedByService):
    """Deleting goes through reporting.services.period_delete: a period that reported stays, and says why."""

    def delete_by_service(self):
        period_delete(period=self.object, by=self.request.user)


class ReportingPeriodViewSet(ListSelectRelated, ModelViewSet):
    """Dates and due dates only: status moves through the report screen, where every step is logged."""

    model = ReportingPeriod
    add_view_class = PeriodCreateView
    edit_view_class = PeriodEditView
    delete_view_class = PeriodDeleteView
    icon = "date"
    menu_label = _("Reporting periods")
    list_display = ["project", "label", "start_date", "end_date", "due_date", "status"]
    list_select_related = ("project",)
    list_filter = ["project", "status"]
    form_fields = ["project", "label", "start_date", "end_date", "due_date"]
    inspect_view_enabled = True


class ReportingViewSetGroup(ViewSetGroup):
    items = (
        ProgrammeViewSet("programmes"),
        DonorProjectViewSet("donor_projects"),
        ResultIndicatorViewSet("result_indicators"),
        ReportingPeriodViewSet("reporting_periods"),
    )
    menu_label = _("Donor reporting")
    menu_icon = "folder-open-inverse"


@hooks.register("register_admin_viewset")
def register_reporting_viewsets():
    return ReportingViewSetGroup()
