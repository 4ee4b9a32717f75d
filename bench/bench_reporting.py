"""Donor report of one quarter with 100,000 group attendance rows: on screen figures and the XLSX.

The data (100 cohorts x 40 women x 25 sessions, 600 counseling sessions, 10 training editions) is made
once with bulk_create in the bench database and reused. Prints median time, peak memory and query count.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

TITLE = "Bench reporting: the second quarter with 100,000 attendances"
COHORTS, MEMBERS, SESSIONS = 100, 40, 25
PERIOD_START, PERIOD_END = date(2025, 1, 1), date(2025, 3, 31)


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


@transaction.atomic
def _build():
    from accounts.models import Profile
    from counseling.enums import BookingStatus, SessionKind
    from counseling.models import Booking, Client, CounselorProfile
    from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
    from reporting.models import DonorProject, Indicator, ReportingPeriod
    from reporting.services import period_spans
    from trainings.enums import EnrollmentStatus
    from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingProgramme, TrainingSession
    from website.enums import AttendanceStatus

    tz = _tz()
    User = get_user_model()
    # The measured quarter is the project's second, so "project to date" is a longer span than the period.
    project = DonorProject.objects.create(
        title=TITLE, donor="Bench ministry", start_date=date(2024, 10, 1), end_date=date(2025, 9, 30)
    )
    for code, target in [("women_in_groups", 5000), ("group_attendances", 200_000), ("trainees_trained", 300)]:
        Indicator.objects.create(project=project, code=code, target=target)
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(project=project, label=f"P{n}", start_date=start, end_date=end, due_date=end + timedelta(30))
        for n, (start, end) in enumerate(period_spans(start=project.start_date, end=project.end_date, months=3))
    )
    programme = GroupProgramme.objects.create(name="Bench reporting programme")
    cohorts = Cohort.objects.bulk_create(
        Cohort(programme=programme, name=f"Bench report cohort {n:03d}", start_date=PERIOD_START, project=project)
        for n in range(COHORTS)
    )
    members = Member.objects.bulk_create(
        Member(alias=f"BR{n}", code=f"BENCH-R2-{n:05d}") for n in range(COHORTS * MEMBERS)
    )
    Membership.objects.bulk_create(
        Membership(cohort=cohort, member=members[c * MEMBERS + m], joined_on=PERIOD_START)
        for c, cohort in enumerate(cohorts)
        for m in range(MEMBERS)
    )
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            cohort=cohort,
            start=datetime.combine(PERIOD_START + timedelta(days=3 * s + c % 3), time(17), tzinfo=tz),
            end=datetime.combine(PERIOD_START + timedelta(days=3 * s + c % 3), time(19), tzinfo=tz),
        )
        for c, cohort in enumerate(cohorts)
        for s in range(SESSIONS)
    )
    statuses = [AttendanceStatus.PRESENT] * 8 + [AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED]
    Attendance.objects.bulk_create(
        (
            Attendance(session=session, member=members[(i // SESSIONS) * MEMBERS + m], status=statuses[(i + m) % 10])
            for i, session in enumerate(sessions)
            for m in range(MEMBERS)
        ),
        batch_size=5000,
    )
    counselor_user = User.objects.create(username="bench-report2-counselor@example.org")
    counselor = CounselorProfile.objects.create(user=counselor_user, session_kinds=list(SessionKind.values))
    clients = Client.objects.bulk_create(Client(alias=f"BC{n}", code=f"BENCH-R2C-{n:04d}") for n in range(200))
    kinds = list(SessionKind.values)
    Booking.objects.bulk_create(
        Booking(
            counselor=counselor,
            client=clients[n % 200],
            start=datetime.combine(PERIOD_START + timedelta(days=n % 89), time(9 + n % 8), tzinfo=tz),
            end=datetime.combine(PERIOD_START + timedelta(days=n % 89), time(9 + n % 8, 50), tzinfo=tz),
            kind=kinds[n % len(kinds)],
            status=BookingStatus.HELD,
            project=project,
        )
        for n in range(600)
    )
    trainees = User.objects.bulk_create(
        User(username=f"bench-report2-t{n}@example.org", email=f"bench-report2-t{n}@example.org") for n in range(200)
    )
    towns = ["Novi Sad", "Zrenjanin", "Subotica", "Niš", "Kragujevac"]
    Profile.objects.bulk_create(
        Profile(user=u, full_name=f"T{n}", organisation=f"CSW {towns[n % 5]}", municipality=towns[n % 5])
        for n, u in enumerate(trainees)
    )
    training = TrainingProgramme.objects.create(title="Bench reporting training")
    for e in range(10):
        day = PERIOD_START + timedelta(days=7 * e + 2)
        edition = Edition.objects.create(
            programme=training,
            start_date=day,
            end_date=day,
            municipality=towns[e % 5],
            enrolment_opens=datetime(2024, 11, 1, tzinfo=tz),
            enrolment_closes=datetime(2024, 12, 1, tzinfo=tz),
            project=project,
        )
        session = TrainingSession.objects.create(
            edition=edition,
            start=datetime.combine(day, time(9), tzinfo=tz),
            end=datetime.combine(day, time(16), tzinfo=tz),
        )
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(edition=edition, user=u, status=EnrollmentStatus.COMPLETED)
            for u in trainees[e * 20 : e * 20 + 20]
        )
        TrainingAttendance.objects.bulk_create(
            TrainingAttendance(session=session, enrollment=en, status=AttendanceStatus.PRESENT) for en in enrollments
        )
    return project


def run(measure):
    from groups.models import Attendance
    from reporting.exports import report_sheets
    from reporting.models import DonorProject
    from reporting.report import report_figures, report_view
    from reporting.services import snapshot_create
    from website.exports import xlsx_build

    project = DonorProject.objects.filter(title=TITLE).first() or _build()
    period = project.periods.get(start_date=PERIOD_START)
    rows = Attendance.objects.filter(session__cohort__project=project).count()
    user = get_user_model().objects.get(username="bench-report2-counselor@example.org")

    def xlsx_live():
        return xlsx_build(report_sheets(report_view(period=period, user=user), downloaded_by="bench"))

    size = len(xlsx_live())
    results = [
        measure("reporting: figures of a quarter (live)", lambda: report_figures(period=period), runs=3),
        measure(
            "reporting: XLSX of a quarter (live)",
            xlsx_live,
            runs=3,
            note=f"{rows:,} attendance rows in the period; workbook {size // 1024} KiB",
        ),
    ]
    # A submitted period: the report is read back from its snapshot.
    snapshot = snapshot_create(period=period, by=user)
    period.status = "submitted"
    try:
        results.append(measure("reporting: XLSX of a quarter (frozen snapshot)", xlsx_live, runs=5))
    finally:
        period.status = "open"
        snapshot.delete()
    return results
