"""Writes: generating periods, the narrative, status transitions, freezing and unlocking."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import dates
from core.dates import add_months
from reporting.enums import CADENCE_MONTHS, EDITABLE_STATUSES, FROZEN_STATUSES, Cadence, PeriodStatus, Transition
from reporting.models import DonorProject, PeriodLogEntry, ReportingPeriod, ReportSnapshot
from reporting.selectors import period_lock_message

# transition -> (statuses it starts from, status it leads to, permission it needs)
TRANSITIONS = {
    Transition.SUBMIT_FOR_REVIEW: ((PeriodStatus.OPEN,), PeriodStatus.IN_REVIEW, "reporting.prepare_period"),
    Transition.RETURN: ((PeriodStatus.IN_REVIEW, PeriodStatus.APPROVED), PeriodStatus.OPEN, "reporting.approve_period"),
    Transition.APPROVE: ((PeriodStatus.IN_REVIEW,), PeriodStatus.APPROVED, "reporting.approve_period"),
    Transition.SUBMIT: ((PeriodStatus.APPROVED,), PeriodStatus.SUBMITTED, "reporting.prepare_period"),
    Transition.LOCK: ((PeriodStatus.APPROVED, PeriodStatus.SUBMITTED), PeriodStatus.LOCKED, "reporting.prepare_period"),
    Transition.UNLOCK: ((PeriodStatus.SUBMITTED, PeriodStatus.LOCKED), PeriodStatus.OPEN, "reporting.unlock_period"),
}


def transitions_allowed(*, period, user) -> list[str]:
    return [
        transition
        for transition, (sources, _target, perm) in TRANSITIONS.items()
        if period.status in sources and user.has_perm(perm, period)
    ]


def period_spans(*, start: date, end: date, months: int) -> list[tuple[date, date]]:
    """Consecutive spans of `months` from start. Grants often run "01.04.2022 to 01.04.2023": the end date
    is then the anniversary of the start, and it joins the last period rather than making a one-day one."""
    spans = []
    current, index = start, 1
    while True:
        following = add_months(start, months * index)
        if following >= end:
            spans.append((current, end))
            return spans
        spans.append((current, following - timedelta(days=1)))
        current, index = following, index + 1


def period_label(start: date, end: date, months: int) -> str:
    if months == 3 and start.day == 1 and start.month in (1, 4, 7, 10):
        return _("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    if months == 1 and start.day == 1:
        return f"{start:%m/%Y}"
    return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"


def periods_generate(
    *, project: DonorProject, cadence: str, by, months: int | None = None, due_days: int | None = None
):
    """Make the reporting periods for the project's whole duration; refuses when it already has periods."""
    if not by.has_perm("reporting.generate_periods", project):
        raise PermissionDenied
    if cadence == Cadence.CUSTOM:
        if not months or months < 1 or months > 24:
            raise ValidationError({"months": _("Give a period length from 1 to 24 months.")})
    else:
        months = CADENCE_MONTHS[cadence]
    due_days = project.due_days if due_days is None else due_days
    with transaction.atomic():
        project = DonorProject.objects.select_for_update().get(pk=project.pk)
        if project.periods.exists():
            raise ValidationError(_("This project already has reporting periods."))
        periods = [
            ReportingPeriod(
                project=project,
                label=period_label(start, end, months),
                start_date=start,
                end_date=end,
                due_date=end + timedelta(days=due_days),
            )
            for start, end in period_spans(start=project.start_date, end=project.end_date, months=months)
        ]
        ReportingPeriod.objects.bulk_create(periods)
        project.cadence = cadence
        project.due_days = due_days
        project.save(update_fields=["cadence", "due_days"])
    return periods


