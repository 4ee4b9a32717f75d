"""Reads for case work. Lists start from the querysets cases/rules.py scopes to the user, so that a
foreign id is a 404."""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from cases import rules
from cases.enums import RISK_QUESTIONS, CtiPhase, RiskLevel, SafetyPlanSection
from cases.models import (
    ActionPlan,
    ActionStep,
    ActionStepChange,
    CaseConference,
    CaseEvent,
    ConsentRecord,
    CtiCourse,
    Need,
    NeedsAssessment,
    RiskAssessment,
    RiskSettings,
    SafetyPlan,
    SafetyPlanVersion,
)
from core import dates
from core.dates import add_months, end_of_day, months_after_end, start_of_day
from counseling.models import Booking

CTI_PHASE_MONTHS = 3
CTI_PHASES = 3
CTI_WINDOW_MONTHS = 6
CTI_EXTENDED_WINDOW_MONTHS = 12
DASHBOARD_HORIZON_DAYS = 14


# Cases


def case_list_for(user, *, status=""):
    qs = rules.cases_for(user).order_by("-opened_on", "-id")
    if status == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_on__isnull=False)
    latest_risk = RiskAssessment.objects.order_by("-assessed_on", "-id")
    return qs.prefetch_related(Prefetch("risk_assessments", queryset=latest_risk, to_attr="risk_history"))


def case_sessions(*, case):
    """Her bookings while the case is open: a case's sessions are not stored twice."""
    qs = Booking.objects.filter(client_id=case.client_id, start__gte=start_of_day(case.opened_on))
    if case.closed_on:
        qs = qs.filter(start__lt=end_of_day(case.closed_on))
    return qs.select_related("counselor__user__profile", "room").order_by("start")


def case_history(*, case):
    """Opened, closed, reopened, handed over: newest first, with who did it."""
    return (
        CaseEvent.objects.filter(case=case)
        .select_related("by__profile", "lead_before__user__profile", "lead_after__user__profile")
        .order_by("-at", "-id")
    )


# Needs


def needs_latest(*, case):
    assessment = (
        NeedsAssessment.objects.filter(case=case)
        .select_related("assessed_by__profile")
        .prefetch_related(Prefetch("needs", queryset=Need.objects.order_by("id")))
        .first()
    )
    return assessment


# Risk


def risk_settings() -> RiskSettings:
    return RiskSettings.load()


def risk_level_for(score: int, settings: RiskSettings) -> str:
    if score >= settings.high_threshold:
        return RiskLevel.HIGH
    if score >= settings.medium_threshold:
        return RiskLevel.MEDIUM
    return RiskLevel.STANDARD


def risk_score(answers: dict[str, bool]) -> int:
    return sum(question.weight for question in RISK_QUESTIONS if answers.get(question.code))


def risk_history(*, case):
    return (
        RiskAssessment.objects.filter(case=case)
        .select_related("assessed_by__profile")
        .prefetch_related("answers")
        .order_by("-assessed_on", "-id")
    )


def risk_latest(*, case):
    return risk_history(case=case).first()


@dataclass
class RiskAnswerRow:
    code: str
    text: str
    weight: int
    answer: bool | None


def risk_answer_rows(assessment) -> list[RiskAnswerRow]:
    """The questionnaire in its fixed order with this assessment's answers (shown, never retyped)."""
    if assessment is None:
        return []
    given = {answer.question: answer.answer for answer in assessment.answers.all()}
    return [RiskAnswerRow(q.code, q.text, q.weight, given.get(q.code)) for q in RISK_QUESTIONS]


def risk_yes_rows(assessment) -> list[RiskAnswerRow]:
    return [row for row in risk_answer_rows(assessment) if row.answer]


def risk_review_weeks(*, case, settings=None) -> int:
    if case.risk_review_weeks:
        return case.risk_review_weeks
    return (settings or risk_settings()).review_weeks


def conference_proposed(*, case, latest=None) -> bool:
    """High risk and no conference planned since that assessment: the case page proposes one."""
    latest = latest if latest is not None else risk_latest(case=case)
    if latest is None or latest.level != RiskLevel.HIGH:
        return False
    return not CaseConference.objects.filter(case=case, created_at__date__gte=latest.assessed_on).exists()


