"""Demo data: two programmes, four cohorts with a term of sessions and realistic attendance. Fictional."""

import random
from datetime import time, timedelta

from accounts.enums import Role
from core import dates
from core.dates import local_date
from core.demo import beneficiary_profile, municipalities
from core.enums import AttendanceStatus
from groups.enums import CohortStatus, MembershipOutcome
from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
from groups.services import cohort_schedule_generate

PROGRAMMES = [
    (
        "Majke zajedno",
        "A closed group for mothers who survived partner violence and struggle with contact with their "
        "children: sharing experience, understanding the child's side, preparing for supervised contact.",
        "Mothers after partner violence with contact problems",
        12,
    ),
    (
        "Stærkere sammen",
        "A self-support group for women rebuilding everyday life after leaving a violent partner.",
        "Women after leaving a violent relationship",
        10,
    ),
]

ALIASES = [
    "Jasmina", "Vesna", "Snežana", "Dušica", "Ljiljana", "Mirjana", "Gordana", "Biljana", "Željka", "Nataša",
    "Tijana", "Đurđa", "Ivana", "Sanja", "Marija", "Mette", "Søs", "Åse", "Birthe", "Line", "Helle", "Ærtebjørg",
    "Kirsten", "Louise", "Camilla", "Rikke", "Jelica", "Radmila", "Milena", "Katarina",
]  # fmt: skip

# name, programme index, start offset in weeks from today, interval weeks, sessions, status, language, venue, room
COHORTS = [
    ("Majke zajedno – Novi Sad, proleće", 0, -6, 1, 12, CohortStatus.RUNNING, "sr-latn", "Ženski centar", "Sala 2"),
    ("Majke zajedno – Novi Sad, jesen", 0, -30, 1, 12, CohortStatus.CLOSED, "sr-latn", "Ženski centar", "Sala 2"),
    ("Majke zajedno – Zrenjanin", 0, 3, 1, 12, CohortStatus.PLANNED, "sr-latn", "Dom kulture", "Mala sala"),
    ("Stærkere sammen – Nørrebro", 1, -10, 2, 10, CohortStatus.RUNNING, "da", "Kvindehuset", "Lokale 3"),
]

# Where the women of a cohort mostly live, and a neighbouring municipality some come from. The Danish group's
# municipalities are not on the demo's list: there, none is recorded.
HOMES = {"Novi Sad": ("Novi Sad", "Sremska Mitrovica"), "Zrenjanin": ("Zrenjanin", "Kikinda")}


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


def load(*, users, stdout=None):
    facilitator = users.get(Role.FACILITATOR)
    programmes = []
    for name, purpose, target, sessions in PROGRAMMES:
        programme, _created = GroupProgramme.objects.get_or_create(
            name=name, defaults={"purpose": purpose, "target_group": target, "usual_session_count": sessions}
        )
        programmes.append(programme)

    today = dates.today()
    places = municipalities()
    alias_index = 0
    for index, (name, programme_index, offset, interval, count, status, language, venue, room) in enumerate(COHORTS):
        # Sessions on a weekday evening, the same weekday as the term started.
        first_date = today + timedelta(weeks=offset) - timedelta(days=today.weekday()) + timedelta(days=1 + index)
        cohort, created = Cohort.objects.get_or_create(
            name=name,
            defaults={
                "programme": programmes[programme_index],
                "start_date": first_date,
                "end_date": first_date + timedelta(weeks=interval * count),
                "capacity": 10,
                "venue": venue,
                "room": room,
                "language": language,
                "status": status,
            },
        )
        if facilitator is not None:
            cohort.facilitators.add(facilitator)
        if not cohort.sessions.exists():
            cohort_schedule_generate(
                cohort=cohort,
                first_date=cohort.start_date,
                start_time=time(17, 30),
                duration_minutes=90,
                count=count,
                interval_weeks=interval,
            )
        size = 0 if status == CohortStatus.PLANNED else 8
        town = next((town for town in HOMES if town in name), None)
        home, nearby = (places[HOMES[town][0]], places[HOMES[town][1]]) if town else (None, None)
        members = []
        for _n in range(size):
            alias = ALIASES[alias_index % len(ALIASES)]
            member, _created = Member.objects.get_or_create(
                code=f"DEMO-{alias_index + 1:03d}",
                defaults={
                    "alias": alias,
                    "children_count": (alias_index % 3) or None,
                    **beneficiary_profile(alias_index, home=home, nearby=nearby),
                },
            )
            alias_index += 1
            members.append(member)
        if created:
            _attendance_fill(cohort, members, status)
    _say(stdout, "groups: 2 programmes, 4 cohorts with sessions, members and attendance")


def _attendance_fill(cohort, members, status):
    rng = random.Random(cohort.name)  # reproducible demo data, not security
    now = dates.now()
    sessions = list(GroupSession.objects.filter(cohort=cohort).order_by("start"))
    memberships = []
    for position, member in enumerate(members):
        joined = cohort.start_date
        left, outcome = None, ""
        if position == len(members) - 1 and len(sessions) > 4:
            # One member joined late, after the third session.
            joined = local_date(sessions[3].start)
        if position == 2 and status == CohortStatus.CLOSED:
            left, outcome = local_date(sessions[5].start), MembershipOutcome.MOVED_ON
        elif status == CohortStatus.CLOSED:
            left, outcome = cohort.end_date, MembershipOutcome.COMPLETED
        membership, _created = Membership.objects.get_or_create(
            cohort=cohort, member=member, defaults={"joined_on": joined, "left_on": left, "outcome": outcome}
        )
        memberships.append(membership)
    marks = []
    held = [s for s in sessions if s.start <= now]
    for position, membership in enumerate(memberships):
        her_sessions = [
            s
            for s in held
            if membership.joined_on <= local_date(s.start)
            and (membership.left_on is None or local_date(s.start) <= membership.left_on)
        ]
        for number, session in enumerate(her_sessions):
            # The second member of a running cohort missed the last two sessions: she shows up for follow-up.
            if status == CohortStatus.RUNNING and position == 1 and number >= len(her_sessions) - 2:
                choice = AttendanceStatus.ABSENT
            else:
                roll = rng.random()
                choice = (
                    AttendanceStatus.PRESENT
                    if roll < 0.8
                    else AttendanceStatus.EXCUSED
                    if roll < 0.9
                    else AttendanceStatus.ABSENT
                )
            children = rng.randint(0, membership.member.children_count or 0) if choice == "present" else 0
            marks.append(
                Attendance(session=session, member=membership.member, status=choice, children_present=children)
            )
    Attendance.objects.bulk_create(marks, ignore_conflicts=True)
