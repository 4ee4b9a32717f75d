"""A generated data set of realistic size for `make bench`.

An NGO with 50 cohorts, 400 members, 20 counselors, 3,000 bookings, 100 training editions, 2,500
trainees and 100,000 attendance rows (group and training attendance together), all funded by one donor
project whose past quarters are reported and locked. Dates are laid out around the day it is built, so
that there is a current week of bookings, running cohorts and an upcoming training catalogue.

Rows are written with bulk_create; workflows whose rules matter to the pages measured (cases, action plans,
certificates, reporting periods) go through their services. Made once per bench database and reused: a
marker project records that it is there. The benchmarks find their objects with the `dataset_*` helpers
below and never delete a row of it.
"""

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from core import dates

MARKER = "Bench data set"
SIZES = {
    "cohorts": 50,
    "members": 400,
    "counselors": 20,
    "bookings": 3000,
    "editions": 100,
    "trainees": 2500,
    "attendance_rows": 100_000,
    # Three years of the audit log: staff screens write an entry per opening and one per list shown.
    "audit_entries": 300_000,
}
# `make bench` also builds the data set at ten times SIZES (SCALE = 10, a database of its own): more of
# everything side by side (cohorts, counselors, editions in the same weeks), not a longer history, and each
# person's own share (a counselor's clients, a trainer's editions, the returning trainee's) as at 1x.
SCALE = 1
# The address the generated audit entries come from (a documentation range): the pages measured write
# entries of their own, which dataset_counts must not count.
AUDIT_ADDRESS = "192.0.2.10"
# Usernames of the data set's people: <prefix><n>@example.org
FACILITATOR, COUNSELOR, TRAINER, TRAINEE = "bench-fac", "bench-cns", "bench-trn", "bench-tee"
COORDINATOR, MANAGER = "bench-coordinator", "bench-manager"
BUILT_ON = "Built for the benchmarks on "
# The trainee who comes back: enrolled in every REGULAR_EVERY-th edition, so her dashboard has a history.
REGULAR_EVERY = 8
CLIENTS_PER_COUNSELOR = 30
SESSIONS_PER_EDITION = 6
UPCOMING_GROUP_SESSIONS = 8

FIRST_NAMES = ["Jelena", "Milica", "Ana", "Marija", "Dragana", "Snežana", "Ivana", "Gordana", "Đurđa", "Ljiljana"]
LAST_NAMES = ["Petrović", "Jovanović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić", "Šarić", "Čolić"]
MUNICIPALITIES = ["Novi Sad", "Zrenjanin", "Subotica", "Niš", "Kragujevac", "Beograd", "Pančevo", "Sombor"]
ORGANISATIONS = [f"Centar za socijalni rad {m}" for m in MUNICIPALITIES] + ["Udruženje Sigurna", "Udruženje Iskra"]


def dataset_project():
    from reporting.models import DonorProject

    return DonorProject.objects.filter(title=MARKER).first()


def dataset_ensure(stdout=None):
    """The data set's donor project, after building the data set if this database does not have it yet."""
    return dataset_project() or _build(stdout)


