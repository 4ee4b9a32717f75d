"""Reads for case work. Lists start from the querysets cases/rules.py scopes to the user, so that a
foreign id is a 404."""

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import ClassVar

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext as _

from cases import rules
from cases.enums import (
    RISK_QUESTIONS,
    ActionArea,
    ActivityStatus,
    AftercareKind,
    CtiPhase,
    DueKind,
    ReferralStatus,
    RiskLevel,
    RiskReply,
    SafetyPlanSection,
    StepStatus,
)
from cases.models import (
    ActionPlan,
    ActionStep,
    ActionStepChange,
    AftercareActivity,
    Case,
    CaseConference,
    CaseEvent,
    CaseJournalEntry,
    CaseworkSettings,
    ConferenceDecision,
    ConsentRecord,
    CtiCourse,
    CtiReview,
    Disclosure,
    FollowUpAction,
    Need,
    NeedsAssessment,
    Referral,
    ReferralStatusChange,
    RiskAssessment,
    RiskSettings,
    SafetyPlan,
    SafetyPlanVersion,
)
from core import dates
from core.choices import choice_labels
from core.dates import add_months, end_of_day, months_after_end, start_of_day
from core.expressions import Ids
from core.fields import Sealed, sealed
from core.reversing import UrlFiller
from core.sql import PreparedRows
from counseling.models import Booking, CounselorProfile

CTI_PHASE_MONTHS = 3
CTI_PHASES = 3
CTI_WINDOW_MONTHS = 6
CTI_EXTENDED_WINDOW_MONTHS = 12
DASHBOARD_HORIZON_DAYS = 14


# Cases


def case_list_for(user, *, status=""):
    """The cases she may see, newest first, each with its latest risk level and the day it is due again
    (latest_level, latest_due). The client's alias and code, not her safe-contact details (rules.cases_for),
    and no assessment's reasons: the list shows neither, and left in the database they are neither
    decrypted for every case listed nor held in memory (every assessment of fifty cases was read for their
    latest)."""
    latest = RiskAssessment.objects.filter(case=OuterRef("pk")).order_by("-assessed_on", "-id")
    qs = (
        rules.cases_for(user)
        .annotate(
            latest_level=Subquery(latest.values("level")[:1]),
            latest_due=Subquery(latest.values("next_due_on")[:1]),
        )
        .order_by("-opened_on", "-id")
    )
    if status == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_on__isnull=False)
    return qs


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


def risk_score(answers: dict) -> int:
    """Each "yes" adds its question's weight; "no", "don't know" and "not asked" add nothing."""
    return sum(question.weight for question in RISK_QUESTIONS if answers.get(question.code) in (True, RiskReply.YES))


def risk_history(*, case):
    """Newest first, with how many questions were not answered yes or no: a low score made of "don't know"
    and "not asked" is not a low risk; and whether a conference was planned since (asked in the same query,
    so the case page asks as often for a high-risk case as for any other)."""
    return (
        RiskAssessment.objects.filter(case=case)
        .select_related("assessed_by__profile")
        .prefetch_related("answers")
        .annotate(
            unknown_count=Count("answers", filter=Q(answers__answer=RiskReply.DONT_KNOW)),
            not_asked_count=Count("answers", filter=Q(answers__answer=RiskReply.NOT_ASKED)),
            conference_since=Exists(
                CaseConference.objects.filter(case=OuterRef("case"), created_at__date__gte=OuterRef("assessed_on"))
            ),
        )
        .order_by("-assessed_on", "-id")
    )


RISK_MAX_SCORE = sum(question.weight for question in RISK_QUESTIONS)


@dataclass
class RiskChartPoint:
    x: int
    y: int
    score: int
    assessed_on: dt.date
    level: str
    label: str


@dataclass
class RiskChart:
    """A small line chart of the scores, drawn on the server as SVG; the table beside it has the figures."""

    width: int
    height: int
    points: list[RiskChartPoint]
    polyline: str
    medium_y: int
    high_y: int
    top: int
    bottom: int


