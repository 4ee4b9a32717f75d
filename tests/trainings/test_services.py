from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import formats, timezone

from accounts.enums import Role
from accounts.services import profile_save
from core import dates
from core.attendance import Mark, Outcome
from core.enums import AttendanceStatus
from tests.trainings.conftest import aware
from trainings import services
from trainings.enums import CompletionRule, EditionStatus, EnrollmentStatus
from trainings.models import (
    CompletionChange,
    Enrollment,
    TrainingAttendance,
    TrainingAttendanceChange,
    TrainingSession,
)
from trainings.reasons import reason_text
from trainings.signals import completion_changed, enrollment_completed

pytestmark = pytest.mark.django_db


def _content(attachment) -> bytes:
    return attachment.content if isinstance(attachment.content, bytes) else attachment.content.encode()


def _speaks(user, language):
    profile = user.profile
    profile_save(
        user=user,
        full_name=profile.full_name,
        organisation=profile.organisation,
        job_title=profile.job_title,
        preferred_language=language,
    )


@pytest.fixture
def received():
    """Every completion_changed sent during the test, as (enrollment id, completed, previous status, reason)."""
    signals = []

    def listener(sender, enrollment, completed, previous_status, reason, hours_attended, by, change, **kwargs):
        signals.append((enrollment.pk, completed, previous_status, reason))

    completion_changed.connect(listener)
    yield signals
    completion_changed.disconnect(listener)


# Enrolment and the waitlist -----------------------------------------------------------------------------


def test_enrol_takes_a_seat_then_the_waitlist(edition, trainees):
    first, second, third = trainees(3)
    assert services.enrollment_create(edition=edition, user=first).status == EnrollmentStatus.ENROLLED
    assert services.enrollment_create(edition=edition, user=second).status == EnrollmentStatus.ENROLLED
    assert services.enrollment_create(edition=edition, user=third).status == EnrollmentStatus.WAITLISTED


def test_enrol_twice_is_refused_and_the_database_forbids_it(edition, trainee):
    services.enrollment_create(edition=edition, user=trainee)
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrollment_create(edition=edition, user=trainee)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.bulk_create([Enrollment(edition=edition, user=trainee, status=EnrollmentStatus.WAITLISTED)])
    assert Enrollment.objects.filter(edition=edition, user=trainee).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": EditionStatus.CANCELLED}, "cancelled"),
        ({"start_in": -5}, "already taken place"),
        ({"enrolment_opens_in": 2}, "not opened yet"),
        ({"enrolment_closed": True}, "has closed"),
    ],
)
def test_enrol_bad_input_saves_nothing(make_edition, trainee, fields, message):
    now = dates.now()
    extra = dict(fields)
    if extra.pop("enrolment_opens_in", None):
        extra["enrolment_opens"] = now + timedelta(days=2)
        extra["enrolment_closes"] = now + timedelta(days=5)
    if extra.pop("enrolment_closed", None):
        extra["enrolment_opens"] = now - timedelta(days=10)
        extra["enrolment_closes"] = now - timedelta(days=1)
    edition = make_edition(**extra)
    with pytest.raises(ValidationError, match=message):
        services.enrollment_create(edition=edition, user=trainee)
    assert not Enrollment.objects.exists()
    assert not mail.outbox


