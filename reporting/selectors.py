"""Reads: projects and periods scoped to the user, what is due, and the figures of a report."""

from dataclasses import dataclass
from datetime import timedelta

import rules
from django.db.models import Count, Q

from core import dates
from core.formatting import local_moment
from reporting.enums import FROZEN_STATUSES, PeriodStatus
from reporting.models import DonorProject, ReportingPeriod


def projects_for(user):
    """Coordinators see every project; project managers the ones they manage; anyone else none."""
    projects = DonorProject.objects.all()
    if rules.test_rule("reporting.sees_every_project", user):
        return projects
    if rules.test_rule("reporting.sees_managed_projects", user):
        return projects.filter(managers=user)
    return projects.none()


def periods_for(user):
    return ReportingPeriod.objects.filter(project__in=projects_for(user)).select_related(
        "project", "locked_by__profile"
    )


def projects_overview(user):
    return projects_for(user).annotate(
        period_count=Count("periods", distinct=True),
        open_count=Count("periods", filter=~Q(periods__status__in=FROZEN_STATUSES), distinct=True),
    )


def periods_due(user, *, within_days=60):
    """Reports not yet submitted whose due date is within the coming weeks or already past."""
    horizon = dates.today() + timedelta(days=within_days)
    return (
        periods_for(user)
        .exclude(status__in=FROZEN_STATUSES)
        .filter(due_date__lte=horizon)
        .order_by("due_date", "project__title")
    )


def period_current_snapshot(period):
    if period.status not in FROZEN_STATUSES:
        return None
    return period.snapshots.select_related("created_by__profile").order_by("-created_at", "-id").first()


def person_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile.full_name if profile else "") or user.get_username()


def period_lock_message(period) -> str:
    """Which period, and who froze it: the message for anything refused because a period is frozen."""
    from django.utils.translation import gettext as _

    if period.status == PeriodStatus.LOCKED:
        return _(
            "The reporting period “%(period)s” of %(project)s was locked by %(who)s on %(when)s. "
            "Only a coordinator can unlock it."
        ) % {
            "period": period.label,
            "project": period.project.title,
            "who": person_name(period.locked_by) or _("a coordinator"),
            "when": local_moment(period.locked_at) if period.locked_at else "",
        }
    return _(
        "The reporting period “%(period)s” of %(project)s has been submitted to the donor; "
        "its report can no longer change. Only a coordinator can unlock it."
    ) % {"period": period.label, "project": period.project.title}


@dataclass
class ProgrammeMeasure:
    """One measure counted across the programme's projects: each project's figure to date against its target."""

    code: str
    label: str
    percent: bool
    rows: list  # (project title, to date as published, target)


@dataclass
class ProgrammeOverview:
    projects: list  # (project, [ResultView])
    measures: list[ProgrammeMeasure]


def programme_overview(*, programme, user) -> ProgrammeOverview:
    """The programme's projects the person may see, each read at its latest published report."""
    from reporting.enums import IndicatorMeasure
    from reporting.results import measure_label, results_frameworks

    projects = list(projects_for(user).filter(programme=programme).order_by("start_date", "title"))
    frameworks = results_frameworks(projects=projects)
    framed = [(project, frameworks[project.pk]) for project in projects]
    by_measure: dict[str, ProgrammeMeasure] = {}
    for project, results in framed:
        for result in results:
            for indicator in result.indicators:
                if not indicator.computed:
                    continue
                entry = by_measure.setdefault(
                    indicator.measure,
                    ProgrammeMeasure(
                        code=indicator.measure,
                        label=measure_label(indicator.measure),
                        percent=indicator.measure_type == IndicatorMeasure.PERCENTAGE,
                        rows=[],
                    ),
                )
                entry.rows.append((project.title, indicator.to_date, indicator.target))
    return ProgrammeOverview(projects=framed, measures=list(by_measure.values()))