def risk_chart(history, *, settings=None, width=480, height=160) -> RiskChart | None:
    """`history` newest first (as on the page); the chart runs from the oldest assessment to the newest."""
    assessments = list(reversed(list(history)))
    if not assessments:
        return None
    settings = settings or risk_settings()
    top, bottom, left, right = 10, height - 20, 30, width - 10

    def y_of(score):
        return round(bottom - (bottom - top) * min(score, RISK_MAX_SCORE) / RISK_MAX_SCORE)

    step = (right - left) / max(len(assessments) - 1, 1)
    points = [
        RiskChartPoint(
            x=round(left + index * step) if len(assessments) > 1 else (left + right) // 2,
            y=y_of(assessment.score),
            score=assessment.score,
            assessed_on=assessment.assessed_on,
            level=assessment.level,
            label=str(assessment.get_level_display()),
        )
        for index, assessment in enumerate(assessments)
    ]
    return RiskChart(
        width=width,
        height=height,
        points=points,
        polyline=" ".join(f"{point.x},{point.y}" for point in points),
        medium_y=y_of(settings.medium_threshold),
        high_y=y_of(settings.high_threshold),
        top=top,
        bottom=bottom,
    )


def risk_latest(*, case):
    return risk_history(case=case).first()


def risk_latest_brief(*, case):
    """The latest assessment as the case's page states it (its level, its dates, whether a conference was
    planned since): one query, without the answers and their counts that risk_latest reads for the
    questionnaire's pages."""
    return (
        RiskAssessment.objects.filter(case=case)
        .annotate(
            conference_since=Exists(
                CaseConference.objects.filter(case=OuterRef("case"), created_at__date__gte=OuterRef("assessed_on"))
            )
        )
        .order_by("-assessed_on", "-id")
        .first()
    )


def risk_latest_on(*, case, day):
    """The assessment that was the latest on `day` (what a conference on that day would discuss)."""
    return risk_history(case=case).filter(assessed_on__lte=day).first()


@dataclass
class RiskAnswerRow:
    code: str
    text: str
    weight: int
    answer: str | None

    @property
    def yes(self) -> bool:
        return self.answer == RiskReply.YES

    def get_answer_display(self):
        return RiskReply(self.answer).label if self.answer in RiskReply.values else "-"


def risk_answer_rows(assessment) -> list[RiskAnswerRow]:
    """The questionnaire in its fixed order with this assessment's answers (shown, never retyped)."""
    if assessment is None:
        return []
    given = {answer.question: answer.answer for answer in assessment.answers.all()}
    return [RiskAnswerRow(q.code, q.text, q.weight, given.get(q.code)) for q in RISK_QUESTIONS]


def risk_yes_rows(assessment) -> list[RiskAnswerRow]:
    return [row for row in risk_answer_rows(assessment) if row.yes]


def risk_review_weeks(*, case, settings=None) -> int:
    if case.risk_review_weeks:
        return case.risk_review_weeks
    return (settings or risk_settings()).review_weeks


def conference_proposed(*, case, latest=None) -> bool:
    """High risk and no conference planned since that assessment: the case page proposes one."""
    latest = latest if latest is not None else risk_latest(case=case)
    if latest is None or latest.level != RiskLevel.HIGH:
        return False
    return not latest.conference_since


# Journal, referrals, consents, conferences


def journal_entries(*, case):
    """Newest first, each with who wrote it, the entry it corrects and the entries that correct it."""
    return (
        CaseJournalEntry.objects.filter(case=case)
        .select_related("written_by__profile", "corrects")
        .prefetch_related("corrections")
        .order_by("-occurred_at", "-id")
    )


def referral_history(*, referral):
    return ReferralStatusChange.objects.filter(referral=referral).select_related("by__profile").order_by("on", "id")


def disclosures_under(*, consent):
    """What left the organisation on the ground of this consent: who must be told if she withdraws it."""
    return (
        Disclosure.objects.filter(consent=consent)
        .select_related("recipient", "disclosed_by__profile")
        .order_by("disclosed_at", "id")
    )


