"""Demo data: the donor project from the project brief, with four quarterly periods, the first one locked.

It brings a year of fictional, pseudonymous activity (dated inside the project), which the activity apps
add through the registry, because their own demo data are dated around today; their demo.py can fund
more activity through demo_project().
"""

from datetime import date, timedelta
from decimal import Decimal

from accounts.enums import Role
from core import dates
from reporting.enums import Cadence, IndicatorMeasure, IndicatorSource, PeriodStatus, ResultType, Transition
from reporting.measures import registry
from reporting.models import (
    DonorProject,
    Indicator,
    IndicatorActual,
    IndicatorTarget,
    PeriodLogEntry,
    Programme,
    ReportingPeriod,
    Result,
    ResultIndicator,
)
from reporting.services import period_label, period_spans, snapshot_create

DEMO_PROJECT_TITLE = "Safe Together: self-support, counseling and training against partner violence"

TARGETS = {
    "women_in_groups": 60,
    "group_sessions_held": 96,
    "group_attendances": 700,
    "attendance_rate": 75,
    "counseling_sessions_held": 400,
    "clients_counselled": 80,
    "training_editions_held": 6,
    "trainees_trained": 120,
    "certificates_issued": 100,
    "organisations_reached": 30,
}


def demo_project() -> DonorProject:
    """The demo donor project (created if missing): other apps' demo.py link their activity to it."""
    project, _created = DonorProject.objects.get_or_create(
        title=DEMO_PROJECT_TITLE,
        defaults={
            "donor": "Ministry of Family Welfare and Equality",
            "grant_number": "MFWE-401-00-187/2022",
            "start_date": date(2022, 4, 1),
            "end_date": date(2023, 4, 1),
            "partners": "Mreža Sigurni Dom (a network of eleven women's NGOs in Vojvodina and Šumadija)",
            "aim": "Women who survived partner violence regain safety and independence through peer support "
            "and counseling; professionals in social work and health services recognise and refer.",
            "target_groups": "Women survivors of partner violence; social workers, nurses and police officers.",
            "planned_activities": "Eight self-support group cohorts of 12 sessions; experiential and case-based "
            "counseling; six accredited training editions for professionals.",
            "cadence": Cadence.QUARTERLY,
            "due_days": 30,
        },
    )
    return project


def load(*, users, stdout=None):
    project = demo_project()
    manager = users.get(Role.PROJECT_MANAGER)
    coordinator = users.get(Role.COORDINATOR)
    if manager is not None:
        project.managers.add(manager)
    for order, (code, target) in enumerate(TARGETS.items()):
        Indicator.objects.get_or_create(
            project=project, code=code, defaults={"target": Decimal(target), "sort_order": order}
        )
    for start, end in period_spans(start=project.start_date, end=project.end_date, months=3):
        ReportingPeriod.objects.get_or_create(
            project=project,
            start_date=start,
            defaults={"label": period_label(start, end, 3), "end_date": end, "due_date": end + timedelta(days=30)},
        )
    _activity(project, users)
    _results_framework(project, manager)
    first = project.periods.order_by("start_date").first()
    if first.status != PeriodStatus.LOCKED and coordinator is not None:
        first.achievements = (
            "Two cohorts started in Novi Sad and Zrenjanin; the counseling team held its first case conferences "
            "with the Centre for Social Work."
        )
        first.challenges = "Finding a second accessible room in Zrenjanin took longer than planned."
        first.next_steps = "Open a third cohort in Kragujevac and the first training edition for social workers."
        first.status = PeriodStatus.LOCKED
        first.locked_by, first.locked_at = coordinator, dates.now()
        first.save()
        snapshot_create(period=first, by=coordinator)
        PeriodLogEntry.objects.create(
            period=first,
            transition=Transition.LOCK,
            from_status=PeriodStatus.APPROVED,
            to_status=PeriodStatus.LOCKED,
            by=coordinator,
        )
    if stdout is not None:
        stdout.write(f"    donor project: {project.title} ({project.periods.count()} periods)")


def _activity(project, users):
    """A year of fictional, pseudonymous activity funded by the project (Apr 2022 - Mar 2023), so that its
    reports, including the locked one, show real figures: each activity app adds its part (its DemoActivity
    registered with reporting.measures)."""
    for demo in registry().demos:
        demo.load(project=project, users=users)


# (result type, result, [(indicator, measure or "" for one entered by hand, measured as, unit, baseline,
#   baseline year, target, target per quarter, values entered by hand per quarter, means of verification)])
FRAMEWORK = [
    (
        ResultType.OUTCOME,
        "Women who survived partner violence regain safety and independence",
        [
            ("Women taking part in self-support groups", "women_in_groups", "1", "women", 0, 2021, 60, 15, (), ""),
            (
                "Women who say they feel safer after the group",
                "",
                "2",
                "%",
                40,
                2021,
                75,
                70,
                ((62, "Exit questionnaire, 2 cohorts"),),
                "Anonymous exit questionnaire at each cohort's last session",
            ),
        ],
    ),
    (
        ResultType.OUTPUT,
        "Self-support groups, counseling and trainings are delivered",
        [
            ("Group sessions held", "group_sessions_held", "1", "sessions", 0, 2021, 96, 24, (), ""),
            ("Professionals trained", "trainees_trained", "1", "trainees", 0, 2021, 120, 30, (), ""),
            (
                "Coordination meetings with centres for social work",
                "",
                "1",
                "meetings",
                2,
                2021,
                12,
                3,
                ((3, "Minutes kept by the coordinator"),),
                "Minutes of the meetings",
            ),
        ],
    ),
]


def _results_framework(project, manager) -> None:
    """The demo project's results chain, targets per quarter and the first quarter's values by hand (set
    before that quarter is locked)."""
    if Result.objects.filter(project=project).exists():
        return
    programme, _created = Programme.objects.get_or_create(
        name="Vojvodina programme against partner violence",
        defaults={"description": "Self-support, counseling and training in the municipalities of Vojvodina."},
    )
    project.programme = programme
    project.save(update_fields=["programme"])
    periods = list(project.periods.order_by("start_date"))
    for order, (kind, title, indicators) in enumerate(FRAMEWORK):
        result = Result.objects.create(project=project, result_type=kind, title=title, sort_order=order)
        for position, (name, measure, measured, unit, baseline, year, target, per_period, values, mov) in enumerate(
            indicators
        ):
            indicator = ResultIndicator.objects.create(
                result=result,
                title=name,
                source=IndicatorSource.COMPUTED if measure else IndicatorSource.MANUAL,
                measure=measure,
                measure_type=IndicatorMeasure(measured),
                unit=unit,
                baseline_value=Decimal(baseline),
                baseline_year=year,
                target=Decimal(target),
                means_of_verification=mov,
                sort_order=position,
            )
            for period in periods:
                IndicatorTarget.objects.create(indicator=indicator, period=period, value=Decimal(per_period))
            for period, (value, comment) in zip(periods, values, strict=False):
                IndicatorActual.objects.create(
                    indicator=indicator, period=period, value=Decimal(value), comment=comment, entered_by=manager
                )