# Safety plan


def safety_plan_of(*, case):
    """The case's safety plan, or None (it is made when the case opens; reading never makes one)."""
    return SafetyPlan.objects.filter(case=case).first()


def safety_plan_sections(plan) -> list[tuple[str, str, str]]:
    """(field, label, text) in the fixed section order."""
    return [(section.value, section.label, getattr(plan, section.value, "")) for section in SafetyPlanSection]


def safety_plan_as_of(*, plan, day: dt.date):
    """The version that was current at the end of `day`, or None if the plan did not exist yet."""
    version = (
        SafetyPlanVersion.objects.filter(plan=plan, saved_at__lt=end_of_day(day))
        .select_related("saved_by__profile")
        .order_by("-version")
        .first()
    )
    if version is None:
        return None, []
    sections = json.loads(version.sections) if version.sections else {}  # empty once retention wiped it
    return version, [(s.value, s.label, sections.get(s.value, "")) for s in SafetyPlanSection]


def safety_plan_versions(*, plan):
    return SafetyPlanVersion.objects.filter(plan=plan).select_related("saved_by__profile").order_by("-version")


# Action plan


def action_plan_of(*, case):
    return ActionPlan.objects.filter(case=case).first()


def action_steps_current(*, plan):
    return (
        ActionStep.objects.filter(plan=plan, removed_at__isnull=True)
        .select_related("owner_institution")
        .order_by("due_on", "id")
    )


def action_plan_history(*, plan):
    return (
        ActionStepChange.objects.filter(step__plan=plan)
        .select_related("changed_by__profile")
        .order_by("-changed_at", "-id")
    )


def action_plan_as_of(*, plan, day: dt.date) -> list[dict]:
    """Each step as it stood at the end of `day`, rebuilt from the append-only change history."""
    changes = ActionStepChange.objects.filter(step__plan=plan, changed_at__lt=end_of_day(day)).order_by(
        "step_id", "-changed_at", "-id"
    )
    steps = {}
    for change in changes:
        if change.step_id in steps:
            continue
        steps[change.step_id] = change
    rows = []
    for change in steps.values():
        if change.kind == "removed" or not change.snapshot:  # no snapshot once retention wiped it
            continue
        snapshot = json.loads(change.snapshot)
        snapshot["plan_version"] = change.plan_version
        rows.append(snapshot)
    rows.sort(key=lambda row: (row.get("due_on") or "9999", row["id"]))
    return rows


# Consent