def conference_decisions(*, conference):
    return (
        ConferenceDecision.objects.filter(conference=conference)
        .select_related("by__profile")
        .order_by("-recorded_at", "-id")
    )


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
    today: dt.date


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
    anchor = course.moved_in_on or course.moved_out_on
    window_end = cti_window_end(anchor) if anchor else None
    extended = cti_window_end(anchor, extended=True) if anchor else None
    return CtiTimeline(
        course, phases, current, cti_planned_end(course.start_on), window_end, extended, next_change, today
    )


CTI_DASHBOARD_PAGE_SIZE = 50
CTI_DUE_SOON_LIMIT = 50


@dataclass
class CtiDashboard:
    """One page of the active courses, grouped by current phase, with each phase's total over all pages;
    on the first page also the phase changes due within two weeks (the soonest CTI_DUE_SOON_LIMIT)."""

    page: Page
    by_phase: dict[int, list]
    phase_totals: dict[int, int]
    due_soon: list
    due_soon_more: bool
    horizon_end: dt.date

    @property
    def shown_courses(self) -> list:
        """Every course the page names (its own and those in the due-soon list), each once: what its audit
        entry lists."""
        shown = {row["course"].pk: row["course"] for row in self.due_soon}
        shown.update((course.pk, course) for course in self.page.object_list)
        return list(shown.values())


def cti_last_start_reaching(today: dt.date, months: int) -> dt.date:
    """The latest start date from which `months` months (add_months, clamped at month ends) reach no later
    than `today`. Courses that started on or before it are at least that far into their course."""
    start = add_months(today, -months)
    while add_months(start + dt.timedelta(days=1), months) <= today:
        start += dt.timedelta(days=1)
    return start


def cti_phase_bounds(today: dt.date) -> list[dt.date]:
    """bounds[n] is the latest start date n phases into its course by today (bounds[0] is today,
    bounds[CTI_PHASES] the latest whose planned end has come). A course is in phase n when
    bounds[n] < start_on <= bounds[n - 1], as cti_current_phase says: the database counts and orders by it."""
    return [cti_last_start_reaching(today, CTI_PHASE_MONTHS * number) for number in range(CTI_PHASES + 1)]


def cti_changes_between(today: dt.date, horizon: dt.date) -> dict[dt.date, tuple[dt.date, int]]:
    """start_on -> (day, phase number) for every start date whose course starts a phase, or ends
    (CTI_PHASES + 1), between today and the horizon. A handful of dates per phase."""
    changes = {}
    slack = dt.timedelta(days=3)  # add_months moves a month end back by up to three days
    for number in range(1, CTI_PHASES + 2):
        months = CTI_PHASE_MONTHS * (number - 1)
        start, last = add_months(today, -months) - slack, add_months(horizon, -months) + slack
        while start <= last:
            change = add_months(start, months)
            if today <= change <= horizon:
                changes[start] = (change, number)
            start += dt.timedelta(days=1)
    return changes


CTI_DASHBOARD_FIELDS = ("case", "start_on", "moved_out_on", "moved_in_on", "ended_on")


def cti_active_courses(*, user, today=None):
    """Active CTI courses of the cases she may see: a counselor her own, a coordinator every course."""
    today = today or dates.today()
    horizon = today + dt.timedelta(days=DASHBOARD_HORIZON_DAYS)
    earliest_start = add_months(today, -CTI_PHASE_MONTHS * CTI_PHASES)
    courses = CtiCourse.objects.all()
    if not rules.sees_every_case(user):
        courses = courses.filter(case__in=rules.cases_for(user).values("pk"))
    return courses.filter(start_on__gt=earliest_start, start_on__lte=horizon).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    )


def _cti_named(courses):
    """What the dashboard shows and its phases are counted from, the client's code and her lead counselor's
    name as values beside each course: a case, a client, a counselor, her account and her profile built as
    model instances for each of a hundred courses a page were a fifth of the dashboard's time. Only for the
    courses shown: joined to count or to order every course, they doubled those queries' time."""
    return courses.only(*CTI_DASHBOARD_FIELDS).annotate(
        client_code=F("case__client__code"),
        lead_username=F("case__lead_counselor__user__username"),
        lead_full_name=F("case__lead_counselor__user__profile__full_name"),
    )