def test_confirmation_email_has_dates_and_the_same_calendar_as_the_feed(
    edition, trainee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_create(edition=edition, user=trainee)
    (message,) = mail.outbox
    assert message.to == [trainee.email]
    assert formats.date_format(edition.start_date, "DATE_FORMAT") in message.body
    assert edition.programme.title in message.body
    assert edition.programme.title not in message.subject
    (attachment,) = message.attachments
    assert attachment.filename == "training.ics"
    content = _content(attachment)
    for session in edition.sessions.all():
        assert f"UID:training-session-{session.pk}@haven".encode() in content
    assert content.count(b"BEGIN:VEVENT") == 2


def test_cancel_promotes_the_first_on_the_waitlist(edition, trainees, django_capture_on_commit_callbacks):
    first, second, waiting, later = trainees(4)
    enrolment = services.enrollment_create(edition=edition, user=first)
    for person in (second, waiting, later):
        services.enrollment_create(edition=edition, user=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_cancel(enrollment=enrolment, by=first)
    assert Enrollment.objects.get(user=waiting).status == EnrollmentStatus.ENROLLED
    assert Enrollment.objects.get(user=later).status == EnrollmentStatus.WAITLISTED
    assert [m.to for m in mail.outbox] == [[waiting.email]]
    assert "now enrolled" in mail.outbox[0].body


def test_raising_the_capacity_promotes_the_waitlist_before_any_newcomer(
    make_edition, trainees, coordinator, django_capture_on_commit_callbacks
):
    """The reported case: a new sign-up took the seat ahead of two waiting women."""
    edition = make_edition(capacity=2)
    *seated, first_waiting, second_waiting = trainees(4)
    for person in (*seated, first_waiting, second_waiting):
        services.enrollment_create(edition=edition, user=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_update(edition=edition, changes={"capacity": 3}, by=coordinator)
    assert Enrollment.objects.get(user=first_waiting).status == EnrollmentStatus.ENROLLED
    assert [m.to for m in mail.outbox] == [[first_waiting.email]]
    newcomer = services.enrollment_create(edition=edition, user=trainees(1)[0])
    assert newcomer.status == EnrollmentStatus.WAITLISTED
    assert Enrollment.objects.get(user=second_waiting).status == EnrollmentStatus.WAITLISTED
    # The next seat goes to the one who waited longer, not to the newcomer.
    services.edition_update(edition=edition, changes={"capacity": 4}, by=coordinator)
    assert Enrollment.objects.get(user=second_waiting).status == EnrollmentStatus.ENROLLED
    assert Enrollment.objects.get(pk=newcomer.pk).status == EnrollmentStatus.WAITLISTED


def test_capacity_below_the_seats_held_is_refused(make_edition, trainees, coordinator):
    edition = make_edition(capacity=2)
    for person in trainees(2):
        services.enrollment_create(edition=edition, user=person)
    with pytest.raises(ValidationError, match="2 seats are already held"):
        services.edition_update(edition=edition, changes={"capacity": 1}, by=coordinator)
    edition.refresh_from_db()
    assert edition.capacity == 2


def test_promoted_into_an_approval_edition_she_is_told_it_waits_for_approval(
    make_edition, trainees, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=1, requires_approval=True)
    holder, waiting = trainees(2)
    seat = services.enrollment_create(edition=edition, user=holder)
    services.enrollment_create(edition=edition, user=waiting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_cancel(enrollment=seat, by=holder)
    assert Enrollment.objects.get(user=waiting).status == EnrollmentStatus.PENDING_APPROVAL
    (message,) = mail.outbox
    assert "waits for a coordinator's approval" in message.body
    assert "now enrolled" not in message.body


def test_promoted_waitlister_must_confirm_in_time(make_edition, trainees):
    edition = make_edition(capacity=1, promotion_needs_confirmation=True, confirm_days=2)
    holder, waiting, next_one = trainees(3)
    seat = services.enrollment_create(edition=edition, user=holder)
    services.enrollment_create(edition=edition, user=waiting)
    services.enrollment_create(edition=edition, user=next_one)
    services.enrollment_cancel(enrollment=seat, by=holder)
    offered = Enrollment.objects.get(user=waiting)
    assert offered.status == EnrollmentStatus.OFFERED
    assert offered.offer_expires_at > dates.now() + timedelta(days=1)

    later = dates.now() + timedelta(days=3)
    assert services.enrollment_offers_expire(now=later) == 1
    offered.refresh_from_db()
    assert offered.status == EnrollmentStatus.CANCELLED
    assert "not confirmed in time" in offered.reason_shown()
    passed_on = Enrollment.objects.get(user=next_one)
    assert passed_on.status == EnrollmentStatus.OFFERED
    with pytest.raises(ValidationError, match="expired"):
        services.enrollment_offer_confirm(enrollment=passed_on, by=next_one, now=passed_on.offer_expires_at)
    assert services.enrollment_offer_confirm(enrollment=passed_on, by=next_one).status == EnrollmentStatus.ENROLLED


def test_expire_offers_command(make_edition, trainees, clock):
    edition = make_edition(capacity=1, promotion_needs_confirmation=True)
    holder, waiting = trainees(2)
    seat = services.enrollment_create(edition=edition, user=holder)
    services.enrollment_create(edition=edition, user=waiting)
    services.enrollment_cancel(enrollment=seat, by=holder)
    clock(Enrollment.objects.get(user=waiting).offer_expires_at + timedelta(minutes=1))
    call_command("expire_training_offers", stdout=None)
    assert Enrollment.objects.get(user=waiting).status == EnrollmentStatus.CANCELLED


def test_approval_and_rejection_each_tell_her_in_her_language(
    make_edition, trainees, coordinator, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=1, requires_approval=True)
    first, second = trainees(2)
    _speaks(first, "da")
    pending = services.enrollment_create(edition=edition, user=first)
    assert pending.status == EnrollmentStatus.PENDING_APPROVAL
    # A pending enrolment holds its seat while the coordinator decides.
    assert services.enrollment_create(edition=edition, user=second).status == EnrollmentStatus.WAITLISTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_reject(enrollment=pending, by=coordinator, reason="Not a target profession")
    rejected = next(m for m in mail.outbox if m.to == [first.email])
    assert rejected.subject == "Din tilmelding til kurset blev ikke godkendt"
    assert "Not a target profession" in rejected.body
    assert Enrollment.objects.get(user=second).status == EnrollmentStatus.PENDING_APPROVAL
    approved = services.enrollment_approve(enrollment=Enrollment.objects.get(user=second), by=coordinator)
    assert approved.status == EnrollmentStatus.ENROLLED
    with pytest.raises(ValidationError):
        services.enrollment_approve(enrollment=approved, by=coordinator)


def test_priority_places_are_kept_for_partner_organisations(make_edition, trainees, make_user, project):
    edition = make_edition(capacity=2, priority_places=1, project=project)
    outsider, second_outsider = trainees(2, organisation="Other NGO")
    partner = make_user(Role.TRAINEE, organisation="centre for social work pančevo")
    assert services.enrollment_create(edition=edition, user=outsider).status == EnrollmentStatus.ENROLLED
    assert services.enrollment_create(edition=edition, user=second_outsider).status == EnrollmentStatus.WAITLISTED
    kept = services.enrollment_create(edition=edition, user=partner)
    assert kept.status == EnrollmentStatus.ENROLLED
    assert kept.priority


def test_coordinator_enrols_someone_on_her_behalf(
    make_edition, coordinator, trainee, django_capture_on_commit_callbacks
):
    now = dates.now()
    edition = make_edition(enrolment_opens=now - timedelta(days=9), enrolment_closes=now - timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        services.enrollment_on_behalf(edition=edition, person={"email": "x@example.org"}, by=trainee)
    person = {"email": "Milica.Novak@example.org", "full_name": "Milica Novak", "language": "da"}
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = services.enrollment_on_behalf(edition=edition, person=person, by=coordinator)
    assert enrollment.status == EnrollmentStatus.ENROLLED  # past the window: a coordinator may still
    user = enrollment.user
    assert not user.has_usable_password() and user.profile.preferred_language == "da"
    assert user.has_perm("trainings.view_trainee_panel")
    (message,) = mail.outbox
    assert "/da/accounts/password/reset/" in message.body
    # The same email finds the same person.
    again, created = services.trainee_find_or_create(email="milica.novak@EXAMPLE.org", full_name="")
    assert again == user and not created


# Transfers ------------------------------------------------------------------------------------------------


def test_transfer_moves_to_another_edition_and_frees_the_seat(make_edition, trainees):
    first = make_edition(capacity=1)
    second = make_edition(capacity=5, start_in=30)
    holder, waiting = trainees(2)
    enrollment = services.enrollment_create(edition=first, user=holder)
    services.enrollment_create(edition=first, user=waiting)
    new = services.enrollment_transfer(enrollment=enrollment, to_edition=second, by=holder)
    assert new.edition == second and new.status == EnrollmentStatus.ENROLLED
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TRANSFERRED and enrollment.transferred_to == new
    assert Enrollment.objects.get(user=waiting).status == EnrollmentStatus.ENROLLED


def test_a_transfer_that_would_lose_her_seat_is_refused(make_edition, trainees, make_user, project):
    source = make_edition(capacity=2)
    # The target's last seat is kept for partner organisations: she would land on its waitlist.
    target = make_edition(capacity=2, start_in=30, priority_places=1, project=project)
    holder, other = trainees(2, organisation="Other NGO")
    enrollment = services.enrollment_create(edition=source, user=holder)
    services.enrollment_create(edition=target, user=other)
    with pytest.raises(ValidationError, match="keep your seat"):
        services.enrollment_transfer(enrollment=enrollment, to_edition=target, by=holder)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert not Enrollment.objects.filter(edition=target, user=holder).exists()
    # Waiting somewhere else costs her nothing: a waitlister may move to another waitlist.
    waiting = services.enrollment_create(edition=make_edition(capacity=0, start_in=12), user=other)
    moved = services.enrollment_transfer(enrollment=waiting, to_edition=make_edition(capacity=0, start_in=40), by=other)
    assert moved.status == EnrollmentStatus.WAITLISTED


def test_transfer_to_another_programme_is_refused(make_edition, trainee):
    from trainings.models import TrainingProgramme

    other = TrainingProgramme.objects.create(title="Other")
    source = make_edition()
    target = make_edition(programme_=other)
    enrollment = services.enrollment_create(edition=source, user=trainee)
    with pytest.raises(ValidationError, match="same programme"):
        services.enrollment_transfer(enrollment=enrollment, to_edition=target, by=trainee)
    assert not Enrollment.objects.filter(edition=target).exists()


# Editions and sessions ------------------------------------------------------------------------------------


def test_moving_a_session_bumps_sequence_and_emails_those_enrolled_in_their_language(
    make_edition, trainees, coordinator, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=2)
    danish, serbian, waiting = trainees(3)
    _speaks(danish, "da")
    _speaks(serbian, "sr-latn")
    for person in (danish, serbian, waiting):
        services.enrollment_create(edition=edition, user=person)
    session = edition.sessions.first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_change(
            session=session,
            start=session.start + timedelta(hours=1),
            end=session.end + timedelta(hours=1),
            title=session.title,
            cancelled=False,
            by=coordinator,
        )
    session.refresh_from_db()
    assert session.sequence == 1
    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {danish.email, serbian.email}  # not the waitlist: she holds no seat
    assert by_person[danish.email].subject == "En ændring i din kursusplan"
    assert by_person[serbian.email].subject == "Promena u rasporedu vaše obuke"
    for message in mail.outbox:
        assert edition.programme.title not in message.subject
        (attachment,) = message.attachments
        assert b"SEQUENCE:1" in _content(attachment)


def test_cancelling_a_session_tells_those_enrolled_and_calendars_show_it_cancelled(
    edition, trainee, coordinator, django_capture_on_commit_callbacks
):
    services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.last()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_change(
            session=session, start=session.start, end=session.end, title=session.title, cancelled=True, by=coordinator
        )
    (message,) = mail.outbox
    assert "is cancelled" in message.body
    assert b"STATUS:CANCELLED" in _content(message.attachments[0])
    assert TrainingSession.objects.get(pk=session.pk).sequence == 1


def test_sessions_stay_within_their_edition(edition, coordinator):
    day = edition.end_date + timedelta(days=1)
    with pytest.raises(ValidationError, match="within the edition"):
        services.training_session_add(edition=edition, start=aware(day, 9), end=aware(day, 12), by=coordinator)
    with pytest.raises(ValidationError, match="end after it starts"):
        services.training_session_add(
            edition=edition, start=aware(edition.start_date, 12), end=aware(edition.start_date, 9), by=coordinator
        )
    assert edition.sessions.count() == 2


def test_session_changes_in_a_locked_period_are_refused(make_edition, project, period_lock, coordinator):
    edition = make_edition(start_in=3, project=project)
    session = edition.sessions.first()
    period_lock(dates.today(), dates.today() + timedelta(days=10))
    with pytest.raises(ValidationError, match="locked"):
        services.training_session_change(
            session=session, start=session.start, end=session.end, title="", cancelled=True, by=coordinator
        )
    session.refresh_from_db()
    assert not session.cancelled and session.sequence == 0


def test_project_change_is_refused_where_a_locked_period_counts_the_edition(
    make_edition, project, period_lock, coordinator
):
    from reporting.models import DonorProject

    other = DonorProject.objects.create(
        title="Other", donor="Other donor", start_date=project.start_date, end_date=project.end_date
    )
    edition = make_edition(start_in=3)
    period_lock(dates.today(), dates.today() + timedelta(days=10), of=other)
    # Joining a project whose locked report would then count it is refused too.
    with pytest.raises(ValidationError, match="its project stays"):
        services.edition_update(edition=edition, changes={"project": other}, by=coordinator)
    services.edition_update(edition=edition, changes={"project": project}, by=coordinator)
    assert edition.__class__.objects.get(pk=edition.pk).project == project


def test_cancelling_an_edition_tells_everyone_and_frees_nobody_a_seat(
    make_edition, trainees, coordinator, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=1)
    seated, waiting = trainees(2)
    for person in (seated, waiting):
        services.enrollment_create(edition=edition, user=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.edition_cancel(edition=edition, by=coordinator) == 2
    assert {m.to[0] for m in mail.outbox} == {seated.email, waiting.email}
    for message in mail.outbox:
        assert _content(message.attachments[0]).count(b"STATUS:CANCELLED") == 2
    assert set(Enrollment.objects.values_list("status", flat=True)) == {EnrollmentStatus.CANCELLED}
    assert all(s.cancelled and s.sequence == 1 for s in edition.sessions.all())


# Attendance and completion --------------------------------------------------------------------------------


def test_attendance_for_someone_not_enrolled_saves_nothing(edition, make_edition, trainees, trainer, clock):
    mine, other = trainees(2)
    enrolled = services.enrollment_create(edition=edition, user=mine)
    foreign = services.enrollment_create(edition=make_edition(), user=other)
    session = edition.sessions.first()
    with pytest.raises(ValidationError, match="from the day of the session"):
        services.attendance_record(session=session, marks={enrolled.pk: AttendanceStatus.PRESENT}, by=trainer)
    clock(session.start)
    with pytest.raises(ValidationError, match="enrolled in this edition"):
        services.attendance_record(
            session=session, marks={enrolled.pk: AttendanceStatus.PRESENT, foreign.pk: "present"}, by=trainer
        )
    assert not TrainingAttendance.objects.exists()
    services.attendance_record(session=session, marks={enrolled.pk: AttendanceStatus.ABSENT}, by=trainer)
    services.attendance_record(session=session, marks={enrolled.pk: AttendanceStatus.PRESENT}, by=trainer)
    assert TrainingAttendance.objects.get().status == AttendanceStatus.PRESENT


# The change log, and marks kept on a trainer's phone --------------------------------------------------------


@pytest.fixture
def in_the_room(today, make_edition, trainer, trainees):
    """An edition meeting today (the clock at noon) with three trainees enrolled: its first session."""
    edition = make_edition(trainers=[trainer], start_in=0, days=2, capacity=5)
    enrollments = [services.enrollment_create(edition=edition, user=user) for user in trainees(3)]
    return edition.sessions.order_by("start").first(), enrollments


def _from_phone(status, n, *, marked_at, seen=None):
    return Mark(status, client_id=f"trainer-mark-{n:04d}", marked_at=marked_at, seen=seen)


def test_form_marks_are_logged_once_with_who_and_both_times(in_the_room, trainer, coordinator):
    session, (first, second, _third) = in_the_room
    marks = {first.pk: AttendanceStatus.PRESENT, second.pk: AttendanceStatus.ABSENT}
    services.attendance_record(session=session, marks=marks, by=trainer)
    services.attendance_record(session=session, marks=marks, by=trainer)  # saving again changes nothing

    assert set(TrainingAttendanceChange.objects.values_list("old_status", "new_status", "changed_by", "applied")) == {
        ("", AttendanceStatus.PRESENT, trainer.pk, True),
        ("", AttendanceStatus.ABSENT, trainer.pk, True),
    }
    corrected_at = dates.now() + timedelta(hours=2)
    services.attendance_record(
        session=session, marks={second.pk: AttendanceStatus.EXCUSED}, by=coordinator, now=corrected_at
    )
    change = TrainingAttendanceChange.objects.get(old_status=AttendanceStatus.ABSENT)
    assert (change.new_status, change.changed_by, change.client_id) == (AttendanceStatus.EXCUSED, coordinator, None)
    assert change.marked_at == change.changed_at == corrected_at
    assert TrainingAttendanceChange.objects.count() == 3


def test_device_marks_are_applied_once_with_both_times_in_the_change_log(in_the_room, trainer):
    session, enrollments = in_the_room
    marked = dates.now() - timedelta(seconds=40)
    marks = {e.pk: _from_phone(AttendanceStatus.PRESENT, n, marked_at=marked) for n, e in enumerate(enrollments)}
    first = services.attendance_record_from_device(session=session, marks=marks, by=trainer)
    again = services.attendance_record_from_device(session=session, marks=marks, by=trainer)

    assert {o.outcome for o in first} == {Outcome.SAVED}
    assert {o.outcome for o in again} == {Outcome.ALREADY}
    # The mark keeps the time she marked, not the time it arrived.
    attendances = list(TrainingAttendance.objects.all())
    assert len(attendances) == 3
    assert all(a.recorded_at == marked and a.received_at > marked for a in attendances)
    changes = list(TrainingAttendanceChange.objects.all())
    assert len(changes) == 3
    assert {c.client_id for c in changes} == {f"trainer-mark-{n:04d}" for n in range(3)}
    assert all(c.marked_at == marked and c.changed_at > marked and c.changed_by == trainer for c in changes)


def test_a_resend_changes_nothing_even_after_she_changed_the_mark_online(in_the_room, trainer):
    session, (enrollment, *_others) = in_the_room
    mark = {enrollment.pk: _from_phone(AttendanceStatus.PRESENT, 1, marked_at=dates.now() - timedelta(minutes=5))}
    services.attendance_record_from_device(session=session, marks=mark, by=trainer)
    services.attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.ABSENT}, by=trainer)

    (outcome,) = services.attendance_record_from_device(session=session, marks=mark, by=trainer)

    assert outcome.outcome == Outcome.ALREADY
    assert TrainingAttendance.objects.get().status == AttendanceStatus.ABSENT
    assert TrainingAttendanceChange.objects.count() == 2


def test_an_older_mark_from_her_phone_does_not_undo_her_own_later_mark(in_the_room, trainer):
    session, (enrollment, *_others) = in_the_room
    phone_mark_at = dates.now() - timedelta(minutes=10)
    services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.PRESENT, 1, marked_at=phone_mark_at)},
        by=trainer,
    )
    # She changes the mark on the page; then her phone sends a mark of hers made before that (a new id).
    services.attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.ABSENT}, by=trainer)
    (outcome,) = services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.EXCUSED, 2, marked_at=phone_mark_at)},
        by=trainer,
    )

    assert (outcome.outcome, outcome.changed_by_someone_else, outcome.status) == (
        Outcome.SUPERSEDED,
        False,
        AttendanceStatus.ABSENT,
    )
    assert TrainingAttendance.objects.get().status == AttendanceStatus.ABSENT
    assert TrainingAttendanceChange.objects.get(client_id="trainer-mark-0002").applied is False


