"""A generated data set of realistic size for `make bench`.

An NGO with 50 cohorts, 400 members, 20 counselors, 3,000 bookings, 100 training editions,
2,500 trainees and 100,000 attendance rows (group and training attendance together). Built with
bulk_create; made once per bench database and reused (a marker project records that it is there).
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

MARKER = "Bench data set"
SIZES = {
    "cohorts": 50,
    "members": 400,
    "counselors": 20,
    "bookings": 3000,
    "editions": 100,
    "trainees": 2500,
    "attendance_rows": 100_000,
}


def dataset_ensure(stdout=None):
    from reporting.models import DonorProject

    project = DonorProject.objects.filter(title=MARKER).first()
    if project is None:
        project = _build(stdout)
    return project


@transaction.atomic
def _build(stdout=None):
    from accounts.enums import Role
    from accounts.models import Profile
    from accounts.roles import role_grant
    from counseling.enums import BookingStatus, SessionKind
    from counseling.models import Booking, Client, CounselorProfile, Room
    from groups.enums import CohortStatus
    from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
    from reporting.models import DonorProject
    from trainings.enums import EditionStatus, EnrollmentStatus
    from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingProgramme, TrainingSession
    from website.enums import AttendanceStatus

    rng = random.Random(2026)
    tz = ZoneInfo(settings.TIME_ZONE)
    User = get_user_model()
    password = make_password("bench-only-password")
    log = stdout.write if stdout else (lambda *_a: None)

    project = DonorProject.objects.create(
        title=MARKER, donor="Bench ministry", start_date=date(2025, 1, 1), end_date=date(2026, 12, 31)
    )
    period_start = date(2025, 1, 6)

    def local(day, hour, minute=0):
        return datetime.combine(day, time(hour, minute), tzinfo=tz)

    # Staff
    facilitators = User.objects.bulk_create(
        User(username=f"bench-fac{i}@example.org", email=f"bench-fac{i}@example.org", password=password)
        for i in range(25)
    )
    counselor_users = User.objects.bulk_create(
        User(username=f"bench-cns{i}@example.org", email=f"bench-cns{i}@example.org", password=password)
        for i in range(SIZES["counselors"])
    )
    trainers = User.objects.bulk_create(
        User(username=f"bench-trn{i}@example.org", email=f"bench-trn{i}@example.org", password=password)
        for i in range(10)
    )
    trainees = User.objects.bulk_create(
        User(username=f"bench-tee{i}@example.org", email=f"bench-tee{i}@example.org", password=password)
        for i in range(SIZES["trainees"])
    )
    municipalities = ["Novi Sad", "Zrenjanin", "Subotica", "Niš", "Kragujevac", "Beograd", "Pančevo", "Sombor"]
    organisations = [f"Centre for Social Work {m}" for m in municipalities] + ["NGO Sigurna", "NGO Iskra"]
    Profile.objects.bulk_create(
        Profile(
            user=user,
            full_name=f"Bench Person {user.pk}",
            organisation=rng.choice(organisations),
            job_title="Social worker",
            municipality=rng.choice(municipalities),
        )
        for user in [*facilitators, *counselor_users, *trainers, *trainees]
    )
    for users, role in [
        (facilitators, Role.FACILITATOR),
        (counselor_users, Role.COUNSELOR),
        (trainers, Role.TRAINER),
    ]:
        for user in users:
            role_grant(user=user, role=role)
    from django.contrib.auth.models import Group

    trainee_group = Group.objects.get(name=Role.TRAINEE)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=trainee_group.pk) for user in trainees
    )
    log("  bench data: users\n")

    # Groups: 50 cohorts x 8 members, 20 sessions each = 8,000 group attendance rows
    programme = GroupProgramme.objects.create(name="Bench mothers' group", usual_session_count=20)
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            programme=programme,
            name=f"Bench cohort {i:02d}",
            start_date=period_start,
            capacity=10,
            status=CohortStatus.RUNNING,
            project=project,
        )
        for i in range(SIZES["cohorts"])
    )
    for i, cohort in enumerate(cohorts):
        cohort.facilitators.add(facilitators[i % len(facilitators)])
    members = Member.objects.bulk_create(
        Member(alias=f"Bench member {i}", code=f"BM{i:05d}") for i in range(SIZES["members"])
    )
    memberships = []
    for i, member in enumerate(members):
        memberships.append(Membership(cohort=cohorts[i % len(cohorts)], member=member, joined_on=period_start))
    Membership.objects.bulk_create(memberships)
    sessions = []
    for cohort in cohorts:
        for week in range(20):
            day = period_start + timedelta(weeks=week)
            sessions.append(GroupSession(cohort=cohort, start=local(day, 17), end=local(day, 19), topic="Bench"))
    GroupSession.objects.bulk_create(sessions)
    members_by_cohort = {}
    for membership in memberships:
        members_by_cohort.setdefault(membership.cohort_id, []).append(membership.member_id)
    statuses = [AttendanceStatus.PRESENT] * 7 + [AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED]
    group_rows = [
        Attendance(session=session, member_id=member_id, status=rng.choice(statuses))
        for session in sessions
        for member_id in members_by_cohort.get(session.cohort_id, [])
    ]
    Attendance.objects.bulk_create(group_rows, batch_size=5000)
    log(f"  bench data: groups ({len(group_rows)} attendance rows)\n")

    # Counseling: 20 counselors, 6 rooms, 600 clients, 3,000 bookings
    profiles = CounselorProfile.objects.bulk_create(
        CounselorProfile(
            user=user,
            session_kinds=[SessionKind.EXPERIENTIAL, SessionKind.CASE_BASED, SessionKind.AFTERCARE],
            trained_for_violence=True,
        )
        for user in counselor_users
    )
    rooms = Room.objects.bulk_create(Room(name=f"Bench room {i}") for i in range(6))
    clients = Client.objects.bulk_create(Client(alias=f"Bench client {i}", code=f"BC{i:05d}") for i in range(600))
    bookings = []
    for i in range(SIZES["bookings"]):
        counselor = profiles[i % len(profiles)]
        slot = i // len(profiles)  # each counselor: one booking per slot, never overlapping
        day = period_start + timedelta(days=slot // 3)
        hour = 9 + (slot % 3) * 2
        bookings.append(
            Booking(
                counselor=counselor,
                room=rooms[(i + slot) % len(rooms)] if i % 10 else None,
                client=clients[i % len(clients)],
                start=local(day, hour),
                end=local(day, hour, 50),
                kind=rng.choice([SessionKind.EXPERIENTIAL, SessionKind.CASE_BASED, SessionKind.AFTERCARE]),
                status=rng.choice([BookingStatus.HELD] * 8 + [BookingStatus.NO_SHOW, BookingStatus.CANCELLED]),
                project=project,
            )
        )
    Booking.objects.bulk_create(bookings, batch_size=2000)
    log("  bench data: counseling\n")

    # Trainings: 100 editions of 5 programmes, 25 enrolments each (2,500 trainees), 6 sessions;
    # plus group rows make up the 100,000 attendance rows.
    programmes = TrainingProgramme.objects.bulk_create(
        TrainingProgramme(title=f"Bench training {i}", hours=12) for i in range(5)
    )
    editions = []
    for i in range(SIZES["editions"]):
        start = period_start + timedelta(days=7 * i)
        editions.append(
            Edition(
                programme=programmes[i % len(programmes)],
                start_date=start,
                end_date=start + timedelta(days=2),
                municipality=municipalities[i % len(municipalities)],
                capacity=25,
                enrolment_opens=local(start - timedelta(days=60), 8),
                enrolment_closes=local(start - timedelta(days=1), 8),
                status=EditionStatus.CLOSED if i < 80 else EditionStatus.OPEN,
                project=project,
            )
        )
    Edition.objects.bulk_create(editions)
    for i, edition in enumerate(editions):
        edition.trainers.add(trainers[i % len(trainers)])
    training_sessions_per_edition = 6
    tsessions = []
    for edition in editions:
        for s in range(training_sessions_per_edition):
            day = edition.start_date + timedelta(days=s // 2)
            hour = 9 if s % 2 == 0 else 13
            tsessions.append(TrainingSession(edition=edition, start=local(day, hour), end=local(day, hour + 2)))
    TrainingSession.objects.bulk_create(tsessions)
    enrollments = []
    for i, edition in enumerate(editions):
        for j in range(25):
            trainee = trainees[(i * 25 + j) % len(trainees)]
            enrollments.append(
                Enrollment(
                    edition=edition,
                    user=trainee,
                    status=EnrollmentStatus.COMPLETED if i < 80 else EnrollmentStatus.ENROLLED,
                )
            )
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    sessions_by_edition = {}
    for ts in tsessions:
        sessions_by_edition.setdefault(ts.edition_id, []).append(ts)
    remaining = SIZES["attendance_rows"] - len(group_rows)
    training_rows = []
    for enrollment in enrollments:
        for ts in sessions_by_edition[enrollment.edition_id]:
            training_rows.append(TrainingAttendance(session=ts, enrollment=enrollment, status=rng.choice(statuses)))
    TrainingAttendance.objects.bulk_create(training_rows, batch_size=5000)
    # Top up with extra group sessions so that the data set holds 100,000 attendance rows in all.
    remaining -= len(training_rows)
    extra_rows = []
    week = 20
    while remaining > 0:
        extra_sessions = []
        for cohort in cohorts:
            day = period_start + timedelta(weeks=week)
            extra_sessions.append(GroupSession(cohort=cohort, start=local(day, 17), end=local(day, 19)))
        GroupSession.objects.bulk_create(extra_sessions)
        for session in extra_sessions:
            for member_id in members_by_cohort.get(session.cohort_id, []):
                if remaining <= 0:
                    break
                extra_rows.append(Attendance(session=session, member_id=member_id, status=rng.choice(statuses)))
                remaining -= 1
        week += 1
    Attendance.objects.bulk_create(extra_rows, batch_size=5000)
    log(
        f"  bench data: trainings ({len(training_rows)} training attendance rows); "
        f"{len(group_rows) + len(extra_rows) + len(training_rows)} attendance rows in all\n"
    )
    return project
