"""Pages of case work. Thin: one generic screen (CaseScreen) loads the case scoped to the user, asks the
rules, shows the form when she may use it and hands what she sent to one service; the services write
the records and their audit entries."""

import datetime as dt
import json
from functools import cache, partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cases import forms, rules, selectors, services
from cases.enums import (
    ActionArea,
    CaseStatus,
    ChildSupport,
    DataCategory,
    DisclosureFormat,
    RiskLevel,
    SafetyPlanSection,
    StepChangeKind,
    StepOwner,
    StepStatus,
)
from cases.models import (
    MINUTES_FINAL_MESSAGE,
    ActionStep,
    AftercareActivity,
    CaseChild,
    CaseJournalEntry,
    ConsentRecord,
    CtiCourse,
    CtiGoal,
    CtiReview,
    Disclosure,
    FollowUpAction,
    InformationGiven,
    NeedsAssessment,
    Referral,
    ShelterStay,
)
from cases.services import STEP_FIELDS
from core import dates
from core.choices import choice_labels
from core.html import escaped, translated_html
from core.paging import query_without_page
from core.reversing import UrlFiller


def form_error(form, error: ValidationError) -> None:
    """A service's refusal onto the form: on the field it names when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _errors_text(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


class CaseScreen(View):
    """One screen of a case, in the manner of pretalx's CRUDView with its permission and logging mixins.

    The URL names the case (or a conference of it), looked up in the user's own queryset so a foreign id
    is a 404. `view_perm` decides whether she sees the screen, `change_perm` whether its form is shown and
    accepted; both include the case's state, so a closed case shows no form and a form sent to it anyway
    is refused with the reason. Saving is one service call (`save`), which also writes the audit entry;
    the reading of the screen is audited once in `get`. The success message and the redirect follow.

    A POST-only action (`http_method_names = ["post"]`) of a screen inherits the screen: when its form has
    errors, the screen is shown again with that form, or, for a one-button action, its errors become a
    message on the screen it came from.
    """

    template_name = None
    form_class = None
    form_name = "form"
    view_perm = "cases.view_case"
    change_perm = "cases.change_case"
    audit_detail = ""
    success_message = None
    success_url_name = None
    errors_as_message = False
    # A screen that is only its form (a new risk assessment, a step to change) sends someone who may
    # read but not change the case back to the case's page, with the reason.
    form_only = False

    # Loading and rules

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.case = self.get_case()
        if not request.user.has_perm(self.view_perm, self.permission_object):
            raise Http404
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_case(self):
        return get_object_or_404(rules.cases_for(self.request.user), pk=self.kwargs["pk"])

    @property
    def permission_object(self):
        return self.case

    def get_object(self):
        return None

    @cached_property
    def may_change(self) -> bool:
        return self.request.user.has_perm(self.change_perm, self.permission_object)

    # Forms

    def get_form_kwargs(self) -> dict:
        return {}

    def get_form(self, data=None):
        if self.form_class is None or not self.may_change:
            return None
        return self.form_class(data, **self.get_form_kwargs())

    def save(self, form):
        raise NotImplementedError

    def service_kwargs(self) -> dict:
        return {"by": self.request.user, "request": self.request}

    # Answers

    def other_forms(self) -> dict:
        """The screen's other forms, unbound, shown next to its own when she may change the case."""
        return {}

    def get(self, request, *args, **kwargs):
        if self.form_only and not self.may_change:
            return self.refuse()
        services.record_viewed(by=request.user, obj=self.audited_object(), detail=self.audit_detail, request=request)
        return self.render(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form is None:
            return self.refuse()
        if form.is_valid():
            try:
                saved = self.save(form)
            except ValidationError as error:
                form_error(form, error)
            else:
                return self.form_saved(saved)
        if self.errors_as_message:
            messages.error(request, _errors_text(form))
            return HttpResponseRedirect(self.next_url() or self.page_url())
        return self.render(form)

    def form_saved(self, saved):
        message = self.get_success_message(saved)
        if message:
            messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url(saved))

    def refusal(self):
        """Why someone who may see this screen may not use its form, or None (she then gets a 404)."""
        return rules.why_refused(self.request.user, self.case)

    def refuse(self):
        reason = self.refusal()
        if reason is None:
            raise Http404
        messages.error(self.request, reason)
        return redirect(self.page_url())

    def audited_object(self):
        return self.object if self.object is not None else self.case

    def get_success_message(self, saved) -> str:
        return str(self.success_message or "")

    def next_url(self):
        """Where a button sent from another page (the caseload) returns to: a path on this site only."""
        url = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()}):
            return url
        return None

    def page_url(self) -> str:
        name = self.success_url_name or self.request.resolver_match.view_name
        return reverse(name, kwargs={"pk": self.kwargs["pk"]})

    def get_success_url(self, saved) -> str:
        return self.next_url() or self.page_url()

    def get_context_data(self, **kwargs) -> dict:
        return kwargs

    def render(self, form, status=200):
        context = {
            "case": self.case,
            "may_change": self.may_change,
            "reopen_allowed": self.request.user.has_perm("cases.reopen_case", self.case),
            self.form_name: form,
        }
        if self.may_change:
            for name, other in self.other_forms().items():
                context.setdefault(name, other)
        return render(self.request, self.template_name, self.get_context_data(**context), status=status)


# Cases


@login_required
def case_list(request):
    if not request.user.has_perm("cases.list_cases"):
        raise Http404
    status = request.GET.get("status", "open")
    page = Paginator(selectors.case_list_for(request.user, status=status), 50).get_page(request.GET.get("page"))
    cases = list(page.object_list)
    today = dates.today()
    # Links filled into one resolved pattern, labels translated once for the page: fifty rows of each.
    urls = UrlFiller()
    status_labels = choice_labels(CaseStatus.choices)
    risk_labels = choice_labels(RiskLevel.choices)
    for case in cases:
        case.url = urls("cases:case_detail", pk=case.pk)
        case.status_label = status_labels[case.status]
        case.risk_label = risk_labels.get(case.latest_level, case.latest_level) if case.latest_level else ""
        case.risk_overdue = case.latest_due is not None and case.latest_due < today
    services.records_listed(by=request.user, objects=cases, detail="case list", request=request)
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases,
            "page_obj": page,
            "query": query_without_page(request),
            "status": status,
            "may_add": request.user.has_perm("cases.add_case"),
            "may_see_dashboard": request.user.has_perm("cases.view_cti_dashboard"),
            "may_see_team": request.user.has_perm("cases.view_team_caseload"),
        },
    )