def test_a_later_change_by_someone_else_wins_and_both_are_in_the_change_log(in_the_room, trainer, coordinator):
    session, (enrollment, *_others) = in_the_room
    her_mark_at = dates.now() - timedelta(seconds=60)
    # Meanwhile, with her phone offline, the coordinator marks the same trainee.
    services.attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.EXCUSED}, by=coordinator)

    (outcome,) = services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.ABSENT, 1, marked_at=her_mark_at)},
        by=trainer,
    )

    assert (outcome.outcome, outcome.changed_by_someone_else, outcome.status) == (
        Outcome.SUPERSEDED,
        True,
        AttendanceStatus.EXCUSED,
    )
    assert TrainingAttendance.objects.get().status == AttendanceStatus.EXCUSED
    hers = TrainingAttendanceChange.objects.get(client_id="trainer-mark-0001")
    assert (hers.applied, hers.new_status, hers.changed_by, hers.marked_at) == (
        False,
        AttendanceStatus.ABSENT,
        trainer,
        her_mark_at,
    )
    assert TrainingAttendanceChange.objects.filter(
        applied=True, new_status=AttendanceStatus.EXCUSED, changed_by=coordinator
    ).exists()
    # Sent again, her losing mark is recognised too.
    (again,) = services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.ABSENT, 1, marked_at=her_mark_at)},
        by=trainer,
    )
    assert again.outcome == Outcome.ALREADY and TrainingAttendanceChange.objects.count() == 2


