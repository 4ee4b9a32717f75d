"""Fixtures for donor reports: a project with quarterly periods and small helpers that make activity."""

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from core.enums import AttendanceStatus
from counseling.enums import BookingStatus, SessionKind
from counseling.models import Booking, Client, CounselorProfile
from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
from reporting.models import Indicator
from tests.helpers import donor_project_with_quarters
from trainings.enums import EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingProgramme, TrainingSession

_seq = count(1)


def at(day: date, hour=10):
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone()).replace(hour=hour)


@pytest.fixture
def project(db, project_manager):
    return donor_project_with_quarters(managers=[project_manager])


@pytest.fixture
def period(project):
    return project.periods.order_by("start_date").first()


@pytest.fixture
def lock(period, project_manager, coordinator):
    """Lock the first period once what it counts is recorded: the database refuses to add any after."""
    from reporting.enums import Transition
    from reporting.services import period_transition

    def _lock():
        locked = period
        for step in (Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK):
            by = coordinator if step == Transition.APPROVE else project_manager
            locked = period_transition(period=locked, transition=step, by=by)
        return locked

    return _lock


@pytest.fixture
def target(project):
    def _target(code, value):
        return Indicator.objects.create(project=project, code=code, target=Decimal(value))

    return _target


@pytest.fixture
def groups_data(project):
    """make(cohort_name, days, members, present=...) -> (cohort, members): present marks by default."""

    programme = GroupProgramme.objects.create(name="Self-support")

    def _make(name, days, members, *, status=AttendanceStatus.PRESENT, project_=project, aliases=None):
        cohort = Cohort.objects.create(programme=programme, name=name, start_date=days[0], project=project_)
        if isinstance(members, int):
            members = [
                Member.objects.create(alias=(aliases or {}).get(i, f"M{next(_seq)}"), code=f"C{next(_seq)}")
                for i in range(members)
            ]
        for member in members:
            Membership.objects.get_or_create(cohort=cohort, member=member, defaults={"joined_on": days[0]})
        for day in days:
            session = GroupSession.objects.create(cohort=cohort, start=at(day), end=at(day, 12))
            Attendance.objects.bulk_create(Attendance(session=session, member=m, status=status) for m in members)
        return cohort, members

    return _make


@pytest.fixture
def counseling_data(project, make_user):
    counselor = CounselorProfile.objects.create(user=make_user("Counselor"), session_kinds=list(SessionKind.values))

    taken = {}

    def _make(day, *, client=None, kind=SessionKind.EXPERIENTIAL, status=BookingStatus.HELD, alias=None):
        if client is None:
            client = Client.objects.create(alias=alias or f"Client{next(_seq)}", code=f"K{next(_seq)}")
        # One counselor is never double-booked (PostgreSQL's exclusion constraint): later bookings of a day
        # follow the earlier ones.
        slot = taken[day] = taken.get(day, -1) + 1
        Booking.objects.create(
            counselor=counselor,
            client=client,
            start=at(day, 10 + slot),
            end=at(day, 11 + slot),
            kind=kind,
            status=status,
            project=project,
        )
        return client

    return _make


@pytest.fixture
def trainings_data(project, make_user):
    programme = TrainingProgramme.objects.create(title="Recognising partner violence")

    def _make(day, trainees, *, municipality="Novi Sad", status=AttendanceStatus.PRESENT):
        edition = Edition.objects.create(
            programme=programme,
            start_date=day,
            end_date=day,
            municipality=municipality,
            enrolment_opens=datetime(2022, 1, 1, tzinfo=UTC),
            enrolment_closes=datetime(2022, 3, 1, tzinfo=UTC),
            project=project,
        )
        session = TrainingSession.objects.create(edition=edition, start=at(day), end=at(day, 16))
        for user in trainees:
            enrollment = Enrollment.objects.create(edition=edition, user=user, status=EnrollmentStatus.ENROLLED)
            TrainingAttendance.objects.create(session=session, enrollment=enrollment, status=status)
        return edition

    return _make