def consent_covering(*, case, recipient, categories, on: dt.date | None = None):
    """The consent that allows sharing `categories` with `recipient` on `on`, or None.

    The one gate for every disclosure and referral: valid on that day, not withdrawn, the same recipient
    and every requested category included.
    """
    on = on or dates.today()
    wanted = set(categories)
    if not wanted:
        return None
    candidates = ConsentRecord.objects.filter(
        case=case, recipient=recipient, valid_from__lte=on, valid_until__gte=on
    ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
    for consent in candidates.order_by("-valid_until", "-id"):
        if wanted <= set(consent.categories):
            return consent
    return None


# CTI


@dataclass
class CtiPhaseRow:
    number: int
    label: str
    starts_on: dt.date
    ends_on: dt.date
    current: bool
    goals: list = field(default_factory=list)
    reviews: list = field(default_factory=list)


@dataclass
class CtiTimeline:
    course: CtiCourse
    phases: list[CtiPhaseRow]
    current_phase: int | None
    planned_end: dt.date
    window_end: dt.date | None
    extended_window_end: dt.date | None
    next_phase_change: dt.date | None


def cti_phase_start(course, number: int) -> dt.date:
    return add_months(course.start_on, CTI_PHASE_MONTHS * (number - 1))


def cti_planned_end(start_on: dt.date) -> dt.date:
    return add_months(start_on, CTI_PHASE_MONTHS * CTI_PHASES)


def cti_window_end(moved_in_on: dt.date, *, extended: bool = False) -> dt.date:
    """The last day a course may run: 6 months after she moved into her own home (12 with a reason)."""
    return months_after_end(moved_in_on, CTI_EXTENDED_WINDOW_MONTHS if extended else CTI_WINDOW_MONTHS)


def cti_current_phase(course, today: dt.date) -> int | None:
    if course.ended_on and course.ended_on <= today:
        return None
    if today < course.start_on or today >= cti_planned_end(course.start_on):
        return None
    for number in range(CTI_PHASES, 0, -1):
        if today >= cti_phase_start(course, number):
            return number
    return None


def cti_timeline(course, *, today=None) -> CtiTimeline:
    today = today or dates.today()
    current = cti_current_phase(course, today)
    goals = list(course.goals.all())
    reviews = list(course.reviews.all())
    phases = []
    for number in range(1, CTI_PHASES + 1):
        starts = cti_phase_start(course, number)
        ends = cti_phase_start(course, number + 1) - dt.timedelta(days=1)
        phases.append(
            CtiPhaseRow(
                number,
                CtiPhase(number).label,
                starts,
                ends,
                current == number,
                [g for g in goals if g.phase == number],
                [r for r in reviews if r.phase == number],
            )
        )
    next_change = None
    if current is not None:
        next_change = cti_phase_start(course, current + 1)
    window_end = cti_window_end(course.moved_in_on) if course.moved_in_on else None
    extended = cti_window_end(course.moved_in_on, extended=True) if course.moved_in_on else None
    return CtiTimeline(course, phases, current, cti_planned_end(course.start_on), window_end, extended, next_change)


@dataclass
class CtiDashboard:
    by_phase: dict[int, list]
    due_soon: list
    horizon_end: dt.date


def cti_dashboard(*, user, today=None) -> CtiDashboard:
    """Active CTI courses of the cases she may see, by current phase, and the phase changes due within two
    weeks, in one query: a counselor sees her own courses, a coordinator every course."""
    today = today or dates.today()
    horizon = today + dt.timedelta(days=DASHBOARD_HORIZON_DAYS)
    earliest_start = add_months(today, -CTI_PHASE_MONTHS * CTI_PHASES)
    courses = (
        CtiCourse.objects.filter(case__in=rules.cases_for(user).values("pk"))
        .filter(start_on__gt=earliest_start, start_on__lte=horizon)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .select_related("case__client", "case__lead_counselor__user__profile")
        .order_by("start_on")
    )
    by_phase = {number: [] for number in range(0, CTI_PHASES + 1)}
    due = []
    for course in courses:
        phase = cti_current_phase(course, today) or 0
        by_phase[phase].append(course)
        for number in range(1, CTI_PHASES + 2):
            change = cti_phase_start(course, number)
            if today <= change <= horizon:
                label = CtiPhase(number).label if number <= CTI_PHASES else None
                due.append({"course": course, "on": change, "phase": number, "label": label})
    due.sort(key=lambda row: row["on"])
    return CtiDashboard(by_phase=by_phase, due_soon=due, horizon_end=horizon)


# Conferences


def conference_detail(*, conference):
    return (
        CaseConference.objects.filter(pk=conference.pk)
        .prefetch_related("participants__institution", "follow_ups__institution", "invited_staff__profile")
        .get()
    )


def case_panel_counts(*, user, today=None) -> dict:
    """Open cases, overdue reassessments and high-risk cases in one query."""
    from django.db.models import OuterRef, Subquery

    today = today or dates.today()
    latest = RiskAssessment.objects.filter(case=OuterRef("pk")).order_by("-assessed_on", "-id")
    rows = (
        rules.cases_for(user)
        .filter(closed_on__isnull=True)
        .annotate(
            latest_level=Subquery(latest.values("level")[:1]),
            latest_due=Subquery(latest.values("next_due_on")[:1]),
        )
        .aggregate(
            open_count=Count("pk"),
            overdue_count=Count("pk", filter=Q(latest_due__lt=today)),
            high_count=Count("pk", filter=Q(latest_level=RiskLevel.HIGH)),
        )
    )
    return rows