def test_her_later_mark_replaces_an_earlier_change_by_someone_else_and_she_is_told(in_the_room, trainer, coordinator):
    session, (enrollment, *_others) = in_the_room
    services.attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.EXCUSED}, by=coordinator)
    her_mark_at = dates.now() + timedelta(seconds=1)  # after the coordinator's, before it was received

    (outcome,) = services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.ABSENT, 2, marked_at=her_mark_at)},
        by=trainer,
        now=her_mark_at + timedelta(minutes=5),
    )

    assert (outcome.outcome, outcome.changed_by_someone_else) == (Outcome.SAVED, True)
    attendance = TrainingAttendance.objects.get()
    assert (attendance.status, attendance.recorded_by, attendance.recorded_at) == (
        AttendanceStatus.ABSENT,
        trainer,
        her_mark_at,
    )
    assert TrainingAttendanceChange.objects.filter(applied=True).count() == 2


def test_a_change_her_screen_showed_is_not_reported_as_someone_elses(in_the_room, trainer, coordinator):
    session, (enrollment, *_others) = in_the_room
    services.attendance_record(session=session, marks={enrollment.pk: AttendanceStatus.EXCUSED}, by=coordinator)
    seen = TrainingAttendance.objects.get().recorded_at

    (outcome,) = services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.PRESENT, 3, marked_at=dates.now(), seen=seen)},
        by=trainer,
    )

    assert (outcome.outcome, outcome.changed_by_someone_else) == (Outcome.SAVED, False)
    assert TrainingAttendance.objects.get().status == AttendanceStatus.PRESENT