@login_required
def case_create(request):
    if not request.user.has_perm("cases.add_case"):
        raise Http404
    form = forms.CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                client=data["client"],
                lead_counselor=data["lead_counselor"],
                counselors=data["counselors"],
                opened_on=data["opened_on"],
                risk_review_weeks=data["risk_review_weeks"],
                project=data["project"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The case was opened."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form})


@login_required
def caseload(request):
    """Her caseload: her open cases and everything due in them, each item linking to where it is done and,
    where it can be, with the button that marks it done. A coordinator may look at anyone's caseload."""
    if not request.user.has_perm("cases.view_caseload"):
        raise Http404
    counselors = rules.caseload_counselors_for(request.user)
    filter_form = forms.CaseloadFilterForm(request.GET or None, counselors=counselors)
    counselor = filter_form.cleaned_data["counselor"] if filter_form.is_valid() else None
    load = selectors.caseload(user=request.user, counselor=counselor)
    services.records_listed(by=request.user, objects=load.cases, detail="caseload", request=request)
    return render(
        request,
        "cases/caseload.html",
        {"caseload": load, "filter_form": filter_form if counselors else None, "counselor": counselor},
    )


TEAM_LEADS_PER_PAGE = 10
# The soonest items of each lead counselor; the rest are on her caseload, one link away. Ten counselors with
# forty items each made a page of four hundred rows nobody reads on a phone.
TEAM_ITEMS_PER_LEAD = 5


@login_required
def team(request):
    """The team's open cases by lead counselor, a page of counselors at a time: for each, her open cases, how
    many of her items are overdue, the soonest items, and a link to her whole caseload. A coordinator's view."""
    if not request.user.has_perm("cases.view_team_caseload"):
        raise Http404
    leads = selectors.team_leads(user=request.user)
    page = Paginator(leads, TEAM_LEADS_PER_PAGE).get_page(request.GET.get("page"))
    load = selectors.caseload(user=request.user, team=True, leads=[lead.pk for lead in page.object_list])
    by_counselor = {lead.pk: [] for lead in page.object_list}
    for due in load.due:
        by_counselor[due.case.lead_counselor_id].append(due)
    caseload_url = reverse("cases:caseload")
    groups = []
    for lead in page.object_list:
        dues = by_counselor[lead.pk]
        if dues:
            groups.append(
                {
                    "lead": lead,
                    # Only the items shown are written out (links, buttons); the rest are counted.
                    "items": [due.item() for due in dues[:TEAM_ITEMS_PER_LEAD]],
                    "more": len(dues) - TEAM_ITEMS_PER_LEAD,
                    "overdue": sum(1 for due in dues if due.overdue),
                    "caseload_url": f"{caseload_url}?counselor={lead.pk}",
                }
            )
    # The cases whose clients the page names, no more.
    shown = {item.case.pk: item.case for group in groups for item in group["items"]}
    services.records_listed(by=request.user, objects=list(shown.values()), detail="team caseload", request=request)
    return render(
        request,
        "cases/team.html",
        {
            "caseload": load,
            "groups": groups,
            "page_obj": page,
            "open_cases": sum(lead.open_cases for lead in leads),
        },
    )


class CaseDetail(CaseScreen):
    template_name = "cases/case_detail.html"
    audit_detail = "case detail"

    def get_context_data(self, **kwargs):
        case = self.case
        latest_risk = selectors.risk_latest_brief(case=case)
        return {
            **kwargs,
            "counselors": list(case.counselors.select_related("user__profile")),
            "sessions": list(selectors.case_sessions(case=case)),
            "latest_risk": latest_risk,
            "risk_overdue": latest_risk is not None and latest_risk.next_due_on < dates.today(),
            "propose_conference": case.closed_on is None
            and selectors.conference_proposed(case=case, latest=latest_risk),
            "may_close": self.request.user.has_perm("cases.close_case", case),
            "may_reassign": self.request.user.has_perm("cases.reassign_case", case),
            "history": list(selectors.case_history(case=case)),
            "due_items": selectors.caseload_of_case(case=case, latest_risk=latest_risk).items,
        }


class CaseClose(CaseScreen):
    """Closing asks for the outcome, a reason and a confirmation that the case becomes read-only."""

    template_name = "cases/case_close.html"
    form_class = forms.CaseCloseForm
    form_only = True
    change_perm = "cases.close_case"
    audit_detail = "case close form"
    success_message = gettext_lazy("The case was closed. It is read-only until it is reopened.")
    success_url_name = "cases:case_detail"

    def save(self, form):
        data = form.cleaned_data
        return services.case_close(
            case=self.case,
            closed_on=data["closed_on"],
            outcome=data["outcome"],
            reason=data["reason"],
            **self.service_kwargs(),
        )

    def refuse(self):
        if self.case.closed_on is not None:
            messages.error(self.request, _("This case is already closed."))
            return redirect("cases:case_detail", pk=self.case.pk)
        raise Http404


class CaseHandover(CaseScreen):
    """A coordinator hands the case over: its lead counselor, its co-workers, and the reason."""

    template_name = "cases/case_handover.html"
    form_class = forms.CaseReassignForm
    form_only = True
    change_perm = "cases.reassign_case"
    audit_detail = "case handover form"
    success_message = gettext_lazy("The case was handed over; the counselors who joined it are told by email.")
    success_url_name = "cases:case_detail"

    def get_form_kwargs(self):
        return {
            "initial": {
                "lead_counselor": self.case.lead_counselor_id,
                "counselors": list(self.case.counselors.values_list("pk", flat=True)),
            }
        }

    def save(self, form):
        return services.case_reassign(case=self.case, **form.cleaned_data, **self.service_kwargs())


class CaseReopen(CaseScreen):
    template_name = "cases/case_reopen.html"
    form_class = forms.CaseReopenForm
    form_only = True
    change_perm = "cases.reopen_case"
    audit_detail = "case reopen form"
    success_message = gettext_lazy("The case was reopened.")
    success_url_name = "cases:case_detail"

    def save(self, form):
        return services.case_reopen(case=self.case, reason=form.cleaned_data["reason"], **self.service_kwargs())

    def refuse(self):
        if self.case.closed_on is None:
            messages.error(self.request, _("This case is open."))
            return redirect("cases:case_detail", pk=self.case.pk)
        raise Http404


# Needs


class Needs(CaseScreen):
    template_name = "cases/needs.html"
    form_class = forms.NeedsForm
    audit_detail = "needs"
    success_message = gettext_lazy("The needs assessment was saved.")

    @cached_property
    def latest(self):
        return selectors.needs_latest(case=self.case)

    def get_form_kwargs(self):
        return {"latest": self.latest}

    def save(self, form):
        return services.needs_assessment_record(
            case=self.case, assessed_on=form.cleaned_data["assessed_on"], needs=form.needs(), **self.service_kwargs()
        )

    def get_context_data(self, **kwargs):
        history = NeedsAssessment.objects.filter(case=self.case).select_related("assessed_by__profile")
        return {**kwargs, "latest": self.latest, "history": history}


# Risk


class RiskList(CaseScreen):
    template_name = "cases/risk_list.html"
    audit_detail = "risk history"

    def get_context_data(self, **kwargs):
        history = list(selectors.risk_history(case=self.case))
        latest = history[0] if history else None
        return {
            **kwargs,
            "history": history,
            "chart": selectors.risk_chart(history),
            "latest": latest,
            "latest_rows": selectors.risk_answer_rows(latest),
            "review_weeks": selectors.risk_review_weeks(case=self.case),
            "propose_conference": self.case.closed_on is None
            and selectors.conference_proposed(case=self.case, latest=latest),
            "today": dates.today(),
        }


class RiskCreate(CaseScreen):
    template_name = "cases/risk_form.html"
    form_class = forms.RiskForm
    form_only = True
    audit_detail = "risk form"
    success_url_name = "cases:risk_list"

    def save(self, form):
        return services.risk_assessment_record(
            case=self.case,
            assessed_on=form.cleaned_data["assessed_on"],
            answers=form.answers(),
            notes=form.cleaned_data["notes"],
            **form.judgement(),
            **self.service_kwargs(),
        )

    def get_success_message(self, saved):
        return _("Risk assessment saved: %(level)s (score %(score)s).") % {
            "level": saved.get_level_display(),
            "score": saved.score,
        }


# Plans as on a date


class AsOfMixin:
    """`?on=YYYY-MM-DD` shows the plan as it stood at the end of that day; a day no one could mean (year
    9999, year 1, garbage) gets the form's message and a 400, never a server error."""

    as_of_template = None

    def get(self, request, *args, **kwargs):
        if "on" not in request.GET:
            return super().get(request, *args, **kwargs)
        as_of_form = forms.AsOfForm(request.GET)
        if not as_of_form.is_valid():
            return self.render(self.get_form(), status=400, as_of_form=as_of_form)
        on = as_of_form.cleaned_data["on"]
        services.record_viewed(
            by=request.user,
            obj=self.audited_object(),
            detail=f"{self.audit_detail} as on {on:%Y-%m-%d}",
            request=request,
        )
        context = {"case": self.case, "on": on, "as_of_form": as_of_form, **self.as_of_context(on)}
        return render(request, self.as_of_template, context)

    def render(self, form, status=200, as_of_form=None):
        self.as_of_form = as_of_form or forms.AsOfForm()
        return super().render(form, status=status)


class SafetyPlanScreen(AsOfMixin, CaseScreen):
    template_name = "cases/safety_plan.html"
    as_of_template = "cases/safety_plan_as_of.html"
    form_class = forms.SafetyPlanForm
    audit_detail = "safety plan"
    success_message = gettext_lazy("The safety plan was saved.")

    def get_object(self):
        return selectors.safety_plan_of(case=self.case)

    def get_form_kwargs(self):
        plan = self.object
        initial = {section.value: getattr(plan, section.value) if plan else "" for section in SafetyPlanSection}
        return {"initial": {**initial, "version": plan.version if plan else 0}}

    def save(self, form):
        return services.safety_plan_save(
            case=self.case,
            sections=form.sections(),
            expected_version=form.cleaned_data["version"],
            **self.service_kwargs(),
        )

    def as_of_context(self, on):
        version, sections = selectors.safety_plan_as_of(plan=self.object, day=on) if self.object else (None, [])
        return {"version": version, "sections": sections}

    def get_context_data(self, **kwargs):
        versions = list(selectors.safety_plan_versions(plan=self.object)) if self.object else []
        labels = dict(SafetyPlanSection.choices)
        for version in versions:
            version.changed_labels = [labels.get(name, name) for name in version.changed_sections]
        plan_sections = selectors.safety_plan_sections(self.object) if self.object else []
        return {
            **kwargs,
            "plan": self.object,
            "plan_sections": plan_sections,
            "versions": versions,
            "as_of_form": self.as_of_form,
        }


class ActionPlanScreen(AsOfMixin, CaseScreen):
    template_name = "cases/action_plan.html"
    as_of_template = "cases/action_plan_as_of.html"
    form_class = forms.ActionStepAddForm
    audit_detail = "action plan"
    success_message = gettext_lazy("The step was added to the action plan.")

    def get_object(self):
        return selectors.action_plan_of(case=self.case)

    def get_form_kwargs(self):
        return {"initial": {"version": self.object.version if self.object else 0}}

    def save(self, form):
        return services.action_step_add(
            case=self.case, expected_version=form.cleaned_data["version"], **form.step_fields(), **self.service_kwargs()
        )

    def as_of_context(self, on):
        return {"steps": selectors.action_plan_as_of(plan=self.object, day=on) if self.object else []}

    def get_context_data(self, **kwargs):
        steps = list(selectors.action_steps_current(plan=self.object)) if self.object else []
        return {
            **kwargs,
            "plan": self.object,
            "steps": steps,
            "step_rows": self.step_rows(steps, may_change=kwargs.get("may_change")),
            "as_of_form": self.as_of_form,
        }

    def step_rows(self, steps, *, may_change) -> list[str]:
        """Each step as the plan's table row, written here: its labels looked up once for the plan, not
        through get_FOO_display, a filter and a tag per cell of forty steps."""
        urls, change = UrlFiller(), escaped(_("Change"))
        areas, owners, statuses = (
            choice_labels(ActionArea.choices),
            choice_labels(StepOwner.choices),
            choice_labels(StepStatus.choices),
        )
        rows = []
        for step in steps:
            owner = owners.get(step.owner, step.owner)
            who = escaped(owner)
            if step.owner_institution:
                who = f"{who}: {escaped(step.owner_institution)}"
            link = ""
            if may_change:
                edit = urls("cases:action_step_edit", pk=self.case.pk, step_pk=step.pk)
                link = f'<a href="{escaped(edit)}">{change}</a>'
            due = escaped(date_format(step.due_on, "DATE_FORMAT")) if step.due_on else "-"
            rows.append(
                mark_safe(  # noqa: S308  # nosec B308 B703 - every value escaped by `escaped`, as {{ }} would
                    f'<tr><th scope="row">{linebreaksbr(step.description, autoescape=True)}</th>'
                    f"<td>{escaped(areas.get(step.area, step.area))}</td><td>{who}</td><td>{due}</td>"
                    f"<td>{escaped(statuses.get(step.status, step.status))}</td><td>{link}</td></tr>\n"
                )
            )
        return rows


class ActionStepEdit(CaseScreen):
    template_name = "cases/action_step_form.html"
    form_class = forms.ActionStepForm
    form_only = True
    audit_detail = "action step"
    success_message = gettext_lazy("The step was saved.")
    success_url_name = "cases:action_plan"

    def get_form_kwargs(self):
        step = self.object
        initial = {name: getattr(step, name) for name in STEP_FIELDS}
        initial.update(version=step.plan.version, owner_institution=step.owner_institution_id)
        return {"initial": initial}

    def save(self, form):
        return services.action_step_change(
            step=self.object,
            expected_version=form.cleaned_data["version"],
            **form.step_fields(),
            **self.service_kwargs(),
        )

    def get_object(self):
        return get_object_or_404(
            ActionStep.objects.select_related("plan__case", "owner_institution"),
            pk=self.kwargs["step_pk"],
            plan__case=self.case,
            removed_at=None,
        )

    def other_forms(self):
        return {"remove_form": forms.VersionForm(initial={"version": self.object.plan.version})}

    def get_context_data(self, **kwargs):
        return {**kwargs, "step": self.object}


class ActionStepDone(ActionStepEdit):
    """The caseload's button: the step is done, as if its status were changed on its page."""

    http_method_names = ["post"]
    form_class = forms.VersionForm
    form_name = "done_form"
    success_message = gettext_lazy("The step is done.")
    errors_as_message = True

    def save(self, form):
        step = self.object
        fields = {name: getattr(step, name) for name in STEP_FIELDS}
        fields["status"] = StepStatus.DONE
        return services.action_step_change(
            step=step, expected_version=form.cleaned_data["version"], **fields, **self.service_kwargs()
        )


class ActionStepRemove(ActionStepEdit):
    http_method_names = ["post"]
    form_class = forms.VersionForm
    form_name = "remove_form"
    success_message = gettext_lazy("The step was removed; it stays in the plan's history.")
    errors_as_message = True

    def save(self, form):
        return services.action_step_remove(
            step=self.object, expected_version=form.cleaned_data["version"], **self.service_kwargs()
        )


class ActionPlanHistory(CaseScreen):
    template_name = "cases/action_plan_history.html"
    audit_detail = "action plan history"

    def get_object(self):
        return selectors.action_plan_of(case=self.case)

    def get_context_data(self, **kwargs):
        changes = list(selectors.action_plan_history(plan=self.object)) if self.object else []
        # Each label translated once for the page, not once per change that names it.
        field_labels = {name: str(ActionStep._meta.get_field(name).verbose_name) for name in STEP_FIELDS}
        kind_labels = choice_labels(StepChangeKind.choices)
        for change in changes:
            change.data = json.loads(change.snapshot) if change.snapshot else {}
            change.kind_label = kind_labels.get(change.kind, change.kind)
            change.changed_labels = ", ".join(
                field_labels[name] for name in change.changed_fields if name in field_labels
            )
        return {**kwargs, "plan": self.object, "changes": changes}


# Information given


class Information(CaseScreen):
    template_name = "cases/information.html"
    form_class = forms.InformationForm
    audit_detail = "information given"
    success_message = gettext_lazy("Recorded.")

    def save(self, form):
        return services.information_record(case=self.case, **form.cleaned_data, **self.service_kwargs())

    def get_context_data(self, **kwargs):
        records = InformationGiven.objects.filter(case=self.case).select_related("given_by__profile")
        return {**kwargs, "records": records}


# Consent


def _category_labels(values):
    return [DataCategory(value).label for value in values if value in DataCategory.values]


class Consents(CaseScreen):
    template_name = "cases/consents.html"
    form_class = forms.ConsentRecordForm
    audit_detail = "consents"
    success_message = gettext_lazy("The consent was recorded.")

    def save(self, form):
        return services.consent_record(case=self.case, **form.cleaned_data, **self.service_kwargs())

    def get_context_data(self, **kwargs):
        records = list(ConsentRecord.objects.filter(case=self.case).select_related("recipient", "recorded_by__profile"))
        today = dates.today()
        warning = today + dt.timedelta(days=selectors.casework_settings().consent_warning_days)
        for record in records:
            record.category_labels = _category_labels(record.categories)
            record.valid_today = record.is_valid_on(today)
            record.ends_soon = today <= record.valid_until <= warning
        return {**kwargs, "records": records}


class ConsentWithdraw(CaseScreen):
    """Her withdrawal of a consent: the consent, what was disclosed under it, and the form with the date,
    her reason and whether she asks that the recipient is told."""

    template_name = "cases/consent_withdraw.html"
    form_class = forms.ConsentWithdrawForm
    audit_detail = "consent withdrawal"
    success_message = gettext_lazy("The consent was withdrawn. Nothing more is shared on its ground.")
    success_url_name = "cases:consents"

    def get_object(self):
        return get_object_or_404(
            ConsentRecord.objects.select_related("recipient"), pk=self.kwargs["consent_pk"], case=self.case
        )

    def get_form(self, data=None):
        return None if self.object.withdrawn_on else super().get_form(data)

    def post(self, request, *args, **kwargs):
        if self.object.withdrawn_on and self.may_change:
            messages.error(request, _("This consent was already withdrawn."))
            return redirect(self.page_url())
        return super().post(request, *args, **kwargs)

    def save(self, form):
        data = form.cleaned_data
        return services.consent_withdraw(
            consent=self.object,
            withdrawn_on=data["withdrawn_on"],
            reason=data["reason"],
            tell_recipient=data["tell_recipient"],
            **self.service_kwargs(),
        )

    def get_context_data(self, **kwargs):
        consent = self.object
        consent.category_labels = _category_labels(consent.categories)
        return {**kwargs, "consent": consent, "disclosed": list(selectors.disclosures_under(consent=consent))}


class ConsentAction(CaseScreen):
    """A button on the caseload or the consents page: the recipient was told, or the end was checked."""

    http_method_names = ["post"]
    template_name = "cases/consents.html"
    success_url_name = "cases:consents"
    errors_as_message = True

    def get_object(self):
        return get_object_or_404(ConsentRecord, pk=self.kwargs["consent_pk"], case=self.case)


class ConsentRecipientTold(ConsentAction):
    form_class = forms.ConsentToldForm
    success_message = gettext_lazy("Recorded: the recipient was told of the withdrawal.")

    def save(self, form):
        return services.consent_recipient_told(
            consent=self.object, told_on=form.cleaned_data["told_on"], **self.service_kwargs()
        )


class ConsentExpiryChecked(ConsentAction):
    form_class = forms.ConfirmForm
    success_message = gettext_lazy("Recorded: you asked her whether to renew the consent.")

    def save(self, form):
        return services.consent_expiry_checked(consent=self.object, **self.service_kwargs())


# Disclosures


def case_summary(*, case, categories) -> dict:
    """Only the categories she agreed to (or the override covers) go into the summary."""
    wanted = set(categories)
    summary = {"case": case, "categories": _category_labels(sorted(wanted))}
    if DataCategory.IDENTITY in wanted:
        summary["identity"] = case.client
    if DataCategory.CHILDREN in wanted:
        summary["show_children"] = True
        summary["children_count"] = case.client.children_count
        summary["children"] = list(CaseChild.objects.filter(case=case))
    if DataCategory.NEEDS in wanted:
        summary["needs"] = selectors.needs_latest(case=case)
    if DataCategory.RISK in wanted:
        latest = selectors.risk_latest(case=case)
        summary["risk"] = latest
        summary["risk_yes"] = selectors.risk_yes_rows(latest)
    if DataCategory.SAFETY_PLAN in wanted:
        plan = selectors.safety_plan_of(case=case)
        summary["safety_plan"] = selectors.safety_plan_sections(plan) if plan else []
    if DataCategory.ACTION_PLAN in wanted:
        plan = selectors.action_plan_of(case=case)
        summary["action_steps"] = list(selectors.action_steps_current(plan=plan)) if plan else []
    if DataCategory.SESSIONS in wanted:
        summary["sessions"] = list(selectors.case_sessions(case=case))
    return summary


class Disclosures(CaseScreen):
    template_name = "cases/disclosures.html"
    form_class = forms.DisclosureForm
    audit_detail = "disclosures"

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def save(self, form):
        data = form.cleaned_data
        return services.disclosure_record(
            case=self.case,
            recipient=data["recipient"],
            categories=data["categories"],
            format=data["format"],
            override_reason=data.get("override_reason", ""),
            **self.service_kwargs(),
        )

    def form_saved(self, disclosure):
        summary = case_summary(case=self.case, categories=disclosure.categories)
        summary.update({"disclosure": disclosure, "recipient": disclosure.recipient})
        if disclosure.format == DisclosureFormat.PDF:
            from cases.exports import case_summary_pdf_response

            return case_summary_pdf_response(summary)
        return render(self.request, "cases/case_summary_print.html", summary)

    def get_context_data(self, **kwargs):
        log = list(
            Disclosure.objects.filter(case=self.case).select_related("recipient", "disclosed_by__profile", "consent")
        )
        for entry in log:
            entry.category_labels = _category_labels(entry.categories)
        return {**kwargs, "log": log}


# Referrals


class Referrals(CaseScreen):
    template_name = "cases/referrals.html"
    form_class = forms.ReferralForm
    audit_detail = "referrals"
    success_message = gettext_lazy("The referral was recorded and the disclosure logged.")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def save(self, form):
        data = form.cleaned_data
        return services.referral_send(
            case=self.case,
            institution=data["institution"],
            categories=data["categories"],
            reason=data["reason"],
            sent_on=data["sent_on"],
            override_reason=data.get("override_reason", ""),
            **self.service_kwargs(),
        )

    def get_success_url(self, saved):
        return reverse("cases:referral_detail", kwargs={"pk": self.case.pk, "referral_pk": saved.pk})

    def get_context_data(self, **kwargs):
        records = Referral.objects.filter(case=self.case).select_related("institution")
        return {**kwargs, "records": records}


class ReferralDetail(CaseScreen):
    template_name = "cases/referral_detail.html"
    form_class = forms.ReferralUpdateForm
    audit_detail = "referral"
    success_message = gettext_lazy("The referral was updated.")

    def get_object(self):
        return get_object_or_404(
            Referral.objects.select_related("institution", "case"), pk=self.kwargs["referral_pk"], case=self.case
        )

    def get_form_kwargs(self):
        return {"initial": {"status": self.object.status, "outcome": self.object.outcome}}

    def save(self, form):
        return services.referral_update(referral=self.object, **form.cleaned_data, **self.service_kwargs())

    def page_url(self):
        return reverse("cases:referral_detail", kwargs={"pk": self.case.pk, "referral_pk": self.object.pk})

    def get_context_data(self, **kwargs):
        referral = self.object
        latest = selectors.risk_latest(case=self.case) if DataCategory.RISK in referral.categories else None
        return {
            **kwargs,
            "referral": referral,
            "history": list(selectors.referral_history(referral=referral)),
            "category_labels": _category_labels(referral.categories),
            "risk": latest,
            "risk_yes": selectors.risk_yes_rows(latest),
        }


# Aftercare


class Aftercare(CaseScreen):
    """Her shelter stays and the aftercare planned after them; planned activities are marked held or missed."""

    template_name = "cases/aftercare.html"
    form_class = forms.AftercareForm
    audit_detail = "aftercare"
    success_message = gettext_lazy("The activity was recorded.")
    success_url_name = "cases:aftercare"

    def get_form_kwargs(self):
        return {"stays": ShelterStay.objects.filter(case=self.case).select_related("shelter")}

    def save(self, form):
        return services.aftercare_record(case=self.case, **form.cleaned_data, **self.service_kwargs())

    def other_forms(self):
        return {
            "form": forms.AftercareForm(**Aftercare.get_form_kwargs(self)),
            "stay_form": forms.ShelterStayForm(),
        }

    def get_context_data(self, **kwargs):
        activities = list(
            AftercareActivity.objects.filter(case=self.case).select_related("recorded_by__profile", "stay__shelter")
        )
        return {
            **kwargs,
            "activities": activities,
            "stays": ShelterStay.objects.filter(case=self.case).select_related("shelter"),
            "today": dates.today(),
        }


class ShelterStayAdd(Aftercare):
    http_method_names = ["post"]
    form_class = forms.ShelterStayForm
    form_name = "stay_form"
    success_message = gettext_lazy("The shelter stay was recorded.")

    def get_form_kwargs(self):
        return {}

    def save(self, form):
        return services.shelter_stay_record(case=self.case, **form.cleaned_data, **self.service_kwargs())


class AftercareMark(Aftercare):
    http_method_names = ["post"]
    form_class = forms.MarkForm
    form_name = "mark_form"
    errors_as_message = True
    success_message = gettext_lazy("The activity was marked.")

    def get_object(self):
        return get_object_or_404(AftercareActivity, pk=self.kwargs["activity_pk"], case=self.case)

    def get_form_kwargs(self):
        return {}

    def save(self, form):
        return services.aftercare_mark(
            activity=self.object, status=form.cleaned_data["status"], **self.service_kwargs()
        )


# Children


class Children(CaseScreen):
    """Her children, pseudonymous: a label, an age band and the support each receives."""

    template_name = "cases/children.html"
    form_class = forms.ChildAddForm
    audit_detail = "children"
    success_message = gettext_lazy("The child was recorded.")

    def save(self, form):
        return services.child_record(case=self.case, **form.cleaned_data, **self.service_kwargs())

    def get_context_data(self, **kwargs):
        children = list(CaseChild.objects.filter(case=self.case))
        support = dict(ChildSupport.choices)
        for child in children:
            child.support_labels = [support.get(value, value) for value in child.support]
        return {**kwargs, "children": children}


class ChildEdit(CaseScreen):
    template_name = "cases/child_form.html"
    form_class = forms.ChildForm
    form_only = True
    audit_detail = "child"
    success_message = gettext_lazy("The child's record was saved.")
    success_url_name = "cases:children"

    def get_object(self):
        return get_object_or_404(CaseChild, pk=self.kwargs["child_pk"], case=self.case)

    def get_form_kwargs(self):
        child = self.object
        return {"initial": {name: getattr(child, name) for name in ("label", "age_band", "support", "notes")}}

    def save(self, form):
        return services.child_update(child=self.object, **form.cleaned_data, **self.service_kwargs())

    def get_context_data(self, **kwargs):
        return {**kwargs, "child": self.object}


# Journal


class Journal(CaseScreen):
    """The case's running record: dated, signed entries; corrections are new entries, never edits."""

    template_name = "cases/journal.html"
    form_class = forms.JournalEntryForm
    audit_detail = "journal"
    success_message = gettext_lazy("The entry was added to the journal.")

    def save(self, form):
        return services.journal_entry_add(case=self.case, **form.cleaned_data, **self.service_kwargs())

    def get_context_data(self, **kwargs):
        return {**kwargs, "entries": list(selectors.journal_entries(case=self.case))}


class JournalCorrect(CaseScreen):
    template_name = "cases/journal_correct.html"
    form_class = forms.JournalEntryForm
    form_only = True
    audit_detail = "journal entry"
    success_message = gettext_lazy("The correction was added; the entry it corrects stays as written.")
    success_url_name = "cases:journal"

    def get_object(self):
        return get_object_or_404(
            CaseJournalEntry.objects.select_related("written_by__profile"), pk=self.kwargs["entry_pk"], case=self.case
        )

    def get_form_kwargs(self):
        entry = self.object
        return {"initial": {"kind": entry.kind, "occurred_at": dates.local_time(entry.occurred_at), "text": entry.text}}

    def save(self, form):
        return services.journal_entry_add(
            case=self.case, corrects=self.object, **form.cleaned_data, **self.service_kwargs()
        )

    def get_context_data(self, **kwargs):
        return {**kwargs, "entry": self.object}


# CTI


class Cti(CaseScreen):
    """The course's dates, its phases with their goals and reviews; goals and reviews are added by the
    POST-only screens below, which show this page again with their form when it has errors."""

    template_name = "cases/cti.html"
    form_class = forms.CtiCourseForm
    form_name = "course_form"
    audit_detail = "CTI course"
    success_message = gettext_lazy("The CTI course was saved.")
    success_url_name = "cases:cti"

    @cached_property
    def course(self):
        return CtiCourse.objects.filter(case=self.case).prefetch_related("goals", "reviews").first()

    def get_form_kwargs(self):
        names = ("start_on", "moved_out_on", "moved_in_on", "extension_reason", "ended_on")
        return {"initial": {name: getattr(self.course, name) for name in names} if self.course else {}}

    def save(self, form):
        return services.cti_course_save(case=self.case, **form.cleaned_data, **self.service_kwargs())

    @cached_property
    def timeline(self):
        return selectors.cti_timeline(self.course) if self.course else None

    def other_forms(self):
        return {
            "course_form": forms.CtiCourseForm(**Cti.get_form_kwargs(self)),
            "goal_form": forms.CtiGoalForm(initial={"phase": self.timeline.current_phase} if self.timeline else None),
            "review_form": forms.CtiReviewForm(),
            "goal_status_form": forms.CtiGoalStatusForm(),
            "mark_form": forms.MarkForm(),
        }

    def get_context_data(self, **kwargs):
        return {**kwargs, "course": self.course, "timeline": self.timeline}


class CtiRecordAdd(Cti):
    http_method_names = ["post"]

    def get_object(self):
        return get_object_or_404(CtiCourse, case=self.case)

    def get_form_kwargs(self):
        return {}


class CtiGoalAdd(CtiRecordAdd):
    form_class = forms.CtiGoalForm
    form_name = "goal_form"
    success_message = gettext_lazy("The goal was added.")

    def save(self, form):
        return services.cti_goal_add(course=self.object, **form.cleaned_data, **self.service_kwargs())


class CtiReviewAdd(CtiRecordAdd):
    form_class = forms.CtiReviewForm
    form_name = "review_form"
    success_message = gettext_lazy("The review was added.")

    def save(self, form):
        return services.cti_review_add(course=self.object, **form.cleaned_data, **self.service_kwargs())


class CtiReviewMark(CtiRecordAdd):
    form_class = forms.MarkForm
    form_name = "mark_form"
    success_message = gettext_lazy("The review was marked.")
    errors_as_message = True

    def get_object(self):
        return get_object_or_404(
            CtiReview.objects.select_related("course__case"), pk=self.kwargs["review_pk"], course__case=self.case
        )

    def save(self, form):
        return services.cti_review_mark(review=self.object, status=form.cleaned_data["status"], **self.service_kwargs())


class CtiGoalStatus(CtiRecordAdd):
    form_class = forms.CtiGoalStatusForm
    form_name = "goal_status_form"
    success_message = gettext_lazy("The goal was updated.")
    errors_as_message = True

    def get_object(self):
        return get_object_or_404(
            CtiGoal.objects.select_related("course__case"), pk=self.kwargs["goal_pk"], course__case=self.case
        )

    def save(self, form):
        return services.cti_goal_status_set(
            goal=self.object, status=form.cleaned_data["status"], **self.service_kwargs()
        )


@login_required
def cti_dashboard(request):
    if not request.user.has_perm("cases.view_cti_dashboard"):
        raise Http404
    dashboard = selectors.cti_dashboard(user=request.user, page=request.GET.get("page"))
    services.records_listed(by=request.user, objects=dashboard.shown_courses, detail="CTI dashboard", request=request)
    # Each course's card and each phase change's row written once here: a link, a date and a sentence for
    # each of a hundred courses were most of the page through the template.
    urls, day = UrlFiller(), cache(partial(date_format, format="DATE_FORMAT"))  # each date formatted once

    started, starts, ends = _("started %(date)s"), _("Starts %(label)s"), _("Course ends")
    phases = [
        (
            number,
            label,
            [
                mark_safe(  # noqa: S308  # nosec B308 B703 - every value escaped by `escaped`, as {{ }} would
                    f'<li class="card"><a href="{escaped(urls("cases:cti", pk=course.case_id))}">'
                    f"{escaped(course.client_code)}</a> · {escaped(course.lead_name)} · "
                    f"{translated_html(started, date=day(course.start_on))}</li>"
                )
                for course in dashboard.by_phase.get(number, [])
            ],
            dashboard.phase_totals[number],
        )
        for number, label in [(1, _("Phase 1")), (2, _("Phase 2")), (3, _("Phase 3")), (0, _("Not yet started"))]
    ]
    due_soon = [
        mark_safe(  # noqa: S308  # nosec B308 B703 - every value escaped by `escaped`, as {{ }} would
            f'<tr><th scope="row">{escaped(day(row["on"]))}</th>'
            f'<td><a href="{escaped(urls("cases:cti", pk=row["course"].case_id))}">'
            f"{escaped(row['course'].client_code)}</a></td>"
            f"<td>{translated_html(starts, label=row['label']) if row['label'] else escaped(ends)}</td>"
            f"<td>{escaped(row['course'].lead_name)}</td></tr>"
        )
        for row in dashboard.due_soon
    ]
    return render(
        request,
        "cases/cti_dashboard.html",
        {
            "dashboard": dashboard,
            "phases": phases,
            "due_soon": due_soon,
            "page_obj": dashboard.page,
            "query": query_without_page(request),
            "due_soon_limit": selectors.CTI_DUE_SOON_LIMIT,
        },
    )


# Case conferences


class Conferences(CaseScreen):
    template_name = "cases/conferences.html"
    form_class = forms.ConferenceCreateForm
    audit_detail = "case conferences"
    success_message = gettext_lazy("The case conference was recorded.")

    def save(self, form):
        return services.conference_schedule(case=self.case, **form.cleaned_data, **self.service_kwargs())

    def get_success_url(self, saved):
        return reverse("cases:conference_detail", kwargs={"pk": saved.pk})

    def get_context_data(self, **kwargs):
        records = rules.conferences_for(self.request.user).filter(case=self.case)
        return {**kwargs, "records": records}


class ConferenceScreen(CaseScreen):
    """A conference's page: the URL names the conference; invited staff read it, the case's counselors and
    coordinators change it while the case is open."""

    template_name = "cases/conference_detail.html"
    form_class = forms.ConferenceForm
    view_perm = "cases.view_caseconference"
    change_perm = "cases.change_caseconference"
    audit_detail = "case conference"
    success_message = gettext_lazy("The case conference was saved.")

    def get_case(self):
        self.conference = get_object_or_404(rules.conferences_for(self.request.user), pk=self.kwargs["pk"])
        return self.conference.case

    @property
    def permission_object(self):
        return self.conference

    def audited_object(self):
        return self.conference

    # Final minutes keep the participants and the decisions as they were at the meeting.
    frozen_by_final_minutes = True

    def get_form(self, data=None):
        if self.frozen_by_final_minutes and self.conference.minutes_final_at:
            return None
        return super().get_form(data)

    def refusal(self):
        if self.may_change and self.conference.minutes_final_at:
            return MINUTES_FINAL_MESSAGE
        return super().refusal()

    def get_form_kwargs(self):
        conference = self.conference
        return {
            "initial": {
                "held_at": dates.local_time(conference.held_at),
                "place": conference.place,
                "status": conference.status,
                "agenda": conference.agenda,
                "decisions": conference.decisions,
                "invited_staff": list(conference.invited_staff.all()),
            }
        }

    def save(self, form):
        return services.conference_update(conference=self.conference, **form.cleaned_data, **self.service_kwargs())

    def page_url(self):
        return reverse("cases:conference_detail", kwargs={"pk": self.conference.pk})

    def other_forms(self):
        final = self.conference.minutes_final_at is not None
        return {
            "form": None if final else forms.ConferenceForm(**ConferenceScreen.get_form_kwargs(self)),
            "participant_form": None if final else forms.ParticipantForm(),
            "follow_up_form": forms.FollowUpForm(),
        }

    def get_context_data(self, **kwargs):
        conference = selectors.conference_detail(conference=self.conference)
        if conference.minutes_final_at:
            latest = conference.risk_assessment  # the assessment discussed, frozen with the minutes
        else:
            latest = selectors.risk_latest_on(case=conference.case, day=dates.local_date(conference.held_at))
        return {
            **kwargs,
            "conference": conference,
            "decisions": list(selectors.conference_decisions(conference=conference)),
            "finalise_form": forms.FinaliseForm() if self.may_change and not conference.minutes_final_at else None,
            "may_see_case": self.request.user.has_perm("cases.view_case", conference.case),
            "risk": latest,
            "risk_yes": selectors.risk_yes_rows(latest),
            "today": dates.today(),
        }


class ConferenceParticipantAdd(ConferenceScreen):
    http_method_names = ["post"]
    form_class = forms.ParticipantForm
    form_name = "participant_form"
    success_message = gettext_lazy("The participant was added.")

    def save(self, form):
        return services.conference_participant_add(
            conference=self.conference, **form.cleaned_data, **self.service_kwargs()
        )


class ConferenceFollowUpAdd(ConferenceScreen):
    http_method_names = ["post"]
    frozen_by_final_minutes = False
    form_class = forms.FollowUpForm
    form_name = "follow_up_form"
    success_message = gettext_lazy("The follow-up action was added.")

    def save(self, form):
        return services.follow_up_add(conference=self.conference, **form.cleaned_data, **self.service_kwargs())


class ConferenceFollowUpDone(ConferenceScreen):
    http_method_names = ["post"]
    frozen_by_final_minutes = False
    form_class = forms.FollowUpDoneForm
    form_name = "follow_up_done_form"
    errors_as_message = True

    def get_object(self):
        return get_object_or_404(FollowUpAction, pk=self.kwargs["action_pk"], conference=self.conference)

    def save(self, form):
        return services.follow_up_mark_done(action=self.object, done=form.cleaned_data["done"], **self.service_kwargs())


class ConferenceFinalise(ConferenceScreen):
    http_method_names = ["post"]
    form_class = forms.FinaliseForm
    form_name = "finalise_form"
    errors_as_message = True
    success_message = gettext_lazy("The minutes are final.")

    def save(self, form):
        return services.conference_minutes_finalise(conference=self.conference, **self.service_kwargs())


class ConferenceMinutes(ConferenceScreen):
    """The minutes as read in-house; printing or sending them to another body is a disclosure, through the
    consent gate, and the printed copy names the recipient and the ground."""

    template_name = "cases/conference_minutes.html"
    form_class = forms.MinutesDiscloseForm
    form_name = "disclose_form"
    audit_detail = "case conference minutes"
    frozen_by_final_minutes = False

    def get_form(self, data=None):
        return super().get_form(data) if self.conference.minutes_final_at else None

    def refusal(self):
        if self.may_change and not self.conference.minutes_final_at:
            return _("Only final minutes can be printed or sent.")
        return super().refusal()

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def other_forms(self):
        return {}

    def save(self, form):
        return services.conference_minutes_disclose(
            conference=self.conference,
            recipient=form.cleaned_data["recipient"],
            override_reason=form.cleaned_data.get("override_reason", ""),
            **self.service_kwargs(),
        )

    def form_saved(self, disclosure):
        return self.render(None, disclosure=disclosure)

    def render(self, form, status=200, disclosure=None):
        self.disclosure = disclosure
        return super().render(form, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conference = context["conference"]
        risk = conference.risk_assessment if conference.minutes_final_at else context["risk"]
        context.update(risk=risk, risk_yes=selectors.risk_yes_rows(risk), disclosure=self.disclosure)
        return context