def _lead_named(course) -> None:
    """Her lead counselor's name, as everywhere, from the values read beside the course."""
    course.lead_name = CounselorProfile.name_from(full_name=course.lead_full_name, username=course.lead_username)


def cti_dashboard(*, user, page=None, today=None) -> CtiDashboard:
    """Page `page` (a number from the URL; out of range or not a number gives the nearest page) of the
    active courses in the order the dashboard shows the phases (1, 2, 3, not yet started), by start date
    within a phase, grouped by phase; each phase's total; and on the first page the soonest phase changes
    due within two weeks. A fixed number of queries, however many courses there are."""
    today = today or dates.today()
    horizon = today + dt.timedelta(days=DASHBOARD_HORIZON_DAYS)
    courses = cti_active_courses(user=user, today=today)
    bounds = cti_phase_bounds(today)
    phases = range(1, CTI_PHASES + 1)
    in_phase = {number: Q(start_on__gt=bounds[number], start_on__lte=bounds[number - 1]) for number in phases}
    counts = courses.aggregate(
        total=Count("pk"), **{f"phase_{number}": Count("pk", filter=q) for number, q in in_phase.items()}
    )
    phase_totals = {number: counts[f"phase_{number}"] for number in in_phase}
    phase_totals[0] = counts["total"] - sum(phase_totals.values())
    display_order = models.Case(
        *[models.When(q, then=models.Value(number)) for number, q in in_phase.items()],
        default=models.Value(CTI_PHASES + 1),
    )
    in_order = ("display_order", "start_on", "pk")
    ordered = courses.annotate(display_order=display_order).order_by(*in_order).values_list("pk", flat=True)
    paginator = Paginator(ordered, CTI_DASHBOARD_PAGE_SIZE)
    paginator.count = counts["total"]  # counted with the phases above: not a second count of every course
    page_obj = paginator.get_page(page)
    # The page's courses picked from the courses alone, in a subquery, and only they joined to their names:
    # joined before they were picked, every active course was (1.6 against 0.7 ms at a thousand courses).
    shown = CtiCourse.objects.filter(pk__in=page_obj.object_list)
    page_obj.object_list = list(_cti_named(shown).annotate(display_order=display_order).order_by(*in_order))
    by_phase = {number: [] for number in range(0, CTI_PHASES + 1)}
    for course in page_obj.object_list:
        _lead_named(course)
        by_phase[cti_current_phase(course, today) or 0].append(course)
    due, more = [], False
    if page_obj.number == 1:
        changes = cti_changes_between(today, horizon)
        # Ordered here by the day each course changes phase, from its start date and number alone, then the
        # soonest read whole: the same order as a CASE of one WHEN per start date in SQL (sixty of them), which
        # took twice as long to build as both queries together.
        starts = courses.filter(start_on__in=list(changes)).order_by().values_list("pk", "start_on")
        ordered = sorted(starts, key=lambda row: (changes[row[1]][0], row[1], row[0]))
        more = len(ordered) > CTI_DUE_SOON_LIMIT
        wanted = [pk for pk, _start in ordered[:CTI_DUE_SOON_LIMIT]]
        found = _cti_named(courses).in_bulk(wanted) if wanted else {}
        for course in (found[pk] for pk in wanted if pk in found):  # one ended in between is left out
            _lead_named(course)
            on, number = changes[course.start_on]
            label = CtiPhase(number).label if number <= CTI_PHASES else None
            due.append({"course": course, "on": on, "phase": number, "label": label})
    return CtiDashboard(
        page=page_obj,
        by_phase=by_phase,
        phase_totals=phase_totals,
        due_soon=due,
        due_soon_more=more,
        horizon_end=horizon,
    )


# Conferences


def conference_detail(*, conference):
    return (
        CaseConference.objects.filter(pk=conference.pk)
        .prefetch_related("participants__institution", "follow_ups__institution", "invited_staff__profile")
        .get()
    )


# Caseload


def casework_settings() -> CaseworkSettings:
    return CaseworkSettings.load()


