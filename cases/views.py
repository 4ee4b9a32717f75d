import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many
from cases import forms, selectors, services
from cases.enums import DataCategory, DisclosureFormat, SafetyPlanSection
from cases.models import (
    ActionPlan,
    ActionStep,
    AftercareActivity,
    ConsentRecord,
    CtiCourse,
    CtiGoal,
    Disclosure,
    FollowUpAction,
    InformationGiven,
    NeedsAssessment,
    Referral,
    SafetyPlan,
)
from cases.services import STEP_FIELDS
from core import dates


def _audit(request, action, obj, detail):
    audit_record(actor=request.user, action=action, obj=obj, request=request, detail=detail)


def _case(request, pk, perm="cases.view_case"):
    case = get_object_or_404(selectors.cases_for(request.user), pk=pk)
    if not request.user.has_perm(perm, case):
        raise Http404
    return case


def case_view(perm="cases.view_case"):
    """Load the case scoped to the user (a foreign id is a 404) and pass it on instead of its id."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            return view(request, _case(request, pk, perm), *args, **kwargs)

        return wrapper

    return decorator


def _attempt(form, func):
    """Run a service; its ValidationError lands on the form and nothing is saved."""
    try:
        return func()
    except ValidationError as error:
        form.add_error(None, error)
        return None


# Cases


@login_required
def case_list(request):
    if not request.user.has_perm("cases.list_cases"):
        raise Http404
    status = request.GET.get("status", "open")
    page = Paginator(selectors.case_list_for(request.user, status=status), 50).get_page(request.GET.get("page"))
    cases = list(page.object_list)
    today = dates.today()
    for case in cases:
        case.latest_risk = case.risk_history[0] if case.risk_history else None
        case.risk_overdue = case.latest_risk is not None and case.latest_risk.next_due_on < today
    audit_record_many(actor=request.user, action=AuditAction.VIEW, objects=cases, request=request, detail="case list")
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases,
            "page_obj": page,
            "status": status,
            "may_add": request.user.has_perm("cases.add_case"),
            "may_see_dashboard": request.user.has_perm("cases.view_cti_dashboard"),
        },
    )


@login_required
def case_create(request):
    if not request.user.has_perm("cases.add_case"):
        raise Http404
    form = forms.CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = _attempt(
            form,
            lambda: services.case_open(
                client=data["client"],
                lead_counselor=data["lead_counselor"],
                counselors=data["counselors"],
                opened_on=data["opened_on"],
                risk_review_weeks=data["risk_review_weeks"],
                by=request.user,
            ),
        )
        if case:
            _audit(request, AuditAction.CREATE, case, "case opened")
            messages.success(request, _("The case was opened."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form})


@case_view()
def case_detail(request, case):
    latest_risk = selectors.risk_latest(case=case)
    today = dates.today()
    sessions = list(selectors.case_sessions(case=case))
    _audit(request, AuditAction.VIEW, case, "case detail")
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "counselors": list(case.counselors.select_related("user__profile")),
            "sessions": sessions,
            "latest_risk": latest_risk,
            "risk_overdue": latest_risk is not None and latest_risk.next_due_on < today,
            "propose_conference": selectors.conference_proposed(case=case, latest=latest_risk),
            "close_form": forms.CaseCloseForm(initial={"closed_on": today}),
            "may_change": request.user.has_perm("cases.change_case", case),
        },
    )


@require_POST
@case_view("cases.change_case")
def case_close(request, case):
    form = forms.CaseCloseForm(request.POST)
    if form.is_valid() and _attempt(
        form, lambda: services.case_close(case=case, closed_on=form.cleaned_data["closed_on"], by=request.user)
    ):
        _audit(request, AuditAction.CHANGE, case, "case closed")
        messages.success(request, _("The case was closed."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("cases:case_detail", pk=case.pk)


# Needs


@case_view()
def needs(request, case):
    latest = selectors.needs_latest(case=case)
    form = forms.NeedsForm(request.POST or None, latest=latest)
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid():
            assessment = _attempt(
                form,
                lambda: services.needs_assessment_record(
                    case=case, assessed_on=form.cleaned_data["assessed_on"], needs=form.needs(), by=request.user
                ),
            )
            if assessment:
                _audit(request, AuditAction.CREATE, assessment, "needs assessment")
                messages.success(request, _("The needs assessment was saved."))
                return redirect("cases:needs", pk=case.pk)
    history = NeedsAssessment.objects.filter(case=case).select_related("assessed_by__profile")
    _audit(request, AuditAction.VIEW, case, "needs")
    return render(request, "cases/needs.html", {"case": case, "form": form, "latest": latest, "history": history})


# Risk


@case_view()
def risk_list(request, case):
    history = list(selectors.risk_history(case=case))
    latest = history[0] if history else None
    _audit(request, AuditAction.VIEW, case, "risk history")
    return render(
        request,
        "cases/risk_list.html",
        {
            "case": case,
            "history": history,
            "latest": latest,
            "latest_rows": selectors.risk_answer_rows(latest),
            "review_weeks": selectors.risk_review_weeks(case=case),
            "propose_conference": selectors.conference_proposed(case=case, latest=latest),
            "today": dates.today(),
        },
    )


@case_view("cases.change_case")
def risk_create(request, case):
    form = forms.RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment = _attempt(
            form,
            lambda: services.risk_assessment_record(
                case=case,
                assessed_on=form.cleaned_data["assessed_on"],
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
                by=request.user,
            ),
        )
        if assessment:
            _audit(request, AuditAction.CREATE, assessment, "risk assessment")
            messages.success(
                request,
                _("Risk assessment saved: %(level)s (score %(score)s).")
                % {"level": assessment.get_level_display(), "score": assessment.score},
            )
            return redirect("cases:risk_list", pk=case.pk)
    return render(request, "cases/risk_form.html", {"case": case, "form": form})


# Safety plan


def _as_of(request):
    if "on" not in request.GET:
        return None, forms.AsOfForm()
    form = forms.AsOfForm(request.GET)
    return (form.cleaned_data["on"] if form.is_valid() else None), form


@case_view()
def safety_plan(request, case):
    plan, _created = SafetyPlan.objects.get_or_create(case=case)
    on, as_of_form = _as_of(request)
    if on:
        version, sections = selectors.safety_plan_as_of(plan=plan, day=on)
        _audit(request, AuditAction.VIEW, plan, f"safety plan as on {on:%Y-%m-%d}")
        return render(
            request,
            "cases/safety_plan_as_of.html",
            {"case": case, "on": on, "version": version, "sections": sections, "as_of_form": as_of_form},
        )
    initial = {section.value: getattr(plan, section.value) for section in SafetyPlanSection}
    form = forms.SafetyPlanForm(request.POST or None, initial={**initial, "version": plan.version})
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid():
            saved = _attempt(
                form,
                lambda: services.safety_plan_save(
                    case=case,
                    sections=form.sections(),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                ),
            )
            if saved:
                _audit(request, AuditAction.CHANGE, saved, f"safety plan v{saved.version}")
                messages.success(request, _("The safety plan was saved."))
                return redirect("cases:safety_plan", pk=case.pk)
    versions = list(selectors.safety_plan_versions(plan=plan))
    labels = dict(SafetyPlanSection.choices)
    for version in versions:
        version.changed_labels = [labels.get(name, name) for name in version.changed_sections]
    _audit(request, AuditAction.VIEW, plan, "safety plan")
    return render(
        request,
        "cases/safety_plan.html",
        {
            "case": case,
            "plan": plan,
            "form": form,
            "as_of_form": as_of_form,
            "versions": versions,
        },
    )


# Action plan


def _action_plan_page(request, case, plan, form, status=200):
    return render(
        request,
        "cases/action_plan.html",
        {
            "case": case,
            "plan": plan,
            "steps": list(selectors.action_steps_current(plan=plan)),
            "form": form,
            "as_of_form": forms.AsOfForm(),
        },
        status=status,
    )


@case_view()
def action_plan(request, case):
    plan = ActionPlan.objects.get_or_create(case=case)[0]
    on, as_of_form = _as_of(request)
    if on:
        _audit(request, AuditAction.VIEW, plan, f"action plan as on {on:%Y-%m-%d}")
        return render(
            request,
            "cases/action_plan_as_of.html",
            {"case": case, "on": on, "steps": selectors.action_plan_as_of(plan=plan, day=on), "as_of_form": as_of_form},
        )
    form = forms.ActionStepAddForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid():
            step = _attempt(
                form,
                lambda: services.action_step_add(
                    case=case, expected_version=form.cleaned_data["version"], by=request.user, **form.step_fields()
                ),
            )
            if step:
                _audit(request, AuditAction.CREATE, step, "action step added")
                messages.success(request, _("The step was added to the action plan."))
                return redirect("cases:action_plan", pk=case.pk)
    _audit(request, AuditAction.VIEW, plan, "action plan")
    return _action_plan_page(request, case, plan, form)


@case_view("cases.change_case")
def action_step_edit(request, case, step_pk):
    step = get_object_or_404(ActionStep.objects.select_related("plan"), pk=step_pk, plan__case=case, removed_at=None)
    initial = {
        "version": step.plan.version,
        "area": step.area,
        "description": step.description,
        "owner": step.owner,
        "owner_institution": step.owner_institution_id,
        "due_on": step.due_on,
        "status": step.status,
    }
    form = forms.ActionStepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            lambda: services.action_step_change(
                step=step, expected_version=form.cleaned_data["version"], by=request.user, **form.step_fields()
            ),
        )
        if saved:
            _audit(request, AuditAction.CHANGE, step, "action step changed")
            messages.success(request, _("The step was saved."))
            return redirect("cases:action_plan", pk=case.pk)
    _audit(request, AuditAction.VIEW, step, "action step")
    remove_form = forms.VersionForm(initial={"version": step.plan.version})
    return render(
        request, "cases/action_step_form.html", {"case": case, "step": step, "form": form, "remove_form": remove_form}
    )


@require_POST
@case_view("cases.change_case")
def action_step_remove(request, case, step_pk):
    step = get_object_or_404(ActionStep.objects.select_related("plan"), pk=step_pk, plan__case=case, removed_at=None)
    form = forms.VersionForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.action_step_remove(step=step, expected_version=form.cleaned_data["version"], by=request.user),
    ):
        _audit(request, AuditAction.DELETE, step, "action step removed")
        messages.success(request, _("The step was removed; it stays in the plan's history."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("cases:action_plan", pk=case.pk)


@case_view()
def action_plan_history(request, case):
    plan = ActionPlan.objects.get_or_create(case=case)[0]
    changes = list(selectors.action_plan_history(plan=plan))
    for change in changes:
        change.data = json.loads(change.snapshot)
        change.changed_labels = [
            str(ActionStep._meta.get_field(name).verbose_name) for name in change.changed_fields if name in STEP_FIELDS
        ]
    _audit(request, AuditAction.VIEW, plan, "action plan history")
    return render(request, "cases/action_plan_history.html", {"case": case, "plan": plan, "changes": changes})


# Information given


@case_view()
def information(request, case):
    form = forms.InformationForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid():
            rows = _attempt(
                form,
                lambda: services.information_record(
                    case=case,
                    topics=form.cleaned_data["topics"],
                    given_on=form.cleaned_data["given_on"],
                    notes=form.cleaned_data["notes"],
                    by=request.user,
                ),
            )
            if rows:
                _audit(request, AuditAction.CREATE, case, "information given")
                messages.success(request, _("Recorded."))
                return redirect("cases:information", pk=case.pk)
    records = InformationGiven.objects.filter(case=case).select_related("given_by__profile")
    _audit(request, AuditAction.VIEW, case, "information given")
    return render(request, "cases/information.html", {"case": case, "form": form, "records": records})


# Consent


def _category_labels(values):
    return [DataCategory(value).label for value in values if value in DataCategory.values]


@case_view()
def consents(request, case):
    form = forms.ConsentRecordForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid():
            consent = _attempt(form, lambda: services.consent_record(case=case, by=request.user, **form.cleaned_data))
            if consent:
                _audit(request, AuditAction.CREATE, consent, "consent recorded")
                messages.success(request, _("The consent was recorded."))
                return redirect("cases:consents", pk=case.pk)
    records = list(ConsentRecord.objects.filter(case=case).select_related("recipient", "recorded_by__profile"))
    today = dates.today()
    for record in records:
        record.category_labels = _category_labels(record.categories)
        record.valid_today = record.is_valid_on(today)
    _audit(request, AuditAction.VIEW, case, "consents")
    return render(
        request,
        "cases/consents.html",
        {
            "case": case,
            "form": form,
            "records": records,
            "withdraw_form": forms.ConsentWithdrawForm(initial={"withdrawn_on": today}),
        },
    )


@require_POST
@case_view("cases.change_case")
def consent_withdraw(request, case, consent_pk):
    consent = get_object_or_404(ConsentRecord, pk=consent_pk, case=case)
    form = forms.ConsentWithdrawForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.consent_withdraw(
            consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"], by=request.user
        ),
    ):
        _audit(request, AuditAction.CHANGE, consent, "consent withdrawn")
        messages.success(request, _("The consent was withdrawn. Nothing more is shared on its ground."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("cases:consents", pk=case.pk)


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
    if DataCategory.NEEDS in wanted:
        summary["needs"] = selectors.needs_latest(case=case)
    if DataCategory.RISK in wanted:
        latest = selectors.risk_latest(case=case)
        summary["risk"] = latest
        summary["risk_yes"] = selectors.risk_yes_rows(latest)
    if DataCategory.SAFETY_PLAN in wanted:
        plan = SafetyPlan.objects.filter(case=case).first()
        summary["safety_plan"] = selectors.safety_plan_sections(plan) if plan else []
    if DataCategory.ACTION_PLAN in wanted:
        plan = ActionPlan.objects.filter(case=case).first()
        summary["action_steps"] = list(selectors.action_steps_current(plan=plan)) if plan else []
    if DataCategory.SESSIONS in wanted:
        summary["sessions"] = list(selectors.case_sessions(case=case))
    return summary


@case_view()
def disclosures(request, case):
    form = forms.DisclosureForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        disclosure = _attempt(
            form,
            lambda: services.disclosure_record(
                case=case,
                recipient=data["recipient"],
                categories=data["categories"],
                format=data["format"],
                override_reason=data.get("override_reason", ""),
                by=request.user,
            ),
        )
        if disclosure:
            _audit(request, AuditAction.DISCLOSE, disclosure, f"summary to institution {disclosure.recipient_id}")
            summary = case_summary(case=case, categories=disclosure.categories)
            summary.update({"disclosure": disclosure, "recipient": disclosure.recipient})
            if disclosure.format == DisclosureFormat.PDF:
                from cases.exports import case_summary_pdf_response

                return case_summary_pdf_response(summary)
            return render(request, "cases/case_summary_print.html", summary)
    log = list(Disclosure.objects.filter(case=case).select_related("recipient", "disclosed_by__profile", "consent"))
    for entry in log:
        entry.category_labels = _category_labels(entry.categories)
    _audit(request, AuditAction.VIEW, case, "disclosures")
    return render(request, "cases/disclosures.html", {"case": case, "form": form, "log": log})


# Referrals


@case_view()
def referrals(request, case):
    form = forms.ReferralForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            referral = _attempt(
                form,
                lambda: services.referral_send(
                    case=case,
                    institution=data["institution"],
                    categories=data["categories"],
                    reason=data["reason"],
                    sent_on=data["sent_on"],
                    override_reason=data.get("override_reason", ""),
                    by=request.user,
                ),
            )
            if referral:
                _audit(request, AuditAction.DISCLOSE, referral, f"referral to institution {referral.institution_id}")
                messages.success(request, _("The referral was recorded and the disclosure logged."))
                return redirect("cases:referral_detail", pk=case.pk, referral_pk=referral.pk)
    records = Referral.objects.filter(case=case).select_related("institution")
    _audit(request, AuditAction.VIEW, case, "referrals")
    return render(request, "cases/referrals.html", {"case": case, "form": form, "records": records})


@case_view()
def referral_detail(request, case, referral_pk):
    referral = get_object_or_404(Referral.objects.select_related("institution"), pk=referral_pk, case=case)
    form = forms.ReferralUpdateForm(
        request.POST or None, initial={"status": referral.status, "outcome": referral.outcome}
    )
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid() and _attempt(
            form, lambda: services.referral_update(referral=referral, by=request.user, **form.cleaned_data)
        ):
            _audit(request, AuditAction.CHANGE, referral, "referral status")
            messages.success(request, _("The referral was updated."))
            return redirect("cases:referral_detail", pk=case.pk, referral_pk=referral.pk)
    latest = selectors.risk_latest(case=case) if DataCategory.RISK in referral.categories else None
    _audit(request, AuditAction.VIEW, referral, "referral")
    return render(
        request,
        "cases/referral_detail.html",
        {
            "case": case,
            "referral": referral,
            "form": form,
            "category_labels": _category_labels(referral.categories),
            "risk": latest,
            "risk_yes": selectors.risk_yes_rows(latest),
        },
    )


# Aftercare


@case_view()
def aftercare(request, case):
    form = forms.AftercareForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid():
            activity = _attempt(
                form, lambda: services.aftercare_record(case=case, by=request.user, **form.cleaned_data)
            )
            if activity:
                _audit(request, AuditAction.CREATE, activity, "aftercare activity")
                messages.success(request, _("The activity was recorded."))
                return redirect("cases:aftercare", pk=case.pk)
    activities = AftercareActivity.objects.filter(case=case).select_related("recorded_by__profile")
    _audit(request, AuditAction.VIEW, case, "aftercare")
    return render(request, "cases/aftercare.html", {"case": case, "form": form, "activities": activities})


# CTI


def _cti_page(request, case, course, *, course_form=None, goal_form=None, review_form=None, status=200):
    timeline = None
    if course is not None:
        course = CtiCourse.objects.prefetch_related("goals", "reviews").get(pk=course.pk)
        timeline = selectors.cti_timeline(course)
    if course_form is None:
        initial = {}
        if course is not None:
            initial = {
                name: getattr(course, name)
                for name in ("start_on", "moved_out_on", "moved_in_on", "extension_reason", "ended_on")
            }
        course_form = forms.CtiCourseForm(initial=initial)
    return render(
        request,
        "cases/cti.html",
        {
            "case": case,
            "course": course,
            "timeline": timeline,
            "course_form": course_form,
            "goal_form": goal_form
            or forms.CtiGoalForm(initial={"phase": timeline.current_phase} if timeline else None),
            "review_form": review_form or forms.CtiReviewForm(),
            "goal_status_form": forms.CtiGoalStatusForm(),
        },
        status=status,
    )


@case_view()
def cti(request, case):
    course = CtiCourse.objects.filter(case=case).first()
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        form = forms.CtiCourseForm(request.POST)
        if form.is_valid():
            saved = _attempt(form, lambda: services.cti_course_save(case=case, by=request.user, **form.cleaned_data))
            if saved:
                _audit(request, AuditAction.CHANGE, saved, "CTI course")
                messages.success(request, _("The CTI course was saved."))
                return redirect("cases:cti", pk=case.pk)
        return _cti_page(request, case, course, course_form=form)
    _audit(request, AuditAction.VIEW, course or case, "CTI course")
    return _cti_page(request, case, course)


def _cti_add(request, case, *, form_class, form_name, service, detail, done):
    """Add a goal or a review to the CTI course; on an error, the page again with the form."""
    course = get_object_or_404(CtiCourse, case=case)
    form = form_class(request.POST)
    if form.is_valid():
        added = _attempt(form, lambda: service(course=course, by=request.user, **form.cleaned_data))
        if added:
            _audit(request, AuditAction.CREATE, added, detail)
            messages.success(request, done)
            return redirect("cases:cti", pk=case.pk)
    return _cti_page(request, case, course, **{form_name: form})


@require_POST
@case_view("cases.change_case")
def cti_goal_add(request, case):
    return _cti_add(
        request,
        case,
        form_class=forms.CtiGoalForm,
        form_name="goal_form",
        service=services.cti_goal_add,
        detail="CTI goal",
        done=_("The goal was added."),
    )


@require_POST
@case_view("cases.change_case")
def cti_goal_status(request, case, goal_pk):
    goal = get_object_or_404(CtiGoal, pk=goal_pk, course__case=case)
    form = forms.CtiGoalStatusForm(request.POST)
    if form.is_valid():
        services.cti_goal_status_set(goal=goal, status=form.cleaned_data["status"], by=request.user)
        _audit(request, AuditAction.CHANGE, goal, "CTI goal status")
        messages.success(request, _("The goal was updated."))
    return redirect("cases:cti", pk=case.pk)


@require_POST
@case_view("cases.change_case")
def cti_review_add(request, case):
    return _cti_add(
        request,
        case,
        form_class=forms.CtiReviewForm,
        form_name="review_form",
        service=services.cti_review_add,
        detail="CTI review",
        done=_("The review was added."),
    )


@login_required
def cti_dashboard(request):
    if not request.user.has_perm("cases.view_cti_dashboard"):
        raise Http404
    dashboard = selectors.cti_dashboard()
    courses = [course for phase in dashboard.by_phase.values() for course in phase]
    audit_record_many(
        actor=request.user, action=AuditAction.VIEW, objects=courses, request=request, detail="CTI dashboard"
    )
    phases = [
        (number, label, dashboard.by_phase.get(number, []))
        for number, label in [(1, _("Phase 1")), (2, _("Phase 2")), (3, _("Phase 3")), (0, _("Not yet started"))]
    ]
    return render(request, "cases/cti_dashboard.html", {"dashboard": dashboard, "phases": phases})


# Case conferences


def _conference(request, pk, perm="cases.view_caseconference"):
    conference = get_object_or_404(selectors.conferences_for(request.user), pk=pk)
    if not request.user.has_perm(perm, conference):
        raise Http404
    return conference


@case_view()
def conferences(request, case):
    form = forms.ConferenceCreateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("cases.change_case", case):
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            conference = _attempt(
                form,
                lambda: services.conference_schedule(
                    case=case,
                    held_at=data["held_at"],
                    place=data["place"],
                    status=data["status"],
                    agenda=data["agenda"],
                    invited_staff=data["invited_staff"],
                    by=request.user,
                ),
            )
            if conference:
                if data["decisions"]:
                    services.conference_update(conference=conference, decisions=data["decisions"], by=request.user)
                _audit(request, AuditAction.CREATE, conference, "case conference")
                messages.success(request, _("The case conference was recorded."))
                return redirect("cases:conference_detail", pk=conference.pk)
    records = selectors.conferences_for(request.user).filter(case=case)
    _audit(request, AuditAction.VIEW, case, "case conferences")
    return render(request, "cases/conferences.html", {"case": case, "form": form, "records": records})


def _conference_page(request, conference, *, form=None, participant_form=None, follow_up_form=None, template=None):
    conference = selectors.conference_detail(conference=conference)
    latest = selectors.risk_latest(case=conference.case)
    may_change = request.user.has_perm("cases.change_caseconference", conference)
    if form is None and may_change:
        form = forms.ConferenceForm(
            initial={
                "held_at": dates.local_time(conference.held_at),
                "place": conference.place,
                "status": conference.status,
                "agenda": conference.agenda,
                "decisions": conference.decisions,
                "invited_staff": list(conference.invited_staff.all()),
            }
        )
    return render(
        request,
        template or "cases/conference_detail.html",
        {
            "conference": conference,
            "case": conference.case,
            "may_change": may_change,
            "may_see_case": request.user.has_perm("cases.view_case", conference.case),
            "form": form,
            "participant_form": participant_form or forms.ParticipantForm(),
            "follow_up_form": follow_up_form or forms.FollowUpForm(),
            "risk": latest,
            "risk_yes": selectors.risk_yes_rows(latest),
            "today": dates.today(),
        },
    )


@login_required
def conference_detail(request, pk):
    conference = _conference(request, pk)
    if request.method == "POST":
        conference = _conference(request, pk, "cases.change_caseconference")
        form = forms.ConferenceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            invited = data.pop("invited_staff")
            services.conference_update(conference=conference, by=request.user, **data)
            conference.invited_staff.set(invited)
            _audit(request, AuditAction.CHANGE, conference, "case conference")
            messages.success(request, _("The case conference was saved."))
            return redirect("cases:conference_detail", pk=conference.pk)
        return _conference_page(request, conference, form=form)
    _audit(request, AuditAction.VIEW, conference, "case conference")
    return _conference_page(request, conference)


def _conference_add(request, pk, *, form_class, form_name, service, detail, done):
    """Add a participant or a follow-up to a conference; on an error, the page again with the form."""
    conference = _conference(request, pk, "cases.change_caseconference")
    form = form_class(request.POST)
    if form.is_valid() and _attempt(form, lambda: service(conference=conference, by=request.user, **form.cleaned_data)):
        _audit(request, AuditAction.CHANGE, conference, detail)
        messages.success(request, done)
        return redirect("cases:conference_detail", pk=conference.pk)
    return _conference_page(request, conference, **{form_name: form})


@require_POST
@login_required
def conference_participant_add(request, pk):
    return _conference_add(
        request,
        pk,
        form_class=forms.ParticipantForm,
        form_name="participant_form",
        service=services.conference_participant_add,
        detail="participant added",
        done=_("The participant was added."),
    )


@require_POST
@login_required
def conference_follow_up_add(request, pk):
    return _conference_add(
        request,
        pk,
        form_class=forms.FollowUpForm,
        form_name="follow_up_form",
        service=services.follow_up_add,
        detail="follow-up added",
        done=_("The follow-up action was added."),
    )


@require_POST
@login_required
def conference_follow_up_done(request, pk, action_pk):
    conference = _conference(request, pk, "cases.change_caseconference")
    action = get_object_or_404(FollowUpAction, pk=action_pk, conference=conference)
    services.follow_up_mark_done(action=action, done=request.POST.get("done") == "1", by=request.user)
    _audit(request, AuditAction.CHANGE, conference, "follow-up status")
    return redirect("cases:conference_detail", pk=conference.pk)


@login_required
def conference_minutes(request, pk):
    conference = _conference(request, pk)
    _audit(request, AuditAction.VIEW, conference, "case conference minutes")
    return _conference_page(request, conference, template="cases/conference_minutes.html")
