"""Demo data: the donor project from the project brief, with four quarterly periods, the first one locked.

It brings a year of fictional, pseudonymous activity of its own (dated inside the project), because the
other apps' demo data are dated around today; their demo.py can fund more activity through demo_project().
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.enums import Role
from core import dates
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
    """A year of fictional activity funded by the project (Apr 2022 - Mar 2023), so that its reports,
    including the locked one, show real figures. Natural keys (codes, names, start times) keep it idempotent."""
    from core.enums import AttendanceStatus
    from counseling.enums import BookingStatus, SessionKind
    from counseling.models import Booking, Client, CounselorProfile
    from groups.enums import CohortStatus
    from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
    from trainings.enums import EditionStatus, EnrollmentStatus
    from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingProgramme, TrainingSession

    tz = timezone.get_current_timezone()
    programme, _created = GroupProgramme.objects.get_or_create(
        name="Self-support group (Safe Together cycle)", defaults={"usual_session_count": 12}
    )
    aliases = [
        "Sanja",
        "Dragica",
        "Vesna",
        "Biljana",
        "Jasmina",
        "Gordana",
        "Snežana",
        "Mirjana",
        "Ljubica",
        "Zorana",
        "Radmila",
        "Tijana",
        "Nevena",
        "Slađana",
        "Dušica",
        "Ivana",
    ]
    for index, (name, first_day, size) in enumerate(
        [
            ("Novi Sad, spring 2022", date(2022, 4, 6), 11),
            ("Zrenjanin, autumn 2022", date(2022, 9, 7), 9),
            ("Kragujevac, winter 2023", date(2023, 1, 11), 3),
        ]
    ):
        cohort, _created = Cohort.objects.get_or_create(
            name=name,
            defaults={
                "programme": programme,
                "start_date": first_day,
                "status": CohortStatus.CLOSED,
                "end_date": first_day + timedelta(weeks=11),
                "project": project,
            },
        )
        members = [
            Member.objects.get_or_create(code=f"ST22-{index}{n:02d}", defaults={"alias": aliases[(n + index) % 16]})[0]
            for n in range(size)
        ]
        # Two women of the autumn cohort had already been in the spring one: they count as continuing.
        if index == 1:
            members += [Member.objects.get(code="ST22-000"), Member.objects.get(code="ST22-001")]
        for member in members:
            Membership.objects.get_or_create(cohort=cohort, member=member, defaults={"joined_on": first_day})
        for week in range(12):
            start = datetime.combine(first_day + timedelta(weeks=week), time(17), tzinfo=tz)
            session, created = GroupSession.objects.get_or_create(
                cohort=cohort, start=start, defaults={"end": start + timedelta(minutes=90)}
            )
            if created:
                Attendance.objects.bulk_create(
                    Attendance(
                        session=session,
                        member=member,
                        status=AttendanceStatus.ABSENT if (week + n) % 6 == 5 else AttendanceStatus.PRESENT,
                    )
                    for n, member in enumerate(members)
                )
    counselor_user = users.get(Role.COUNSELOR)
    if counselor_user is not None:
        counselor, _created = CounselorProfile.objects.get_or_create(
            user=counselor_user, defaults={"session_kinds": list(SessionKind.values), "trained_for_violence": True}
        )
        clients = [
            Client.objects.get_or_create(code=f"ST22-K{n:02d}", defaults={"alias": aliases[(n * 5) % 16]})[0]
            for n in range(14)
        ]
        kinds = [
            SessionKind.EXPERIENTIAL,
            SessionKind.CASE_BASED,
            SessionKind.CASE_BASED,
            SessionKind.AFTERCARE,
            SessionKind.HOME_VISIT,
        ]
        for n in range(72):
            day = date(2022, 4, 4) + timedelta(days=5 * n)
            start = datetime.combine(day, time(9 + n % 6), tzinfo=tz)
            Booking.objects.get_or_create(
                counselor=counselor,
                start=start,
                defaults={
                    "end": start + timedelta(minutes=50),
                    "client": clients[(n * 3) % 14],
                    "kind": kinds[n % 5],
                    "status": BookingStatus.HELD if n % 9 else BookingStatus.NO_SHOW,
                    "project": project,
                },
            )
    trainee = users.get(Role.TRAINEE)
    training, _created = TrainingProgramme.objects.get_or_create(title="Recognising and referring partner violence")
    for day, town in [(date(2022, 6, 14), "Novi Sad"), (date(2022, 11, 8), "Zrenjanin")]:
        edition, _created = Edition.objects.get_or_create(
            programme=training,
            start_date=day,
            defaults={
                "end_date": day,
                "municipality": town,
                "status": EditionStatus.CLOSED,
                "project": project,
                "enrolment_opens": datetime.combine(day - timedelta(days=60), time(9), tzinfo=tz),
                "enrolment_closes": datetime.combine(day - timedelta(days=7), time(9), tzinfo=tz),
            },
        )
        start = datetime.combine(day, time(9), tzinfo=tz)
        session, _created = TrainingSession.objects.get_or_create(
            edition=edition, start=start, defaults={"end": start + timedelta(hours=7)}
        )
        if trainee is not None:
            enrollment, _created = Enrollment.objects.get_or_create(
                edition=edition, user=trainee, defaults={"status": EnrollmentStatus.COMPLETED}
            )
            TrainingAttendance.objects.get_or_create(
                session=session, enrollment=enrollment, defaults={"status": AttendanceStatus.PRESENT}
            )
