"""The results framework screens: project managers shape results, indicators and targets of their projects
and enter the values of indicators counted by hand; a programme compares its projects. Thin: permission,
form, one service call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reporting.enums import IndicatorSource
from reporting.forms import IndicatorValuesForm, ResultForm, ResultIndicatorForm
from reporting.models import IndicatorActual, IndicatorTarget, Programme, Result, ResultIndicator
from reporting.results import row_choices
from reporting.selectors import period_lock_message, periods_for, programme_overview, projects_for
from reporting.services import (
    indicator_actuals_save,
    indicator_delete,
    indicator_save,
    result_delete,
    result_save,
)


def _project(request, pk):
    if not request.user.has_perm("reporting.view_reports"):
        raise PermissionDenied
    project = get_object_or_404(projects_for(request.user), pk=pk)
    if not request.user.has_perm("reporting.shape_results", project):
        raise Http404
    return project


def _refused(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def result_edit(request, project_pk, pk=None):
    project = _project(request, project_pk)
    result = get_object_or_404(Result, project=project, pk=pk) if pk else Result(project=project)
    form = ResultForm(request.POST or None, instance=result)
    if request.method == "POST" and form.is_valid():
        try:
            result_save(result=form.instance, by=request.user)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The result was saved."))
            return redirect("reporting:project", pk=project.pk)
    return render(request, "reporting/result_edit.html", {"project": project, "result": result, "form": form})


@login_required
@require_POST
def result_remove(request, project_pk, pk):
    project = _project(request, project_pk)
    result = get_object_or_404(Result, project=project, pk=pk)
    try:
        result_delete(result=result, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The result and its indicators were deleted."))
    return redirect("reporting:project", pk=project.pk)


@login_required
def indicator_edit(request, project_pk, result_pk, pk=None):
    project = _project(request, project_pk)
    result = get_object_or_404(Result, project=project, pk=result_pk)
    indicator = (
        get_object_or_404(ResultIndicator, result=result, pk=pk)
        if pk
        else ResultIndicator(result=result, source=IndicatorSource.COMPUTED)
    )
    periods = list(project.periods.order_by("start_date"))
    targets = (
        dict(IndicatorTarget.objects.filter(indicator=indicator).values_list("period_id", "value"))
        if indicator.pk
        else {}
    )
    form = ResultIndicatorForm(
        request.POST or None, instance=indicator, periods=periods, targets=targets, rows=row_choices(project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator_save(indicator=form.instance, by=request.user, targets=form.period_targets())
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect("reporting:project", pk=project.pk)
    return render(
        request,
        "reporting/indicator_edit.html",
        {"project": project, "result": result, "indicator": indicator, "form": form},
    )


@login_required
@require_POST
def indicator_remove(request, project_pk, result_pk, pk):
    project = _project(request, project_pk)
    indicator = get_object_or_404(ResultIndicator, result__project=project, result_id=result_pk, pk=pk)
    try:
        indicator_delete(indicator=indicator, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The indicator was deleted."))
    return redirect("reporting:project", pk=project.pk)


@login_required
def period_values(request, pk):
    if not request.user.has_perm("reporting.view_reports"):
        raise PermissionDenied
    period = get_object_or_404(periods_for(request.user), pk=pk)
    if not request.user.has_perm("reporting.prepare_period", period):
        raise Http404
    if period.is_frozen:
        messages.error(request, period_lock_message(period))
        return redirect("reporting:period", pk=period.pk)
    indicators = list(
        ResultIndicator.objects.filter(result__project=period.project, source=IndicatorSource.MANUAL).select_related(
            "result"
        )
    )
    actuals = {a.indicator_id: a for a in IndicatorActual.objects.filter(period=period)}
    form = IndicatorValuesForm(request.POST or None, indicators=indicators, actuals=actuals)
    if request.method == "POST" and form.is_valid():
        try:
            changed = indicator_actuals_save(period=period, by=request.user, values=form.values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, _("The indicator values were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("reporting:period", pk=period.pk)
    return render(request, "reporting/period_values.html", {"period": period, "form": form})


@login_required
def programme_detail(request, pk):
    if not request.user.has_perm("reporting.view_reports"):
        raise PermissionDenied
    programme = get_object_or_404(Programme, pk=pk)
    overview = programme_overview(programme=programme, user=request.user)
    if not overview.projects:
        raise Http404
    return render(request, "reporting/programme.html", {"programme": programme, "overview": overview})