def test_device_marks_for_a_session_cancelled_meanwhile_are_refused_not_retried(in_the_room, trainer):
    session, (enrollment, *_others) = in_the_room
    TrainingSession.objects.filter(pk=session.pk).update(cancelled=True)
    session.refresh_from_db()
    (outcome,) = services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.PRESENT, 4, marked_at=dates.now())},
        by=trainer,
    )
    assert outcome.outcome == Outcome.REFUSED and "cancelled" in outcome.message
    assert not TrainingAttendance.objects.exists()


def test_device_marks_older_than_seven_days_are_refused(in_the_room, trainer, clock):
    session, (enrollment, *_others) = in_the_room
    marked_at = session.start + timedelta(minutes=5)
    clock(marked_at + timedelta(days=8))
    (outcome,) = services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.PRESENT, 5, marked_at=marked_at)},
        by=trainer,
    )
    assert outcome.outcome == Outcome.REFUSED and "seven days" in outcome.message
    assert not TrainingAttendance.objects.exists()


@pytest.mark.parametrize("phone_clock", [timedelta(days=2), -timedelta(days=2)])
def test_a_wrong_phone_clock_cannot_date_a_mark_outside_the_day_and_its_arrival(in_the_room, trainer, phone_clock):
    session, (enrollment, *_others) = in_the_room
    services.attendance_record_from_device(
        session=session,
        marks={enrollment.pk: _from_phone(AttendanceStatus.PRESENT, 6, marked_at=dates.now() + phone_clock)},
        by=trainer,
    )
    change = TrainingAttendanceChange.objects.get()
    assert dates.start_of_day(dates.local_date(session.start)) <= change.marked_at <= change.changed_at


