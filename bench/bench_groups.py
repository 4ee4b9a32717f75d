"""The attendance overview of a 30-member, 40-session cohort: the page coordinators open most."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.middleware import SESSION_MFA_OK
from accounts.roles import role_grant
from groups.enums import CohortStatus
from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
from groups.selectors import cohort_attendance_grid
from website.enums import AttendanceStatus

COHORT_NAME = "Bench cohort 30x40"
MEMBERS, SESSIONS = 30, 40


def _data():
    User = get_user_model()
    facilitator, created = User.objects.get_or_create(
        username="bench-facilitator@example.org", defaults={"email": "bench-facilitator@example.org"}
    )
    if created:
        role_grant(user=facilitator, role=Role.FACILITATOR)
    cohort = Cohort.objects.filter(name=COHORT_NAME).first()
    if cohort is None:
        programme, _created = GroupProgramme.objects.get_or_create(name="Bench programme")
        first = timezone.now() - timedelta(weeks=SESSIONS - 2)
        cohort = Cohort.objects.create(
            programme=programme,
            name=COHORT_NAME,
            start_date=timezone.localdate(first),
            capacity=MEMBERS,
            status=CohortStatus.RUNNING,
        )
        cohort.facilitators.add(facilitator)
        sessions = GroupSession.objects.bulk_create(
            GroupSession(cohort=cohort, start=first + timedelta(weeks=n), end=first + timedelta(weeks=n, minutes=90))
            for n in range(SESSIONS)
        )
        members = Member.objects.bulk_create(Member(alias=f"Bench {n}", code=f"BENCH-{n:03d}") for n in range(MEMBERS))
        Membership.objects.bulk_create(
            Membership(cohort=cohort, member=m, joined_on=cohort.start_date + timedelta(weeks=n % 4))
            for n, m in enumerate(members)
        )
        statuses = [AttendanceStatus.PRESENT] * 7 + [AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED]
        Attendance.objects.bulk_create(
            Attendance(session=s, member=m, status=statuses[(i * 7 + j) % len(statuses)])
            for i, s in enumerate(sessions)
            for j, m in enumerate(members)
            if s.start <= timezone.now()
        )
    return facilitator, cohort


def run(measure):
    facilitator, cohort = _data()
    client = Client(HTTP_HOST="localhost")
    client.force_login(facilitator)
    # As after a completed second-factor login: the MFA middleware still runs, it just lets her through.
    session = client.session
    session[SESSION_MFA_OK] = True
    session.save()
    url = reverse("groups:cohort_overview", args=[cohort.pk])
    response = client.get(url)
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    note = f"{MEMBERS} members x {SESSIONS} sessions"
    return [
        measure("groups: overview grid selector 30x40", lambda: cohort_attendance_grid(cohort=cohort), note=note),
        measure("groups: overview page 30x40 (full request)", lambda: client.get(url), note=note),
        measure(
            "groups: overview XLSX 30x40",
            lambda: client.get(reverse("groups:cohort_overview_xlsx", args=[cohort.pk])),
            note=note,
        ),
    ]