def dataset_ready(*, scale: int = 1, stdout=None):
    """The data set at `scale` times SIZES (SCALE above), built if this database does not have it yet, with
    fresh planner statistics, as a database in use has them: right after a bulk load PostgreSQL still
    believes the tables are nearly empty and picks nested loops that cost seconds."""
    global SCALE, SIZES
    SIZES = {name: size // SCALE * scale for name, size in SIZES.items()}
    SCALE = scale
    project = dataset_ensure(stdout)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return project


def dataset_built_on(project) -> date | None:
    """The day the data set's dates were laid out around."""
    if not project.aim.startswith(BUILT_ON):
        return None
    return date.fromisoformat(project.aim.removeprefix(BUILT_ON))


def dataset_user(prefix, n=0):
    return get_user_model().objects.get(username=f"{prefix}{n}@example.org")


def dataset_counts(project=None) -> dict:
    """What the data set holds, in the terms of SIZES, counted from the database."""
    from accounts.enums import Role
    from audit.models import AuditEntry
    from counseling.models import Booking, CounselorProfile
    from groups.models import Attendance, Cohort, Member
    from trainings.models import Edition, TrainingAttendance

    project = project or dataset_project()
    users = get_user_model().objects
    return {
        "cohorts": Cohort.objects.filter(project=project).count(),
        "members": Member.objects.filter(memberships__cohort__project=project).distinct().count(),
        "counselors": CounselorProfile.objects.filter(user__username__startswith=COUNSELOR).count(),
        "bookings": Booking.objects.filter(project=project).count(),
        "editions": Edition.objects.filter(project=project).count(),
        "trainees": users.filter(username__startswith=TRAINEE, groups__name=Role.TRAINEE).count(),
        "attendance_rows": Attendance.objects.filter(session__cohort__project=project).count()
        + TrainingAttendance.objects.filter(session__edition__project=project).count(),
        "audit_entries": AuditEntry.objects.filter(ip_address=AUDIT_ADDRESS).count(),
    }


def _name(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


class _Calendar:
    """Dates relative to the Monday of the week the data set is built in."""

    def __init__(self):
        self.tz = timezone.get_current_timezone()
        self.today = dates.today()
        self.week0 = self.today - timedelta(days=self.today.weekday())

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def weekday(self, week: int, weekday: int) -> date:
        return self.week0 + timedelta(weeks=week, days=weekday)


@transaction.atomic
def _build(stdout=None):
    log = (lambda text: stdout.write(f"  data set: {text}\n")) if stdout else (lambda text: None)
    rng = random.Random(2026)
    cal = _Calendar()
    staff = _people(rng, log)
    project = _project(cal, staff)
    training = _trainings(rng, cal, project, staff, log)
    first_days = [training["first_day"]]
    first_days.append(_groups(rng, cal, project, staff, SIZES["attendance_rows"] - training["attendance_rows"], log))
    clients, first_day = _counseling(rng, cal, project, staff, log)
    first_days.append(first_day)
    # The grant began with its first activity, on the first of that month.
    project.start_date = min(first_days).replace(day=1)
    project.save(update_fields=["start_date"])
    _cases(rng, cal, clients, log)
    _certificates(training["completed"], log)
    _audit_log(rng, cal, staff, log)
    # Planner statistics for the rows just written (this transaction's own): without them PostgreSQL takes
    # the tables for empty and counts a quarter's reports with nested loops that run for minutes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _reports(cal, project, staff, log)
    return project


def _users(prefix, count, rng, password, role, **profile):
    from accounts.models import Profile

    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"{prefix}{n}@example.org", email=f"{prefix}{n}@example.org", password=password)
        for n in range(count)
    )
    Profile.objects.bulk_create(
        Profile(
            user=user,
            full_name=_name(rng),
            organisation=rng.choice(ORGANISATIONS),
            municipality=rng.choice(MUNICIPALITIES),
            job_title=profile.get("job_title", "Socijalna radnica"),
        )
        for user in users
    )
    group = _role_group(role)
    User.groups.through.objects.bulk_create(User.groups.through(user_id=u.pk, group_id=group.pk) for u in users)
    return users


def _role_group(role):
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=role)[0]