def test_device_marks_need_the_trainers_right_to_the_edition(in_the_room, make_user):
    session, (enrollment, *_others) = in_the_room
    with pytest.raises(PermissionDenied):
        services.attendance_record_from_device(
            session=session,
            marks={enrollment.pk: _from_phone(AttendanceStatus.PRESENT, 7, marked_at=dates.now())},
            by=make_user(Role.TRAINER),
        )
    assert not TrainingAttendance.objects.exists()


def test_completion_min_share_and_all_sessions(edition):
    sessions = list(edition.sessions.all())  # two 8-hour sessions
    programme = edition.programme
    done, *reason = services.enrollment_completion(
        programme=programme, sessions=sessions, statuses={sessions[0].pk: AttendanceStatus.PRESENT}
    )
    assert not done and "8.0 of 16.0 hours" in reason_text(*reason) and "75%" in reason_text(*reason)
    all_present = {s.pk: AttendanceStatus.PRESENT for s in sessions}
    assert services.enrollment_completion(programme=programme, sessions=sessions, statuses=all_present)[0]
    programme.completion_rule = CompletionRule.ALL_SESSIONS
    excused = {sessions[0].pk: AttendanceStatus.PRESENT, sessions[1].pk: AttendanceStatus.EXCUSED}
    done, *reason = services.enrollment_completion(programme=programme, sessions=sessions, statuses=excused)
    assert not done and "1 of 2 sessions" in reason_text(*reason)
    # A cancelled session is neither required nor counted.
    sessions[1].cancelled = True
    done, *reason = services.enrollment_completion(programme=programme, sessions=sessions, statuses=excused)
    assert done and reason_text(*reason) == "Attended the session."


