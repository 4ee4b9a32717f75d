"""Demo data: the donor project from the project brief, with four quarterly periods, the first one locked.

Other apps' demo data run after this one (see load_demo) and link their cohorts, editions and bookings
through demo_project().
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.enums import Role
from reporting.enums import Cadence, PeriodStatus, Transition
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
    _link_activity(project)
    first = project.periods.order_by("start_date").first()
    if first.status != PeriodStatus.LOCKED and coordinator is not None:
        first.achievements = (
            "Two cohorts started in Novi Sad and Zrenjanin; the counseling team held its first case conferences "
            "with the Centre for Social Work."
        )
        first.challenges = "Finding a second accessible room in Zrenjanin took longer than planned."
        first.next_steps = "Open a third cohort in Kragujevac and the first training edition for social workers."
        first.status = PeriodStatus.LOCKED
        first.locked_by, first.locked_at = coordinator, timezone.now()
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


def _link_activity(project):
    """Activity that already exists without a funder is counted for the demo project."""
    from counseling.models import Booking
    from groups.models import Cohort
    from trainings.models import Edition

    Cohort.objects.filter(project__isnull=True).update(project=project)
    Edition.objects.filter(project__isnull=True).update(project=project)
    Booking.objects.filter(project__isnull=True).update(project=project)