def _people(rng, log):
    from accounts.enums import Role
    from accounts.roles import role_grant

    # One hash for everyone: hashing 2,500 passwords would take minutes and measure nothing.
    password = make_password("bench-only-password")
    staff = {
        "facilitators": _users(FACILITATOR, max(1, SIZES["cohorts"] // 2), rng, password, Role.FACILITATOR),
        "counselors": _users(COUNSELOR, SIZES["counselors"], rng, password, Role.COUNSELOR),
        "trainers": _users(TRAINER, max(1, SIZES["editions"] // 10), rng, password, Role.TRAINER),
        "trainees": _users(TRAINEE, SIZES["trainees"], rng, password, Role.TRAINEE),
    }
    staff["coordinator"] = _users(COORDINATOR, 1, rng, password, Role.COORDINATOR)[0]
    role_grant(user=staff["coordinator"], role=Role.COORDINATOR)  # also makes her a staff user
    staff["manager"] = _users(MANAGER, 1, rng, password, Role.PROJECT_MANAGER)[0]
    log(f"{get_user_model().objects.filter(username__startswith='bench-').count()} people")
    return staff


def _trainings(rng, cal, project, staff, log):
    """Past editions (one a week, closed, attended) and upcoming ones (open, the catalogue)."""
    from certificates.models import Accreditation
    from core.enums import AttendanceStatus
    from trainings.demo import _catalogue_page
    from trainings.enums import EditionStatus, EnrollmentStatus
    from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingProgramme, TrainingSession

    _catalogue_page()  # the public site's page that lists the upcoming editions
    titles = [
        "Rad sa ženama koje su preživele nasilje",
        "Procena rizika i plan bezbednosti",
        "Trauma-informisan pristup u socijalnoj zaštiti",
        "Podrška deci svedocima nasilja",
        "Multisektorska saradnja u zaštiti od nasilja",
    ]
    programmes = TrainingProgramme.objects.bulk_create(
        TrainingProgramme(title=title, hours=Decimal("24.0"), summary="Trodnevna akreditovana obuka.")
        for title in titles
    )
    for n, programme in enumerate(programmes[:3]):
        accreditation = Accreditation.objects.create(
            body="Republički zavod za socijalnu zaštitu",
            decision_number=f"153-02-{n + 1:03d}/2025",
            decision_date=cal.today - timedelta(days=900),
            valid_from=cal.today - timedelta(days=880),
            valid_until=cal.today + timedelta(days=400),
            points=Decimal("12.0"),
            hours=Decimal("24.0"),
            certificate_validity_months=60,
        )
        accreditation.programmes.add(programme)

    count = SIZES["editions"]
    upcoming = max(1, count // 5)
    past = count - upcoming
    now = dates.now()
    editions = []
    for i in range(count):
        week = (i - past) // SCALE + (0 if i < past else 1)
        start = cal.weekday(week, 1)  # Tuesday to Thursday
        editions.append(
            Edition(
                programme=programmes[i % len(programmes)],
                start_date=start,
                end_date=start + timedelta(days=2),
                municipality=MUNICIPALITIES[i % len(MUNICIPALITIES)],
                venue="Sala za obuke",
                capacity=30,
                enrolment_opens=cal.at(start - timedelta(days=60), 8),
                enrolment_closes=cal.at(start - timedelta(days=2), 12),
                status=EditionStatus.CLOSED if i < past else EditionStatus.OPEN,
                project=project,
            )
        )
    Edition.objects.bulk_create(editions)
    trainers = staff["trainers"]
    Edition.trainers.through.objects.bulk_create(
        Edition.trainers.through(edition_id=e.pk, user_id=trainers[i % len(trainers)].pk)
        for i, e in enumerate(editions)
    )
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            edition=edition,
            start=cal.at(edition.start_date + timedelta(days=s // 2), 9 if s % 2 == 0 else 13),
            end=cal.at(edition.start_date + timedelta(days=s // 2), 12 if s % 2 == 0 else 16),
        )
        for edition in editions
        for s in range(SESSIONS_PER_EDITION)
    )
    regular, *pool = staff["trainees"]
    pool = pool or [regular]
    enrollments, cursor = [], 0
    for i, edition in enumerate(editions):
        if i >= past and edition.enrolment_opens > now:
            continue  # enrolment has not opened yet
        people = [pool[(cursor + j) % len(pool)] for j in range(25 if i < past else 18)]
        cursor += len(people)
        if i % (REGULAR_EVERY * SCALE) == 0 and regular not in people:
            people.append(regular)
        for j, user in enumerate(people):
            if i >= past:
                status = EnrollmentStatus.ENROLLED
            else:
                status = EnrollmentStatus.NOT_COMPLETED if j % 12 == 11 else EnrollmentStatus.COMPLETED
            enrollments.append(Enrollment(edition=edition, user=user, status=status))
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    sessions_of = {}
    for session in sessions:
        sessions_of.setdefault(session.edition_id, []).append(session)
    marks = [AttendanceStatus.PRESENT] * 9 + [AttendanceStatus.ABSENT]
    rows = [
        TrainingAttendance(
            session=session,
            enrollment=enrollment,
            status=AttendanceStatus.ABSENT
            if enrollment.status == EnrollmentStatus.NOT_COMPLETED and s % 2
            else rng.choice(marks),
        )
        for enrollment in enrollments
        if enrollment.status != EnrollmentStatus.ENROLLED
        for s, session in enumerate(sessions_of[enrollment.edition_id])
    ]
    TrainingAttendance.objects.bulk_create(rows, batch_size=5000)
    log(f"{count} training editions, {len(enrollments)} enrolments, {len(rows)} training attendance rows")
    return {
        "attendance_rows": len(rows),
        "first_day": editions[0].start_date,
        "completed": [e for e in enrollments if e.status == EnrollmentStatus.COMPLETED],
    }


def _groups(rng, cal, project, staff, budget, log):
    """Two waves of cohorts meeting twice a week; every member goes through one cohort of each wave.

    The first wave is closed, the second is running: its last sessions lie ahead or wait to be marked.
    Past sessions carry attendance rows until the budget of rows is spent.
    """
    from core.enums import AttendanceStatus
    from groups.enums import CohortStatus, MembershipOutcome
    from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership

    members = Member.objects.bulk_create(
        Member(alias=rng.choice(FIRST_NAMES), code=f"BM-{n:05d}", children_count=rng.choice([0, 1, 1, 2, 3]))
        for n in range(SIZES["members"])
    )
    count = SIZES["cohorts"]
    first_wave = max(1, count // 2)
    memberships_per_cohort = math.ceil(2 * len(members) / count)
    # Sessions each cohort needs so that its members' marks add up to the budget.
    held = max(1, math.ceil(max(budget, 0) / (2 * len(members))))
    weeks = math.ceil(held / 2)
    starts = [cal.weekday(-(2 * weeks + 1), 0), cal.weekday(-weeks, 0)]
    programme = GroupProgramme.objects.create(
        name="Grupa podrške za majke", purpose="Osnaživanje žena posle nasilja.", usual_session_count=held
    )
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            programme=programme,
            name=f"Grupa {MUNICIPALITIES[n % len(MUNICIPALITIES)]} {n + 1:02d}",
            start_date=starts[n >= first_wave] + timedelta(days=n % 2),
            end_date=starts[1] - timedelta(days=5) if n < first_wave else None,
            capacity=memberships_per_cohort,
            venue="Savetovalište",
            status=CohortStatus.CLOSED if n < first_wave else CohortStatus.RUNNING,
            project=project,
        )
        for n in range(count)
    )
    facilitators = staff["facilitators"]
    Cohort.facilitators.through.objects.bulk_create(
        Cohort.facilitators.through(cohort_id=c.pk, user_id=facilitators[n % len(facilitators)].pk)
        for n, c in enumerate(cohorts)
    )
    memberships = []
    for wave in (cohorts[:first_wave], cohorts[first_wave:] or cohorts[:first_wave]):
        shuffled = members[:]
        rng.shuffle(shuffled)
        for n, member in enumerate(shuffled):
            cohort = wave[n % len(wave)]
            closed = cohort.status == CohortStatus.CLOSED
            memberships.append(
                Membership(
                    cohort=cohort,
                    member=member,
                    joined_on=cohort.start_date,
                    left_on=cohort.end_date if closed else None,
                    outcome=MembershipOutcome.COMPLETED if closed else "",
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=2000)
    sessions = []
    topics = ["Upoznavanje", "Granice", "Roditeljstvo", "Samopouzdanje", "Mreža podrške", "Planiranje"]
    for cohort in cohorts:
        total = held + (UPCOMING_GROUP_SESSIONS if cohort.status == CohortStatus.RUNNING else 0)
        for s in range(total):
            day = cohort.start_date + timedelta(weeks=s // 2, days=3 * (s % 2))
            sessions.append(
                GroupSession(cohort=cohort, start=cal.at(day, 17), end=cal.at(day, 19), topic=topics[s % len(topics)])
            )
    GroupSession.objects.bulk_create(sessions, batch_size=2000)
    members_of = {}
    for membership in memberships:
        members_of.setdefault(membership.cohort_id, []).append(membership.member_id)
    now = dates.now()
    marks = [AttendanceStatus.PRESENT] * 7 + [AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED]
    # The oldest sessions are marked first; what the budget does not reach is the latest, not yet marked.
    past = sorted((s for s in sessions if s.end < now), key=lambda s: (s.start, s.cohort_id))
    rows = [
        Attendance(session=session, member_id=member_id, status=rng.choice(marks))
        for session in past
        for member_id in members_of[session.cohort_id]
    ][: max(budget, 0)]
    Attendance.objects.bulk_create(rows, batch_size=5000)
    log(f"{count} cohorts, {len(members)} members, {len(sessions)} group sessions, {len(rows)} group attendance rows")
    return starts[0]


def _counseling(rng, cal, project, staff, log):
    """Counselors working Monday to Friday, one session a weekday each: past weeks held, coming weeks booked."""
    from counseling.enums import BookingStatus, SessionKind
    from counseling.models import AvailabilityException, AvailabilityWindow, Booking, Client, CounselorProfile, Room

    profiles = CounselorProfile.objects.bulk_create(
        CounselorProfile(
            user=user,
            session_kinds=list(SessionKind.values),
            trained_for_violence=n % 4 != 3,
            languages="srpski",
        )
        for n, user in enumerate(staff["counselors"])
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(counselor=p, weekday=d, start_time=time(8), end_time=time(16))
        for p in profiles
        for d in range(5)
    )
    rooms = Room.objects.bulk_create(Room(name=f"Soba {n + 1}", location="Savetovalište") for n in range(6 * SCALE))
    clients = Client.objects.bulk_create(
        Client(alias=rng.choice(FIRST_NAMES), code=f"BC-{n:05d}", children_count=rng.choice([0, 1, 2]))
        for n in range(CLIENTS_PER_COUNSELOR * len(profiles))
    )
    Client.counselors.through.objects.bulk_create(
        Client.counselors.through(client_id=c.pk, counselorprofile_id=profiles[n % len(profiles)].pk)
        for n, c in enumerate(clients)
    )
    days_needed = math.ceil(SIZES["bookings"] / len(profiles))
    ahead = min(15, days_needed // 4)  # three weeks, the current one included
    workdays = [
        cal.weekday((d - (days_needed - ahead)) // 5, (d - (days_needed - ahead)) % 5) for d in range(days_needed)
    ]
    # Leave in the fourth week ahead, where nothing is booked yet: the slot finder has to skip it.
    AvailabilityException.objects.bulk_create(
        AvailabilityException(
            counselor=p, start=cal.at(cal.weekday(3, n % 5), 0), end=cal.at(cal.weekday(3, n % 5), 23), reason="Odmor"
        )
        for n, p in enumerate(profiles)
        if n % 4 == 0
    )
    now = dates.now()
    kinds = [SessionKind.EXPERIENTIAL, SessionKind.CASE_BASED, SessionKind.AFTERCARE]
    past_statuses = [BookingStatus.HELD] * 8 + [BookingStatus.NO_SHOW, BookingStatus.CANCELLED]
    bookings = []
    for i in range(SIZES["bookings"]):
        c, d = i % len(profiles), i // len(profiles)
        # Counselors sharing an hour on a day differ in c // 6, so they never share a room.
        hour = 9 + (c + d) % 6
        home_visit = (c + d) % 10 == 0
        start = cal.at(workdays[d], hour)
        kind = SessionKind.HOME_VISIT if home_visit else kinds[(c + d) % 3]
        if kind == SessionKind.CASE_BASED and not profiles[c].trained_for_violence:
            kind = SessionKind.EXPERIENTIAL
        bookings.append(
            Booking(
                counselor=profiles[c],
                room=None if home_visit else rooms[(c // 6) % len(rooms)],
                client=clients[c + len(profiles) * (d % CLIENTS_PER_COUNSELOR)],
                start=start,
                end=start + timedelta(minutes=50),
                kind=kind,
                status=rng.choice(past_statuses) if start < now else BookingStatus.CONFIRMED,
                created_by=staff["counselors"][c],
                project=project,
            )
        )
    Booking.objects.bulk_create(bookings, batch_size=2000)
    log(f"{len(profiles)} counselors, {len(clients)} clients, {len(bookings)} bookings")
    return clients, workdays[0]


def _project(cal, staff):
    from reporting.models import DonorProject, Indicator

    ends = cal.today + timedelta(days=190)
    project = DonorProject.objects.create(
        title=MARKER,
        donor="Ministarstvo za brigu o porodici",
        grant_number="401-00-123/2024",
        start_date=cal.today,  # moved back to the first activity once that is known
        end_date=ends.replace(day=1) - timedelta(days=1),
        partners="Udruženje Sigurna, Udruženje Iskra",
        aim=f"{BUILT_ON}{cal.today.isoformat()}",
    )
    project.managers.add(staff["manager"])
    targets = {"women_in_groups": 400, "group_attendances": 90_000, "trainees_trained": 2500}
    Indicator.objects.bulk_create(
        Indicator(project=project, code=code, target=target, sort_order=n)
        for n, (code, target) in enumerate(targets.items())
    )
    return project


def _cases(rng, cal, clients, log):
    """A case for every third client; CTI for every second case; each plan with a few steps, one with 40."""
    from cases import services
    from cases.enums import RISK_QUESTIONS, ActionArea, StepOwner, StepStatus
    from counseling.models import CounselorProfile

    profile_of = {p.pk: p for p in CounselorProfile.objects.select_related("user")}
    lead_of = dict(clients[0].counselors.through.objects.values_list("client_id", "counselorprofile_id"))
    cases = []
    for n, client in enumerate(clients[::3]):
        lead = profile_of[lead_of[client.pk]]
        opened = cal.today - timedelta(days=30 + (n * 7) % 400)
        case = services.case_open(client=client, lead_counselor=lead, opened_on=opened, by=lead.user)
        answers = {q.code: rng.random() < 0.35 for q in RISK_QUESTIONS}
        services.risk_assessment_record(
            case=case, assessed_on=opened + timedelta(days=3), answers=answers, by=lead.user
        )
        if n % 2 == 0:
            services.cti_course_save(
                case=case, start_on=max(opened, cal.today - timedelta(days=(n * 4) % 240)), by=lead.user
            )
        steps = 40 if n == 0 else n % 6
        for s in range(steps):
            services.action_step_add(
                case=case,
                expected_version=s,
                by=lead.user,
                area=list(ActionArea.values)[s % len(ActionArea.values)],
                description=f"Korak {s + 1}",
                owner=StepOwner.CLIENT,
                owner_institution=None,
                due_on=cal.today + timedelta(days=s),
                status=StepStatus.PLANNED,
            )
        if n % 5 == 4:
            services.case_close(
                case=case,
                closed_on=cal.today - timedelta(days=3),
                outcome="goals_met",
                reason="Cilj ostvaren.",
                by=lead.user,
            )
        cases.append(case)
    log(f"{len(cases)} cases")


def _certificates(completed, log):
    """Certificates of the completed enrolments in accredited programmes, issued the day after the end."""
    from certificates.services import certificate_issue
    from trainings.models import Enrollment

    accredited = Enrollment.objects.filter(
        pk__in=[e.pk for e in completed], edition__programme__accreditations__isnull=False
    ).select_related("user__profile", "edition__programme")
    issued = 0
    for enrollment in accredited.order_by("edition__start_date", "pk"):
        certificate_issue(enrollment=enrollment, issued_on=enrollment.edition.end_date + timedelta(days=1))
        issued += 1
    log(f"{issued} certificates")


def _audit_log(rng, cal, staff, log):
    """The entries three years of staff screens wrote: openings of a client, a member or a booking and lists
    naming many, spread evenly over the years up to now. Written with their own times (the model stamps
    new entries with the moment they are made), in batches, and never changed (the log is append-only)."""
    from django.contrib.contenttypes.models import ContentType

    from audit.enums import AuditAction
    from audit.models import AuditEntry
    from counseling.models import Booking, Client
    from groups.models import Member

    kinds = [ContentType.objects.get_for_model(model) for model in (Client, Member, Booking)]
    actors = [*staff["counselors"], *staff["facilitators"], staff["coordinator"]]
    total = SIZES["audit_entries"]
    span = timedelta(days=3 * 365).total_seconds()
    start = dates.now() - timedelta(seconds=span)
    stamped = AuditEntry._meta.get_field("at")
    stamped.auto_now_add = False
    try:
        for first in range(0, total, 20_000):
            batch = []
            for n in range(first, min(total, first + 20_000)):
                actor = actors[n % len(actors)]
                listed = n % 5 == 0
                batch.append(
                    AuditEntry(
                        at=start + timedelta(seconds=span * n / total),
                        actor=actor,
                        actor_email=actor.email,
                        action=AuditAction.VIEW,
                        content_type=kinds[n % len(kinds)],
                        object_id="" if listed else str(rng.randint(1, 5000)),
                        listed_ids="," + ",".join(str(rng.randint(1, 5000)) for _ in range(20)) + "," if listed else "",
                        ip_address=AUDIT_ADDRESS,
                        detail="list" if listed else "",
                    )
                )
            AuditEntry.objects.bulk_create(batch)
    finally:
        stamped.auto_now_add = True
    log(f"{total} audit entries over three years")


def _reports(cal, project, staff, log):
    """Quarterly periods; every quarter that ended before the last one is reported, approved and locked."""
    from reporting.enums import Cadence, Transition
    from reporting.services import period_transition, periods_generate

    coordinator, manager = staff["coordinator"], staff["manager"]
    periods_generate(project=project, cadence=Cadence.QUARTERLY, by=manager)
    ended = list(project.periods.filter(end_date__lt=cal.today).order_by("start_date"))
    for period in ended[:-1]:
        period_transition(period=period, transition=Transition.SUBMIT_FOR_REVIEW, by=manager)
        period_transition(period=period, transition=Transition.APPROVE, by=coordinator)
        period_transition(period=period, transition=Transition.LOCK, by=manager)
    log(f"{project.periods.count()} reporting periods, {max(len(ended) - 1, 0)} locked")
