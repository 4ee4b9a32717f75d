"""The ORM door (a shell, a command, code that forgot its service) and below it the database: the same
rules hold, with a clear message, and nothing is saved."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from core import dates
from core.appendonly import AppendOnlyError
from core.enums import AttendanceStatus
from trainings import services
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.models import (
    CompletionChange,
    Edition,
    Enrollment,
    TrainingAttendance,
    TrainingAttendanceChange,
    TrainingSession,
)

pytestmark = pytest.mark.django_db


def _full(make_edition, trainees, *, capacity=1, waiting=1):
    edition = make_edition(capacity=capacity)
    people = trainees(capacity + waiting)
    enrollments = [services.enrollment_create(edition=edition, user=person) for person in people]
    return edition, enrollments


def test_an_enrolment_status_changes_only_through_its_workflow(make_edition, trainees):
    edition, (seated, waiting) = _full(make_edition, trainees)
    seated.status = EnrollmentStatus.CANCELLED
    with pytest.raises(ValidationError, match="changes only through"):
        seated.save()
    assert Enrollment.objects.get(pk=seated.pk).status == EnrollmentStatus.ENROLLED
    assert Enrollment.objects.get(pk=waiting.pk).status == EnrollmentStatus.WAITLISTED


def test_no_door_overbooks_an_edition(make_edition, trainees):
    edition, (seated, waiting) = _full(make_edition, trainees)
    newcomer = trainees(1)[0]
    with pytest.raises(ValidationError, match="full"):
        Enrollment.objects.create(edition=edition, user=newcomer, status=EnrollmentStatus.ENROLLED)
    # Below the model: a queryset update or a bulk insert meets the database's own rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.filter(pk=waiting.pk).update(status=EnrollmentStatus.ENROLLED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.bulk_create([Enrollment(edition=edition, user=newcomer, status=EnrollmentStatus.ENROLLED)])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE trainings_enrollment SET status = 'enrolled' WHERE id = %s", [waiting.pk])
    assert Enrollment.objects.filter(edition=edition, status=EnrollmentStatus.ENROLLED).count() == 1


def test_capacity_never_drops_below_the_seats_held(make_edition, trainees):
    edition, _enrollments = _full(make_edition, trainees, capacity=2, waiting=0)
    edition.capacity = 1
    with pytest.raises(ValidationError, match="2 seats are already held"):
        edition.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(capacity=1)
    assert Edition.objects.get(pk=edition.pk).capacity == 2


def test_capacity_is_not_raised_past_the_waitlist(make_edition, trainees):
    edition, (_seated, waiting) = _full(make_edition, trainees)
    edition.capacity = 2
    with pytest.raises(ValidationError, match="waiting for a seat"):
        edition.save()
    assert Edition.objects.get(pk=edition.pk).capacity == 1


def test_a_seat_freed_by_a_raw_update_still_goes_to_the_waitlist_first(make_edition, trainees):
    """Even when the capacity was raised behind the services' back, a newcomer queues behind who waits."""
    edition, (_seated, waiting) = _full(make_edition, trainees)
    Edition.objects.filter(pk=edition.pk).update(capacity=2)
    newcomer = services.enrollment_create(edition=edition, user=trainees(1)[0])
    assert Enrollment.objects.get(pk=waiting.pk).status == EnrollmentStatus.ENROLLED
    assert newcomer.status == EnrollmentStatus.WAITLISTED


def test_an_edition_is_not_closed_by_saving_its_status(edition):
    """Closing works out every participant's completion: neither the model's save nor a queryset's update
    (which does not call it) closes an edition past that."""
    edition.status = EditionStatus.CLOSED
    with pytest.raises(ValidationError, match="Close edition"):
        edition.save()
    with pytest.raises(ValidationError, match="Close edition"), transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(status=EditionStatus.CLOSED)
    assert Edition.objects.get(pk=edition.pk).status == EditionStatus.OPEN
    Edition.objects.filter(pk=edition.pk).update(venue="Room 4")  # what is not the closing goes through
    assert Edition.objects.get(pk=edition.pk).venue == "Room 4"


def test_project_change_through_the_orm_meets_the_lock(make_edition, project, period_lock):
    edition = make_edition(start_in=-20, project=project)
    period_lock(dates.today() - timedelta(days=40), dates.today() - timedelta(days=1))
    edition.project = None
    with pytest.raises(ValidationError, match="its project stays"):
        edition.save()
    assert Edition.objects.get(pk=edition.pk).project_id == project.pk


def test_a_moved_session_gets_a_higher_sequence_by_any_door(edition):
    session = edition.sessions.first()
    session.start += timedelta(hours=1)
    session.end += timedelta(hours=1)
    session.save()
    assert TrainingSession.objects.get(pk=session.pk).sequence == 1
    TrainingSession.objects.filter(pk=session.pk).update(cancelled=True)
    assert TrainingSession.objects.get(pk=session.pk).sequence == 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE trainings_trainingsession SET cancelled = %s WHERE id = %s", [False, session.pk])
    assert TrainingSession.objects.get(pk=session.pk).sequence == 3


def test_moving_a_session_through_the_orm_meets_the_lock(make_edition, project, period_lock):
    edition = make_edition(start_in=3, project=project)
    period_lock(dates.today(), dates.today() + timedelta(days=10))
    session = edition.sessions.first()
    session.start += timedelta(hours=1)
    with pytest.raises(ValidationError, match="locked"):
        session.save()
    assert TrainingSession.objects.get(pk=session.pk).start == edition.sessions.first().start