def period_narrative_save(*, period: ReportingPeriod, by, achievements: str, challenges: str, next_steps: str):
    if not by.has_perm("reporting.prepare_period", period):
        raise PermissionDenied
    with transaction.atomic():
        period = (
            ReportingPeriod.objects.select_for_update(of=("self",))
            .select_related("project", "locked_by__profile")
            .get(pk=period.pk)
        )
        if period.status in FROZEN_STATUSES:
            raise ValidationError(period_lock_message(period))
        if period.status not in EDITABLE_STATUSES:
            raise ValidationError(
                _("The report of “%(period)s” has been approved; ask a coordinator to return it before editing.")
                % {"period": period.label}
            )
        period.achievements = achievements
        period.challenges = challenges
        period.next_steps = next_steps
        period.save(update_fields=["achievements", "challenges", "next_steps"])
    return period


def period_save(*, period: ReportingPeriod, by) -> ReportingPeriod:
    """Create or change a period's label and dates (the coordinators' screen). A submitted or locked period
    keeps its dates and project: the model refuses it below every door; this says so first, in words."""
    if not by.has_perm("reporting.edit_period", period):
        raise PermissionDenied
    with transaction.atomic():
        if period.pk is not None:
            stored = (
                ReportingPeriod.objects.select_for_update(of=("self",))
                .select_related("project", "locked_by__profile")
                .get(pk=period.pk)
            )
            if stored.is_frozen and (
                (stored.project_id, stored.start_date, stored.end_date)
                != (period.project_id, period.start_date, period.end_date)
            ):
                raise ValidationError(period_lock_message(stored))
            # The status and the lock move only through period_transition, which logs each step.
            period.status, period.locked_by_id, period.locked_at = stored.status, stored.locked_by_id, stored.locked_at
        period.save()
    return period


def period_delete(*, period: ReportingPeriod, by) -> None:
    """Delete a period that never reported; one with a submitted report stays with its snapshot and log."""
    if not by.has_perm("reporting.edit_period", period):
        raise PermissionDenied
    with transaction.atomic():
        period = (
            ReportingPeriod.objects.select_for_update(of=("self",))
            .select_related("project", "locked_by__profile")
            .get(pk=period.pk)
        )
        period.delete()  # the model refuses a frozen period, or one with a snapshot, in words


def snapshot_create(*, period: ReportingPeriod, by) -> ReportSnapshot:
    """Freeze the report: its true figures and, protected against every report published before it, what
    it shows. A report whose disclosure audit fails is not produced."""
    from reporting.protection import published_report, report_protect
    from reporting.report import refusal_message, report_drafts_before, report_figures

    figures = report_figures(period=period)
    protection = report_protect(period=period, figures=figures, drafts=report_drafts_before(period=period))
    if not protection.ok:
        raise ValidationError(refusal_message(period, figures, protection))
    figures["published"] = published_report(figures, protection)
    return ReportSnapshot.objects.create(period=period, data=figures, created_by=by)


def period_transition(*, period: ReportingPeriod, transition: str, by, reason: str = "") -> ReportingPeriod:
    """Move the period one step; submitting or locking freezes every figure; unlocking needs a reason."""
    if transition not in TRANSITIONS:
        raise ValidationError(_("Unknown step."))
    sources, target, perm = TRANSITIONS[transition]
    reason = (reason or "").strip()
    with transaction.atomic():
        period = (
            ReportingPeriod.objects.select_for_update(of=("self",))
            .select_related("project", "locked_by__profile")
            .get(pk=period.pk)
        )
        if not by.has_perm(perm, period):
            if period.status == PeriodStatus.LOCKED:
                raise ValidationError(period_lock_message(period))
            raise PermissionDenied
        if period.status not in sources:
            if period.status in FROZEN_STATUSES:
                raise ValidationError(period_lock_message(period))
            raise ValidationError(
                _("“%(period)s” is %(status)s: this step is not possible now.")
                % {"period": period.label, "status": period.get_status_display().lower()}
            )
        if transition == Transition.UNLOCK and not reason:
            raise ValidationError({"reason": _("Say why the period is unlocked: the reason is kept in the log.")})
        from_status = period.status
        if transition == Transition.SUBMIT or (transition == Transition.LOCK and from_status not in FROZEN_STATUSES):
            snapshot_create(period=period, by=by)
        period.status = target
        if target == PeriodStatus.LOCKED:
            period.locked_by, period.locked_at = by, dates.now()
        elif transition == Transition.UNLOCK:
            period.locked_by, period.locked_at = None, None
        period.save(update_fields=["status", "locked_by", "locked_at"])
        PeriodLogEntry.objects.create(
            period=period, transition=transition, from_status=from_status, to_status=target, by=by, reason=reason[:500]
        )
    return period