@dataclass
class DueAction:
    """A button that marks a due item done where it stands: a POST of `fields` to `url`."""

    label: str
    url: str
    fields: dict = field(default_factory=dict)


@dataclass
class DueItem:
    kind: str
    title: str
    case: Case
    due_on: dt.date
    overdue: bool
    url: str
    detail: "str | Sealed" = ""
    actions: list[DueAction] = field(default_factory=list)
    key: str = ""
    case_url: str = ""
    kind_label: str = ""


class Due:
    """An item of a caseload before its links and buttons are written: enough to sort, count and group it.
    `item()` writes the rest, once: a team's page shows the five soonest items of each counselor and counts
    the rest, a counselor's home panel only counts them, so most items of a large caseload are never
    written out."""

    __slots__ = ("kind", "case", "due_on", "overdue", "key", "_write", "_finish", "_item")

    def __init__(self, kind, case, due_on, overdue, key, write, finish):
        """`write()` gives the item's own title, link, detail and buttons, as keywords of DueItem;
        `finish(due, written)`, one for the caseload, makes the DueItem with what every item has."""
        self.kind, self.case, self.due_on, self.overdue, self.key = kind, case, due_on, overdue, key
        self._write, self._finish, self._item = write, finish, None

    def item(self) -> DueItem:
        if self._item is None:
            self._item = self._finish(self, self._write())
        return self._item


@dataclass
class Caseload:
    cases: list
    due: list[Due]  # soonest first
    today: dt.date
    horizon: dt.date

    @cached_property
    def items(self) -> list[DueItem]:
        return [due.item() for due in self.due]

    @property
    def overdue_count(self) -> int:
        return sum(1 for due in self.due if due.overdue)

    @property
    def due_soon_count(self) -> int:
        return sum(1 for due in self.due if not due.overdue)


@dataclass(frozen=True, slots=True)
class CaseloadClient:
    alias: str
    code: str


@dataclass(frozen=True, slots=True)
class CaseloadCase:
    """An open case as a caseload shows it, read as values: a team's hundred cases, each with its client,
    built as model instances were a quarter of what its caseload's selector cost. Audited as a case
    (`_meta`)."""

    _meta: ClassVar = Case._meta  # what audit_record_many names the listed records' model by
    pk: int
    client: CaseloadClient
    lead_counselor_id: int
    opened_on: dt.date
    latest_level: str | None
    latest_due: dt.date | None
    latest_level_label: str = ""


# Each kind of item due in a caseload, read as values, not as model instances with their relations: the page
# needs a few fields of each, and building instances was most of the cost of a caseload. Compiled once
# (core.sql.PreparedRows): built through the ORM on each page, they were four fifths of a case's due items.
# The cases' ids go as one parameter (core.expressions.Ids), not a hundred prepared one by one six times
# over. Unordered: the items are sorted by the caseload.
_due_reviews = PreparedRows(
    lambda ids, horizon: (
        CtiReview.objects.filter(course__case__id__in=ids, status=ActivityStatus.PLANNED, review_on__lte=horizon)
        .order_by()
        .values_list("pk", "course__case_id", "review_on", "phase")
    ),
    kinds=(Ids, dt.date),
)
_due_steps = PreparedRows(
    lambda ids, horizon: (
        ActionStep.objects.filter(
            plan__case__id__in=ids,
            removed_at__isnull=True,
            due_on__lte=horizon,
            status__in=(StepStatus.PLANNED, StepStatus.IN_PROGRESS),
        )
        .order_by()
        .values_list("pk", "plan__case_id", "due_on", "area", sealed("description"), "plan__version")
    ),
    kinds=(Ids, dt.date),
)
_due_follow_ups = PreparedRows(
    lambda ids, horizon: (
        FollowUpAction.objects.filter(conference__case__id__in=ids, done=False, due_on__lte=horizon)
        .order_by()
        .values_list("pk", "conference_id", "conference__case_id", "due_on", "institution__name", sealed("description"))
    ),
    kinds=(Ids, dt.date),
)
# Two kinds from one table in one query: a consent that ends soon (not withdrawn, nobody asked her yet) and a
# withdrawal whose recipient is still to be told. A consent is either withdrawn or not: never both.
_due_consents = PreparedRows(
    lambda ids, today, warning: (
        ConsentRecord.objects.filter(
            Q(
                withdrawn_on__isnull=True,
                expiry_checked_on__isnull=True,
                valid_until__gte=today,
                valid_until__lte=warning,
            )
            | Q(withdrawn_on__isnull=False, tell_recipient=True, recipient_told_on__isnull=True),
            case__id__in=ids,
        )
        .order_by()
        .values_list("pk", "case_id", "valid_until", "withdrawn_on", "recipient__name")
    ),
    kinds=(Ids, dt.date, dt.date),
)
_due_referrals = PreparedRows(
    lambda ids, sent_by: (
        Referral.objects.filter(case__id__in=ids, status=ReferralStatus.SENT, sent_on__lte=sent_by)
        .order_by()
        .values_list("pk", "case_id", "sent_on", "institution__name")
    ),
    kinds=(Ids, dt.date),
)
_due_aftercare = PreparedRows(
    lambda ids, horizon: (
        AftercareActivity.objects.filter(case__id__in=ids, status=ActivityStatus.PLANNED, held_on__lte=horizon)
        .order_by()
        .values_list("pk", "case_id", "held_on", "kind")
    ),
    kinds=(Ids, dt.date),
)