def _mark(sessions, marks, by):
    for session, statuses in zip(sessions, marks, strict=True):
        services.attendance_record(session=session, marks=statuses, by=by)


def test_edition_close_marks_completion_with_hours_and_signals_after_commit(
    edition, trainees, coordinator, trainer, after, received, django_capture_on_commit_callbacks
):
    good, poor, waiting = trainees(3)
    good_e = services.enrollment_create(edition=edition, user=good)
    poor_e = services.enrollment_create(edition=edition, user=poor)
    waiting_e = services.enrollment_create(edition=edition, user=waiting)
    after(edition)
    first, second = edition.sessions.all()
    marks = [{good_e.pk: "present", poor_e.pk: "present"}, {good_e.pk: "present", poor_e.pk: "absent"}]
    _mark([first, second], marks, trainer)
    completed = []

    def listener(sender, enrollment, **kwargs):
        completed.append(enrollment.pk)

    enrollment_completed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = services.edition_close(edition=edition, by=coordinator)
        assert received == [] and completed == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        enrollment_completed.disconnect(listener)
    assert result == {"completed": 1, "not_completed": 1}
    assert completed == [good_e.pk]
    assert {signal[:3] for signal in received} == {(good_e.pk, True, "enrolled"), (poor_e.pk, False, "enrolled")}
    good_e.refresh_from_db()
    poor_e.refresh_from_db()
    assert good_e.hours_attended == Decimal("16.0") and poor_e.hours_attended == Decimal("8.0")
    assert poor_e.status == EnrollmentStatus.NOT_COMPLETED and "8.0 of 16.0 hours" in poor_e.reason_shown()
    waiting_e.refresh_from_db()
    assert waiting_e.status == EnrollmentStatus.CANCELLED
    assert CompletionChange.objects.count() == 2
    with pytest.raises(ValidationError):
        services.edition_close(edition=edition, by=coordinator)


def test_attendance_corrected_after_closing_changes_completion_and_tells_certificates(
    edition, trainee, coordinator, trainer, after, received, django_capture_on_commit_callbacks
):
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    after(edition)
    sessions = list(edition.sessions.all())
    _mark(sessions, [{enrollment.pk: "present"}, {enrollment.pk: "present"}], trainer)
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_close(edition=edition, by=coordinator)
    received.clear()

    # She was in fact away on the second day: 8 of 16 hours, below the 75% needed.
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_record(session=sessions[1], marks={enrollment.pk: "absent"}, by=trainer)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.NOT_COMPLETED
    assert enrollment.hours_attended == Decimal("8.0")
    ((pk, completed, previous, reason),) = received
    assert (pk, completed, previous) == (enrollment.pk, False, EnrollmentStatus.COMPLETED)
    assert reason.startswith("Attendance corrected after closing") and "8.0 of 16.0 hours" in reason
    change = CompletionChange.objects.latest("pk")
    assert (change.from_status, change.to_status, change.by) == ("completed", "not_completed", trainer)

    # A correction that does not change the result sends nothing.
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_record(session=sessions[1], marks={enrollment.pk: "excused"}, by=trainer)
    assert received == []
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_record(session=sessions[1], marks={enrollment.pk: "present"}, by=trainer)
    assert [(completed, previous) for _pk, completed, previous, _reason in received] == [(True, "not_completed")]
    assert Enrollment.objects.get(pk=enrollment.pk).hours_attended == Decimal("16.0")


