"""Activity counted by a submitted or locked report cannot change: group attendance, session
cancellations, held counseling sessions and training attendance. The message names the period and who
locked it; the next, open period takes changes as before."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.enums import AttendanceStatus
from counseling.enums import BookingStatus
from counseling.models import Booking
from counseling.services import booking_mark
from groups.models import Attendance, GroupSession
from groups.services import Mark, attendance_record, session_cancel
from tests.helpers import passing_once
from trainings import services as training_services
from trainings.models import TrainingAttendance

pytestmark = pytest.mark.django_db

LOCKED_DAY = date(2022, 5, 10)  # in Q2 2022, the first period
OPEN_DAY = date(2022, 8, 10)  # in Q3 2022, still open


@pytest.fixture
def locked(lock):
    return lock()


def _assert_names_the_period(refused, project_manager):
    message = refused.value.messages[0]
    assert "Q2 2022" in message and project_manager.profile.full_name in message


def test_group_attendance_in_a_locked_period_is_refused(groups_data, lock, project_manager, facilitator):
    cohort, members = groups_data("Spring", [LOCKED_DAY], 2)
    lock()
    session = GroupSession.objects.get(cohort=cohort)
    with pytest.raises(ValidationError) as refused:
        attendance_record(session=session, marks={members[0].pk: Mark(AttendanceStatus.ABSENT)}, by=facilitator)
    _assert_names_the_period(refused, project_manager)
    assert Attendance.objects.get(session=session, member=members[0]).status == AttendanceStatus.PRESENT

    with pytest.raises(ValidationError):
        session_cancel(session=session, reason="Storm", by=facilitator)
    assert not GroupSession.objects.get(pk=session.pk).cancelled


def test_group_attendance_in_an_open_period_is_saved(groups_data, locked, facilitator):
    cohort, members = groups_data("Summer", [OPEN_DAY], 1)
    session = GroupSession.objects.get(cohort=cohort)
    attendance_record(session=session, marks={members[0].pk: Mark(AttendanceStatus.ABSENT)}, by=facilitator)
    assert Attendance.objects.get(session=session).status == AttendanceStatus.ABSENT


def test_marking_a_counseling_session_in_a_locked_period_is_refused(
    counseling_data, locked, project_manager, coordinator
):
    counseling_data(LOCKED_DAY, status=BookingStatus.CONFIRMED)
    booking = Booking.objects.get()
    with pytest.raises(ValidationError) as refused:
        booking_mark(booking=booking, status=BookingStatus.HELD, by=coordinator)
    _assert_names_the_period(refused, project_manager)
    assert Booking.objects.get().status == BookingStatus.CONFIRMED

    counseling_data(OPEN_DAY, status=BookingStatus.CONFIRMED)
    later = Booking.objects.exclude(pk=booking.pk).get()
    booking_mark(booking=later, status=BookingStatus.HELD, by=coordinator)
    assert Booking.objects.get(pk=later.pk).status == BookingStatus.HELD


def test_training_attendance_in_a_locked_period_is_refused(trainings_data, lock, project_manager, make_user, trainer):
    edition = trainings_data(LOCKED_DAY, [make_user("Trainee")])
    locked = lock()
    attendance = TrainingAttendance.objects.get()
    session = attendance.session
    with pytest.raises(ValidationError) as refused:
        training_services.attendance_record(
            session=session, marks={attendance.enrollment_id: AttendanceStatus.ABSENT}, by=trainer
        )
    _assert_names_the_period(refused, project_manager)
    assert TrainingAttendance.objects.get().status == AttendanceStatus.PRESENT
    assert edition.project_id == locked.project_id


def test_the_facilitator_sees_the_lock_message_on_the_attendance_page(
    groups_data, lock, project_manager, client_for, coordinator
):
    cohort, members = groups_data("Spring", [LOCKED_DAY], 1)
    lock()
    session = GroupSession.objects.get(cohort=cohort)
    # crafted: the page shows a locked period's session read-only, without the attendance form.
    response = client_for(coordinator).post(
        reverse("groups:session_attendance", args=[session.pk]),
        {f"m-{members[0].pk}": AttendanceStatus.ABSENT},
        follow=True,
    )
    assert response.status_code == 200
    assert "Q2 2022" in response.content.decode()
    assert Attendance.objects.get(session=session).status == AttendanceStatus.PRESENT


def test_a_period_locked_after_the_services_check_is_still_refused_in_words(
    groups_data,
    trainings_data,
    counseling_data,
    lock,
    project_manager,
    facilitator,
    trainer,
    coordinator,
    make_user,
    monkeypatch,
):
    """The period is locked between a service's check and its write: the database refuses the write
    (reporting.locks), and the person is told why in the same words, not shown an error page."""
    from counseling import services as counseling_services
    from groups import services as groups_services

    cohort, members = groups_data("Spring", [LOCKED_DAY], 1)
    trainings_data(LOCKED_DAY, [make_user("Trainee")])
    counseling_data(LOCKED_DAY, status=BookingStatus.CONFIRMED)
    lock()

    for module in (groups_services, training_services, counseling_services):
        monkeypatch.setattr(module, "period_guard", passing_once(module.period_guard))

    session = GroupSession.objects.get(cohort=cohort)
    with pytest.raises(ValidationError) as refused:
        attendance_record(session=session, marks={members[0].pk: Mark(AttendanceStatus.ABSENT)}, by=facilitator)
    _assert_names_the_period(refused, project_manager)
    assert Attendance.objects.get(session=session).status == AttendanceStatus.PRESENT

    mark = TrainingAttendance.objects.get()
    with pytest.raises(ValidationError) as refused:
        training_services.attendance_record(
            session=mark.session, marks={mark.enrollment_id: AttendanceStatus.ABSENT}, by=trainer
        )
    _assert_names_the_period(refused, project_manager)
    assert TrainingAttendance.objects.get().status == AttendanceStatus.PRESENT

    with pytest.raises(ValidationError) as refused:
        booking_mark(booking=Booking.objects.get(), status=BookingStatus.HELD, by=coordinator)
    _assert_names_the_period(refused, project_manager)
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