def test_a_session_with_attendance_is_neither_cancelled_nor_deleted(make_edition, trainee, trainer, clock):
    edition = make_edition(start_in=1)
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.first()
    clock(session.start)
    services.attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.PRESENT}, by=trainer)
    session.cancelled = True
    with pytest.raises(ValidationError, match="cannot be cancelled"):
        session.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        TrainingSession.objects.get(pk=session.pk).delete()
    assert TrainingAttendance.objects.count() == 1


def test_an_enrolment_is_not_deleted_behind_the_waitlist(make_edition, trainees):
    """Her seat would be free with the waitlist still waiting: the model and its queryset (which does not call
    the model's delete) refuse alike."""
    _edition, (seated, waiting) = _full(make_edition, trainees)
    with pytest.raises(ValidationError, match="cancelling"):
        seated.delete()
    with pytest.raises(ValidationError, match="cancelling"), transaction.atomic():
        Enrollment.objects.filter(pk=seated.pk).delete()
    with pytest.raises(ValidationError, match="cancelling"), transaction.atomic():
        seated.edition.enrollments.all().delete()
    assert set(Enrollment.objects.values_list("pk", "status")) == {
        (seated.pk, EnrollmentStatus.ENROLLED),
        (waiting.pk, EnrollmentStatus.WAITLISTED),
    }


def test_completion_decisions_are_append_only(make_edition, trainee, coordinator, after):
    edition = make_edition(start_in=1)
    services.enrollment_create(edition=edition, user=trainee)
    after(edition)
    services.edition_close(edition=edition, by=coordinator)
    change = CompletionChange.objects.get()
    change.reason = "edited"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        CompletionChange.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM trainings_completionchange")
    assert CompletionChange.objects.count() == 1


@pytest.fixture
def marked(make_edition, trainee, trainer, clock):
    """One mark, made through the attendance service on the session's day."""
    edition = make_edition(start_in=1, trainers=[trainer])
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.first()
    clock(session.start)
    services.attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.PRESENT}, by=trainer)
    return TrainingAttendance.objects.get()


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_change_of_a_mark_is_logged_whatever_the_door(marked, trainer):
    P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED
    TrainingAttendance.objects.filter(pk=marked.pk).update(status=A)  # a queryset update
    _raw('UPDATE "trainings_trainingattendance" SET "status" = %s WHERE "id" = %s', [E, marked.pk])  # raw SQL
    marked.refresh_from_db()
    marked.status = P
    marked.save()  # the model, without the service's stamps

    changes = list(TrainingAttendanceChange.objects.order_by("pk"))
    assert [(c.old_status, c.new_status) for c in changes] == [("", P), (P, A), (A, E), (E, P)]
    assert (changes[0].changed_by, changes[0].marked_at) == (trainer, marked.recorded_at)
    # A change nobody stamped is recorded without an author or a time marked, never attributed to the last
    # one who marked.
    assert [(c.changed_by, c.marked_at) for c in changes[1:]] == [(None, None)] * 3


def test_the_attendance_change_log_stays_as_written(marked):
    change = TrainingAttendanceChange.objects.get()
    change.new_status = AttendanceStatus.ABSENT
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        TrainingAttendanceChange.objects.filter(pk=change.pk).update(new_status=AttendanceStatus.ABSENT)
    with pytest.raises(AppendOnlyError):
        TrainingAttendanceChange.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw('UPDATE "trainings_trainingattendancechange" SET "new_status" = %s', [AttendanceStatus.ABSENT])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw('DELETE FROM "trainings_trainingattendancechange" WHERE "id" = %s', [change.pk])
    # A mark with a history is not deleted through the ORM either: the history points at it.
    with pytest.raises(ProtectedError):
        TrainingAttendance.objects.filter(pk=marked.pk).delete()
    assert TrainingAttendanceChange.objects.values_list("new_status", flat=True).get() == AttendanceStatus.PRESENT
    # Clearing who made it stays possible: the database does so when a staff account is deleted.
    assert TrainingAttendanceChange.objects.filter(pk=change.pk).update(changed_by=None) == 1


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_a_session_the_participants_sheet_and_a_lock_name_their_moment_in_her_language(edition, period_lock, language):
    """A training session's name (the admin's titles and choices), its column of the participants' sheet and
    the lock's message give the moment in the reader's form of dates, where they wrote 06.04.2022 17:00 in
    every language."""
    import io

    from django.utils import translation
    from openpyxl import load_workbook

    from core.formatting import local_moment
    from reporting.selectors import period_lock_message
    from trainings.exports import participants_xlsx

    session = edition.sessions.order_by("start").first()
    today = dates.today()
    period = period_lock(today - timedelta(days=40), today - timedelta(days=10))
    with translation.override(language):
        written = local_moment(session.start)
        assert str(session) == f"{edition} {written}"
        sheet = participants_xlsx(edition=edition, sessions=[session], rows=[], filename="p.xlsx")
        assert load_workbook(io.BytesIO(sheet.content)).active.cell(row=1, column=6).value == written
        assert local_moment(period.locked_at) in period_lock_message(period)
    assert written != dates.local_time(session.start).strftime("%d.%m.%Y %H:%M")
