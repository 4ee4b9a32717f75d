"""Demo data: the donor project from the project brief, with four quarterly periods, the first one locked.

It brings a year of fictional, pseudonymous activity (dated inside the project), which the activity apps
add through the registry, because their own demo data are dated around today; their demo.py can fund
more activity through demo_project().
"""

from datetime import date, timedelta
from decimal import Decimal

from accounts.enums import Role
from core import dates
from reporting.enums import Cadence, PeriodStatus, Transition
from reporting.measures import registry
from reporting.models import DonorProject, Indicator, PeriodLogEntry, ReportingPeriod
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