MONTH_END_LAST_SESSION = (date(2027, 1, 31), 17)  # ends 31 January 17:00
DST_SPRING_DAY = date(2027, 3, 28)  # Europe/Belgrade: 02:00 becomes 03:00


@pytest.mark.parametrize("last_day", [MONTH_END_LAST_SESSION[0], DST_SPRING_DAY, date(2027, 10, 31)])
def test_an_edition_closes_only_after_its_last_session(clock, make_edition, trainee, coordinator, last_day):
    clock(last_day - timedelta(days=20))
    edition = make_edition(start_in=19, days=2)
    services.enrollment_create(edition=edition, user=trainee)
    last_end = edition.sessions.order_by("-end").first().end
    assert dates.local_date(last_end) == last_day
    clock(last_end - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="can be closed after that"):
        services.edition_close(edition=edition, by=coordinator)
    assert edition.__class__.objects.get(pk=edition.pk).status == EditionStatus.OPEN
    clock(last_end)
    services.edition_close(edition=edition, by=coordinator)


def test_an_edition_without_sessions_held_is_not_closed(make_edition, coordinator, clock):
    edition = make_edition(days=1)
    TrainingSession.objects.filter(edition=edition).update(cancelled=True)
    clock(dates.now() + timedelta(days=30))
    with pytest.raises(ValidationError, match="no sessions"):
        services.edition_close(edition=edition, by=coordinator)


# Self check-in ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("session_day", "hour", "scanned_at", "allowed"),
    [
        (date(2027, 1, 31), 9, datetime(2027, 1, 31, 0, 5), True),  # just after midnight on the day
        (date(2027, 1, 31), 9, datetime(2027, 1, 31, 23, 55), True),
        (date(2027, 1, 31), 9, datetime(2027, 1, 30, 23, 55), False),  # the evening before
        (date(2027, 1, 31), 9, datetime(2027, 2, 1, 0, 5), False),  # the next month
        (date(2027, 3, 28), 1, datetime(2027, 3, 28, 3, 30), True),  # after the clocks went forward
        (date(2027, 10, 31), 9, datetime(2027, 10, 31, 2, 30), True),  # in the repeated hour
        (date(2027, 10, 31), 9, datetime(2027, 10, 30, 23, 30), False),
    ],
)
def test_self_check_in_works_on_the_day_only(clock, make_edition, trainee, session_day, hour, scanned_at, allowed):
    clock(session_day - timedelta(days=10))
    edition = make_edition(start_in=10, days=1, hours=(hour, hour + 3), self_check_in=True)
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.get()
    clock(timezone.make_aware(scanned_at))
    token = services.check_in_token(session=session)
    if allowed:
        services.attendance_check_in(session=session, user=trainee, token=token)
        assert TrainingAttendance.objects.get(enrollment=enrollment).status == AttendanceStatus.PRESENT
    else:
        with pytest.raises(ValidationError, match="on the day of the session"):
            services.attendance_check_in(session=session, user=trainee, token=token)
        assert not TrainingAttendance.objects.exists()


def test_check_in_token(edition, trainee, make_user, clock):
    edition.self_check_in = True
    edition.save()
    session = edition.sessions.first()
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    clock(session.start)
    token = services.check_in_token(session=session)
    with pytest.raises(ValidationError, match="not valid"):
        services.attendance_check_in(session=session, user=trainee, token=token + "x")
    outsider = make_user(Role.TRAINEE)
    with pytest.raises(ValidationError, match="not enrolled"):
        services.attendance_check_in(session=session, user=outsider, token=token)
    services.attendance_check_in(session=session, user=trainee, token=token)
    assert TrainingAttendance.objects.get(enrollment=enrollment).status == AttendanceStatus.PRESENT


def test_reminder_command_sends_once_the_day_before(make_edition, trainee, django_capture_on_commit_callbacks):
    tomorrow_edition = make_edition(start_in=1, enrolment_closes=dates.now() + timedelta(hours=1))
    later = make_edition(start_in=5)
    services.enrollment_create(edition=tomorrow_edition, user=trainee)
    services.enrollment_create(edition=later, user=trainee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_training_reminders", stdout=None)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_training_reminders", stdout=None)
    assert len(mail.outbox) == 1
    assert "tomorrow" in mail.outbox[0].subject
    assert formats.date_format(tomorrow_edition.start_date, "DATE_FORMAT") in mail.outbox[0].body
