from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import dates
from core.exports import xlsx_response
from reporting.enums import EDITABLE_STATUSES, Transition
from reporting.exports import DEFAULT_TEMPLATE, report_template, report_templates
from reporting.forms import GeneratePeriodsForm, NarrativeForm, TransitionForm
from reporting.iati import project_iati_xml
from reporting.report import report_view, tables_written
from reporting.results import results_framework
from reporting.selectors import (
    period_lock_message,
    periods_due,
    periods_for,
    person_name,
    projects_for,
    projects_overview,
)
from reporting.services import period_narrative_save, period_transition, periods_generate, transitions_allowed


def _require_reports(request):
    if not request.user.has_perm("reporting.view_reports"):
        raise PermissionDenied


def _period(request, pk):
    period = get_object_or_404(periods_for(request.user), pk=pk)
    if not request.user.has_perm("reporting.view_period", period):
        raise Http404
    return period


@login_required
def home(request):
    _require_reports(request)
    return render(
        request,
        "reporting/home.html",
        {
            "projects": projects_overview(request.user),
            "due": periods_due(request.user)[:20],
            "today": dates.today(),
        },
    )


@login_required
def project_detail(request, pk):
    _require_reports(request)
    project = get_object_or_404(
        projects_for(request.user).select_related("programme").prefetch_related("indicators", "managers__profile"),
        pk=pk,
    )
    if not request.user.has_perm("reporting.view_project", project):
        raise Http404
    form = None
    periods = list(project.periods.select_related("locked_by__profile"))
    if not periods and request.user.has_perm("reporting.generate_periods", project):
        form = GeneratePeriodsForm(
            request.POST or None, initial={"cadence": project.cadence, "due_days": project.due_days}
        )
        if request.method == "POST" and form.is_valid():
            try:
                periods_generate(
                    project=project,
                    cadence=form.cleaned_data["cadence"],
                    months=form.cleaned_data["months"],
                    due_days=form.cleaned_data["due_days"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The reporting periods were generated."))
                return redirect("reporting:project", pk=project.pk)
    return render(
        request,
        "reporting/project.html",
        {
            "project": project,
            "periods": periods,
            "form": form,
            "results": results_framework(project=project, periods=periods),
            "may_shape": request.user.has_perm("reporting.shape_results", project),
        },
    )


@login_required
def period_detail(request, pk):
    _require_reports(request)
    period = _period(request, pk)
    report = report_view(period=period, user=request.user)
    report.tables = tables_written(report.tables)
    transitions = transitions_allowed(period=period, user=request.user)
    results = report.results
    return render(
        request,
        "reporting/period.html",
        {
            "period": period,
            "report": report,
            "transitions": [(value, Transition(value).label) for value in transitions],
            "may_edit": period.status in EDITABLE_STATUSES
            and request.user.has_perm("reporting.prepare_period", period),
            "log": period.log_entries.select_related("by__profile")[:20],
            "lock_message": period_lock_message(period) if period.is_frozen else "",
            "report_templates": report_templates().values(),
            "results": results,
            "project": period.project,
            "has_manual": any(not i.computed for result in results for i in result.indicators),
        },
    )


@login_required
def period_xlsx(request, pk):
    """The report as XLSX in the layout `?template=` names (the quarterly report by default)."""
    _require_reports(request)
    period = _period(request, pk)
    template = report_template(request.GET.get("template") or DEFAULT_TEMPLATE)
    if template is None:
        raise Http404
    report = report_view(period=period, user=request.user)
    if report.refusal:
        messages.error(request, report.refusal)
        return redirect("reporting:period", pk=period.pk)
    base = f"report-{slugify(period.project.title)[:40]}-{period.start_date:%Y-%m-%d}"
    return xlsx_response(
        template.sheets(report, downloaded_by=person_name(request.user)),
        filename=template.filename(base=base),
    )


@login_required
def period_edit(request, pk):
    _require_reports(request)
    period = _period(request, pk)
    if not request.user.has_perm("reporting.prepare_period", period):
        raise Http404
    if period.is_frozen:
        messages.error(request, period_lock_message(period))
        return redirect("reporting:period", pk=period.pk)
    form = NarrativeForm(request.POST or None, instance=period)
    if request.method == "POST" and form.is_valid():
        try:
            period_narrative_save(period=period, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The narrative was saved."))
            return redirect("reporting:period", pk=period.pk)
    return render(request, "reporting/period_edit.html", {"period": period, "form": form})


@login_required
@require_POST
def period_transition_view(request, pk):
    _require_reports(request)
    period = _period(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This step is not possible."))
        return redirect("reporting:period", pk=period.pk)
    try:
        period = period_transition(
            period=period,
            transition=form.cleaned_data["transition"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied:
        messages.error(request, _("Only a coordinator can take this step."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("“%(period)s” is now: %(status)s.") % {"period": period.label, "status": period.get_status_display()},
        )
    return redirect("reporting:period", pk=period.pk)


@login_required
def project_iati(request, pk):
    """The project's IATI activity file: the results framework as its reports published it."""
    _require_reports(request)
    project = get_object_or_404(projects_for(request.user), pk=pk)
    if not request.user.has_perm("reporting.view_project", project):
        raise Http404
    response = HttpResponse(project_iati_xml(project=project), content_type="application/xml")
    filename = f"iati-{slugify(project.title)[:40] or project.pk}.xml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