def _caseload_cases(*, user, counselor, team, leads, risk_labels) -> list[CaseloadCase]:
    latest = RiskAssessment.objects.filter(case=OuterRef("pk")).order_by("-assessed_on", "-id")
    scope = rules.caseload_cases_for(user, counselor=counselor, team=team)
    if leads is not None:  # one page of the team's lead counselors
        scope = scope.filter(lead_counselor__in=leads)
    rows = (
        # The client's alias and code, not her safe-contact details: those are shown on her file, and left in
        # the database they are neither decrypted for every case listed nor held in memory. Nor the lead
        # counselor, whom a caseload names from her own list.
        scope.annotate(
            latest_level=Subquery(latest.values("level")[:1]),
            latest_due=Subquery(latest.values("next_due_on")[:1]),
        )
        .order_by("client__alias", "pk")
        .values_list(
            "pk", "client__alias", "client__code", "lead_counselor_id", "opened_on", "latest_level", "latest_due"
        )
    )
    return [
        CaseloadCase(
            pk, CaseloadClient(alias, code), lead, opened_on, level, due_on, risk_labels[level] if level else ""
        )
        for pk, alias, code, lead, opened_on, level, due_on in rows
    ]


def caseload(*, user, counselor=None, team=False, leads=None, today=None, cases=None) -> Caseload:
    """Every open case of the caseload and everything due in them up to the horizon or overdue: risk
    re-assessments, CTI reviews, action steps, conference follow-ups, consents that end soon, referrals that
    wait too long for an answer, planned aftercare and recipients to tell of a withdrawal. One query per
    kind of item, however many cases the caseload holds; each item's links and buttons written only when it
    is shown (`Due`). `cases` (CaseloadCase) instead of the caseload's own: a case's page (caseload_of_case)."""
    today = today or dates.today()
    settings = casework_settings()
    horizon = today + dt.timedelta(days=settings.due_soon_days)
    # Every label translated once for the caseload, not once per case or item (a team's page has hundreds).
    risk_labels, kind_labels, phase_labels = (
        choice_labels(RiskLevel.choices),
        choice_labels(DueKind.choices),
        choice_labels(CtiPhase.choices),
    )
    held, missed, done = _("Held"), _("Missed"), _("Done")
    if cases is None:
        cases = _caseload_cases(user=user, counselor=counselor, team=team, leads=leads, risk_labels=risk_labels)
    by_id = {case.pk: case for case in cases}
    ids = Ids(by_id)

    def due_of(prepared, *values):
        return prepared(ids, *values) if by_id else []  # no case: no kind is asked for

    due: list[Due] = []

    urls = UrlFiller()

    def finish(item: Due, written: dict) -> DueItem:
        return DueItem(
            item.kind,
            case=item.case,
            due_on=item.due_on,
            overdue=item.overdue,
            key=item.key,
            case_url=urls("cases:case_detail", pk=item.case.pk),
            kind_label=kind_labels[item.kind],
            **written,
        )

    def add(kind, case_id, due_on, key, write):
        due.append(Due(kind, by_id[case_id], due_on, due_on < today, key, write, finish))

    def held_or_missed(url, on):
        """A planned meeting is marked missed any day, held only from its day on."""
        actions = [DueAction(held, url, {"status": ActivityStatus.DONE})] if on <= today else []
        return [*actions, DueAction(missed, url, {"status": ActivityStatus.MISSED})]

    again, first = _("again (last: %(level)s)"), _("the first one")

    def risk_review(case):
        return {
            "title": again % {"level": case.latest_level_label} if case.latest_due else first,
            "url": urls("cases:risk_create", pk=case.pk),
        }

    for case in cases:
        on = case.latest_due or case.opened_on
        if on <= horizon:
            add(DueKind.RISK_REVIEW, case.pk, on, f"risk-{case.pk}", partial(risk_review, case))

    reviews = due_of(_due_reviews, horizon)

    def cti_review(pk, case_id, review_on, phase):
        return {
            "title": phase_labels[phase],
            "url": urls("cases:cti", pk=case_id),
            "actions": held_or_missed(urls("cases:cti_review_mark", pk=case_id, review_pk=pk), review_on),
        }

    for pk, case_id, review_on, phase in reviews:
        add(
            DueKind.CTI_REVIEW,
            case_id,
            review_on,
            f"cti-review-{pk}",
            partial(cti_review, pk, case_id, review_on, phase),
        )

    # The labels looked up once: get_FOO_display() hashes every choice's lazy label on each call.
    area_labels = choice_labels(ActionArea.choices)
    steps = due_of(_due_steps, horizon)

    def action_step(pk, case_id, area, description, version):
        return {
            "title": area_labels[area],
            "url": urls("cases:action_step_edit", pk=case_id, step_pk=pk),
            "detail": Sealed(description),
            "actions": [DueAction(done, urls("cases:action_step_done", pk=case_id, step_pk=pk), {"version": version})],
        }

    for pk, case_id, due_on, area, description, version in steps:
        add(
            DueKind.ACTION_STEP,
            case_id,
            due_on,
            f"step-{pk}",
            partial(action_step, pk, case_id, area, description, version),
        )

    follow_ups = due_of(_due_follow_ups, horizon)

    def follow_up(pk, conference_id, institution, description):
        return {
            "title": str(institution),
            "url": urls("cases:conference_detail", pk=conference_id),
            "detail": Sealed(description),
            "actions": [
                DueAction(done, urls("cases:conference_follow_up_done", pk=conference_id, action_pk=pk), {"done": "1"})
            ],
        }

    for pk, conference_id, case_id, due_on, institution, description in follow_ups:
        add(
            DueKind.FOLLOW_UP,
            case_id,
            due_on,
            f"follow-up-{pk}",
            partial(follow_up, pk, conference_id, institution, description),
        )

    consents = due_of(_due_consents, today, today + dt.timedelta(days=settings.consent_warning_days))

    def consent_ends(pk, case_id, recipient):
        return {
            "title": str(recipient),
            "url": urls("cases:consents", pk=case_id),
            "actions": [DueAction(_("Asked her"), urls("cases:consent_expiry_checked", pk=case_id, consent_pk=pk))],
        }

    def tell_recipient(pk, case_id, recipient):
        return {
            "title": str(recipient),
            "url": urls("cases:consent_withdraw", pk=case_id, consent_pk=pk),
            "actions": [DueAction(_("Told"), urls("cases:consent_recipient_told", pk=case_id, consent_pk=pk))],
        }

    for pk, case_id, valid_until, withdrawn_on, recipient in consents:
        if withdrawn_on is None:
            add(
                DueKind.CONSENT_ENDS,
                case_id,
                valid_until,
                f"consent-{pk}",
                partial(consent_ends, pk, case_id, recipient),
            )
        else:
            add(
                DueKind.TELL_RECIPIENT,
                case_id,
                withdrawn_on,
                f"tell-{pk}",
                partial(tell_recipient, pk, case_id, recipient),
            )

    # A referral is chased once it waited `referral_answer_days` without an answer.
    wait = dt.timedelta(days=settings.referral_answer_days)
    unanswered = due_of(_due_referrals, horizon - wait)

    def referral_waiting(pk, case_id, institution):
        return {"title": str(institution), "url": urls("cases:referral_detail", pk=case_id, referral_pk=pk)}

    for pk, case_id, sent_on, institution in unanswered:
        add(
            DueKind.REFERRAL_WAITING,
            case_id,
            sent_on + wait,
            f"referral-{pk}",
            partial(referral_waiting, pk, case_id, institution),
        )

    aftercare_labels = choice_labels(AftercareKind.choices)
    planned = due_of(_due_aftercare, horizon)

    def aftercare(pk, case_id, held_on, kind):
        return {
            "title": aftercare_labels[kind],
            "url": urls("cases:aftercare", pk=case_id),
            "actions": held_or_missed(urls("cases:aftercare_mark", pk=case_id, activity_pk=pk), held_on),
        }

    for pk, case_id, held_on, kind in planned:
        add(DueKind.AFTERCARE, case_id, held_on, f"aftercare-{pk}", partial(aftercare, pk, case_id, held_on, kind))

    due.sort(key=lambda item: (item.due_on, item.kind, item.key))
    return Caseload(cases=cases, due=due, today=today, horizon=horizon)