# The lock check lives in reporting.locks, which the activity apps import; kept here for older imports.
from reporting.locks import period_guard  # noqa: E402, F401, I001


# The results framework: project managers shape it on the reporting pages, coordinators also in the
# administration; both doors save through these functions, and the models refuse what a frozen report holds.


def _require_shape(project, by) -> None:
    if not by.has_perm("reporting.shape_results", project):
        raise PermissionDenied


@transaction.atomic
def result_save(*, result, by):
    from reporting.models import Result

    _require_shape(result.project, by)
    if result.pk is None and not result.sort_order:
        last = Result.objects.filter(project=result.project).order_by("-sort_order").first()
        result.sort_order = (last.sort_order + 1) if last else 0
    result.full_clean()
    result.save()
    return result


@transaction.atomic
def result_delete(*, result, by) -> None:
    _require_shape(result.project, by)
    result.delete()


@transaction.atomic
def indicator_save(*, indicator, by, targets: dict | None = None):
    """Save an indicator and, when given, its target per period ({period: value or None}; None removes it).
    A target of a submitted or locked period is refused unless unchanged."""
    from reporting.models import IndicatorTarget

    _require_shape(indicator.result.project, by)
    indicator.full_clean()
    indicator.save()
    if targets is None:
        return indicator
    current = {t.period_id: t for t in IndicatorTarget.objects.filter(indicator=indicator)}
    for period, value in targets.items():
        if period.project_id != indicator.result.project_id:
            raise ValidationError(_("Choose a reporting period of this indicator's project."))
        existing = current.get(period.pk)
        if value is None:
            if existing is not None:
                existing.delete()
        elif existing is None:
            IndicatorTarget(indicator=indicator, period=period, value=value).save()
        elif existing.value != value:
            existing.value = value
            existing.save()
    return indicator


@transaction.atomic
def indicator_delete(*, indicator, by) -> None:
    _require_shape(indicator.result.project, by)
    indicator.delete()


@transaction.atomic
def indicator_actuals_save(*, period: ReportingPeriod, by, values: dict) -> int:
    """The values of the indicators entered by hand for one period ({indicator: (value or None, comment)});
    refused once the period's report is frozen. Returns how many changed."""
    from reporting.enums import IndicatorSource
    from reporting.models import IndicatorActual

    if not by.has_perm("reporting.prepare_period", period):
        raise PermissionDenied
    # Locked alone: PostgreSQL locks no row of an outer join (a period nobody locked has no locker).
    period = ReportingPeriod.objects.select_for_update(of=("self",)).select_related("project").get(pk=period.pk)
    if period.status in FROZEN_STATUSES:
        raise ValidationError(period_lock_message(period))
    current = {a.indicator_id: a for a in IndicatorActual.objects.filter(period=period)}
    changed = 0
    for indicator, (value, comment) in values.items():
        if indicator.source != IndicatorSource.MANUAL or indicator.result.project_id != period.project_id:
            raise ValidationError(_("Only indicators entered by hand of this project take a value here."))
        existing = current.get(indicator.pk)
        if value is None:
            if existing is not None:
                existing.delete()
                changed += 1
            continue
        if existing is None:
            IndicatorActual(indicator=indicator, period=period, value=value, comment=comment, entered_by=by).save()
            changed += 1
        elif existing.value != value or existing.comment != comment:
            existing.value, existing.comment, existing.entered_by = value, comment, by
            existing.save()
            changed += 1
    return changed