@dataclass(frozen=True)
class TeamLead:
    """A lead counselor of the team caseload: her name as everywhere (CounselorProfile.name_from) and how many
    open cases she leads."""

    pk: int
    name: str
    open_cases: int

    def __str__(self):
        return self.name


def team_leads(*, user) -> list[TeamLead]:
    """The lead counselors of the team's open cases, by name, with how many each leads: the team caseload
    shows them a page at a time (at a thousand open cases, everything due in all of them is no page). Read as
    values: two hundred counselors with their accounts and profiles as model instances, only to sort them
    and show ten, were a sixth of the page."""
    # Counted and named in one query, grouped by the lead and what names her: not counted, then named by the
    # two hundred ids the count found.
    rows = (
        rules.caseload_cases_for(user, team=True)
        .order_by()
        .values_list("lead_counselor", "lead_counselor__user__username", "lead_counselor__user__profile__full_name")
        .annotate(n=Count("pk"))
    )
    leads = [
        TeamLead(pk=pk, name=CounselorProfile.name_from(full_name=full_name, username=username), open_cases=n)
        for pk, username, full_name, n in rows
    ]
    return sorted(leads, key=lambda lead: (lead.name.casefold(), lead.pk))


def caseload_of_case(*, case, latest_risk, today=None) -> Caseload:
    """What is due in one case, for its page: the case as the page read it (through the person's own scope,
    cases_for) and its latest assessment (risk_latest_brief), not both read again through a caseload's
    scope; a closed case has nothing due, as it is in no caseload."""
    if case.closed_on is not None:
        return caseload(user=None, cases=[], today=today)
    level = latest_risk.level if latest_risk is not None else None
    brief = CaseloadCase(
        case.pk,
        CaseloadClient(case.client.alias, case.client.code),
        case.lead_counselor_id,
        case.opened_on,
        level,
        latest_risk.next_due_on if latest_risk is not None else None,
        choice_labels(RiskLevel.choices)[level] if level else "",
    )
    return caseload(user=None, cases=[brief], today=today)


def case_panel_counts(*, user, today=None) -> dict:
    """Her caseload on her home page: open cases, cases at high risk, and what is overdue or due soon."""
    load = caseload(user=user, today=today)
    return {
        "open_count": len(load.cases),
        "high_count": sum(1 for case in load.cases if case.latest_level == RiskLevel.HIGH),
        "overdue_count": load.overdue_count,
        "due_soon_count": load.due_soon_count,
    }
