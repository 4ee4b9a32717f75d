from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.enums import Role
from core.enums import AttendanceStatus
from reporting.models import DonorProject
from trainings import services
from trainings.enums import CompletionRule, EditionStatus, EnrollmentStatus
from trainings.models import Enrollment, TrainingAttendance
from trainings.signals import enrollment_completed

pytestmark = pytest.mark.django_db


def _trainees(make_user, count, **kwargs):
    return [make_user(Role.TRAINEE, **kwargs) for _ in range(count)]


def test_enrol_takes_a_seat_then_the_waitlist(edition, make_user):
    first, second, third = _trainees(make_user, 3)
    assert services.enrollment_create(edition=edition, user=first).status == EnrollmentStatus.ENROLLED
    assert services.enrollment_create(edition=edition, user=second).status == EnrollmentStatus.ENROLLED
    assert services.enrollment_create(edition=edition, user=third).status == EnrollmentStatus.WAITLISTED


def test_enrol_twice_is_refused_and_the_database_forbids_it(edition, trainee):
    services.enrollment_create(edition=edition, user=trainee)
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrollment_create(edition=edition, user=trainee)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(edition=edition, user=trainee, status=EnrollmentStatus.ENROLLED)
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
    now = timezone.now()
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


def test_confirmation_email_has_dates_and_ics(edition, trainee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_create(edition=edition, user=trainee)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [trainee.email]
    assert edition.start_date.strftime("%-d. %-m. %Y.") in message.body
    assert edition.programme.title in message.body
    assert "counsel" not in message.subject.lower()
    (attachment,) = message.attachments
    assert attachment.filename == "training.ics"
    content = attachment.content if isinstance(attachment.content, bytes) else attachment.content.encode()
    assert b"BEGIN:VEVENT" in content
    assert edition.programme.title.encode() in content


def test_cancel_promotes_the_first_on_the_waitlist(edition, make_user, django_capture_on_commit_callbacks):
    first, second, waiting, later = _trainees(make_user, 4)
    enrolment = services.enrollment_create(edition=edition, user=first)
    services.enrollment_create(edition=edition, user=second)
    services.enrollment_create(edition=edition, user=waiting)
    services.enrollment_create(edition=edition, user=later)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_cancel(enrollment=enrolment, by=first)
    assert Enrollment.objects.get(user=waiting).status == EnrollmentStatus.ENROLLED
    assert Enrollment.objects.get(user=later).status == EnrollmentStatus.WAITLISTED
    assert [m.to for m in mail.outbox] == [[waiting.email]]
    assert edition.start_date.strftime("%-d. %-m. %Y.") in mail.outbox[0].body


def test_promoted_waitlister_must_confirm_in_time(make_edition, make_user):
    edition = make_edition(capacity=1, promotion_needs_confirmation=True, confirm_days=2)
    holder, waiting, next_one = _trainees(make_user, 3)
    seat = services.enrollment_create(edition=edition, user=holder)
    services.enrollment_create(edition=edition, user=waiting)
    services.enrollment_create(edition=edition, user=next_one)
    services.enrollment_cancel(enrollment=seat, by=holder)
    offered = Enrollment.objects.get(user=waiting)
    assert offered.status == EnrollmentStatus.OFFERED
    assert offered.offer_expires_at > timezone.now() + timedelta(days=1)

    later = timezone.now() + timedelta(days=3)
    assert services.enrollment_offers_expire(now=later) == 1
    offered.refresh_from_db()
    assert offered.status == EnrollmentStatus.CANCELLED
    assert "not confirmed in time" in offered.completion_reason
    passed_on = Enrollment.objects.get(user=next_one)
    assert passed_on.status == EnrollmentStatus.OFFERED
    with pytest.raises(ValidationError, match="expired"):
        services.enrollment_offer_confirm(enrollment=passed_on, by=next_one, now=passed_on.offer_expires_at)
    assert services.enrollment_offer_confirm(enrollment=passed_on, by=next_one).status == EnrollmentStatus.ENROLLED


def test_expire_offers_command(make_edition, make_user):
    edition = make_edition(capacity=1, promotion_needs_confirmation=True)
    holder, waiting = _trainees(make_user, 2)
    seat = services.enrollment_create(edition=edition, user=holder)
    services.enrollment_create(edition=edition, user=waiting)
    services.enrollment_cancel(enrollment=seat, by=holder)
    Enrollment.objects.filter(user=waiting).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    call_command("expire_training_offers", stdout=None)
    assert Enrollment.objects.get(user=waiting).status == EnrollmentStatus.CANCELLED


def test_approval_needed(make_edition, make_user, coordinator):
    edition = make_edition(capacity=1, requires_approval=True)
    first, second = _trainees(make_user, 2)
    pending = services.enrollment_create(edition=edition, user=first)
    assert pending.status == EnrollmentStatus.PENDING_APPROVAL
    # A pending enrolment holds its seat while the coordinator decides.
    assert services.enrollment_create(edition=edition, user=second).status == EnrollmentStatus.WAITLISTED
    services.enrollment_reject(enrollment=pending, by=coordinator, reason="Not a target profession")
    assert Enrollment.objects.get(user=second).status == EnrollmentStatus.PENDING_APPROVAL
    approved = services.enrollment_approve(enrollment=Enrollment.objects.get(user=second), by=coordinator)
    assert approved.status == EnrollmentStatus.ENROLLED
    with pytest.raises(ValidationError):
        services.enrollment_approve(enrollment=approved, by=coordinator)


def test_priority_places_are_kept_for_partner_organisations(make_edition, make_user):
    project = DonorProject.objects.create(
        title="Safe at home",
        donor="Fund",
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=365),
        partners="Centre for Social Work Pančevo\nKrisecenter Århus",
    )
    edition = make_edition(capacity=2, priority_places=1, project=project)
    outsider, second_outsider = _trainees(make_user, 2, organisation="Other NGO")
    partner = make_user(Role.TRAINEE, organisation="krisecenter århus")
    assert services.enrollment_create(edition=edition, user=outsider).status == EnrollmentStatus.ENROLLED
    assert services.enrollment_create(edition=edition, user=second_outsider).status == EnrollmentStatus.WAITLISTED
    kept = services.enrollment_create(edition=edition, user=partner)
    assert kept.status == EnrollmentStatus.ENROLLED
    assert kept.priority


def test_transfer_moves_to_another_edition_and_frees_the_seat(make_edition, make_user, programme):
    first = make_edition(capacity=1)
    second = make_edition(capacity=5, start_in=30)
    holder, waiting = _trainees(make_user, 2)
    enrollment = services.enrollment_create(edition=first, user=holder)
    services.enrollment_create(edition=first, user=waiting)
    new = services.enrollment_transfer(enrollment=enrollment, to_edition=second, by=holder)
    assert new.edition == second and new.status == EnrollmentStatus.ENROLLED
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TRANSFERRED and enrollment.transferred_to == new
    assert Enrollment.objects.get(user=waiting).status == EnrollmentStatus.ENROLLED


def test_transfer_to_another_programme_is_refused(make_edition, programme, trainee):
    from trainings.models import TrainingProgramme

    other = TrainingProgramme.objects.create(title="Other")
    source = make_edition()
    target = make_edition(programme_=other)
    enrollment = services.enrollment_create(edition=source, user=trainee)
    with pytest.raises(ValidationError, match="same programme"):
        services.enrollment_transfer(enrollment=enrollment, to_edition=target, by=trainee)
    assert not Enrollment.objects.filter(edition=target).exists()
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED


def test_attendance_for_someone_not_enrolled_saves_nothing(edition, make_edition, make_user, trainer):
    mine, other = _trainees(make_user, 2)
    enrolled = services.enrollment_create(edition=edition, user=mine)
    foreign = services.enrollment_create(edition=make_edition(), user=other)
    session = edition.sessions.first()
    with pytest.raises(ValidationError, match="enrolled in this edition"):
        services.attendance_record(
            session=session, marks={enrolled.pk: AttendanceStatus.PRESENT, foreign.pk: "present"}, by=trainer
        )
    assert not TrainingAttendance.objects.exists()
    services.attendance_record(session=session, marks={enrolled.pk: AttendanceStatus.ABSENT}, by=trainer)
    services.attendance_record(session=session, marks={enrolled.pk: AttendanceStatus.PRESENT}, by=trainer)
    assert TrainingAttendance.objects.get().status == AttendanceStatus.PRESENT


def test_completion_min_share_and_all_sessions(edition, trainee):
    sessions = list(edition.sessions.all())  # two 8-hour sessions
    programme = edition.programme
    done, reason = services.enrollment_completion(
        programme=programme, sessions=sessions, statuses={sessions[0].pk: AttendanceStatus.PRESENT}
    )
    assert not done and "8.0 of 16.0 hours" in reason and "75%" in reason
    all_present = {s.pk: AttendanceStatus.PRESENT for s in sessions}
    assert services.enrollment_completion(programme=programme, sessions=sessions, statuses=all_present)[0]
    programme.completion_rule = CompletionRule.ALL_SESSIONS
    excused = {sessions[0].pk: AttendanceStatus.PRESENT, sessions[1].pk: AttendanceStatus.EXCUSED}
    done, reason = services.enrollment_completion(programme=programme, sessions=sessions, statuses=excused)
    assert not done and "1 of 2 sessions" in reason


def test_edition_close_marks_completion_and_signals_after_commit(
    edition, make_user, coordinator, trainer, django_capture_on_commit_callbacks
):
    good, poor, waiting = _trainees(make_user, 3)
    good_e = services.enrollment_create(edition=edition, user=good)
    poor_e = services.enrollment_create(edition=edition, user=poor)
    waiting_e = services.enrollment_create(edition=edition, user=waiting)
    first, second = edition.sessions.all()
    services.attendance_record(session=first, marks={good_e.pk: "present", poor_e.pk: "present"}, by=trainer)
    services.attendance_record(session=second, marks={good_e.pk: "present", poor_e.pk: "absent"}, by=trainer)
    received = []

    def listener(sender, enrollment, **kwargs):
        received.append(enrollment.pk)

    enrollment_completed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = services.edition_close(edition=edition, by=coordinator)
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        enrollment_completed.disconnect(listener)
    assert result == {"completed": 1, "not_completed": 1}
    assert received == [good_e.pk]
    poor_e.refresh_from_db()
    assert poor_e.status == EnrollmentStatus.NOT_COMPLETED
    assert "8.0 of 16.0 hours" in poor_e.completion_reason
    waiting_e.refresh_from_db()
    assert waiting_e.status == EnrollmentStatus.CANCELLED
    edition.refresh_from_db()
    assert edition.status == EditionStatus.CLOSED
    with pytest.raises(ValidationError):
        services.edition_close(edition=edition, by=coordinator)


def test_reminder_command_sends_once_the_day_before(make_edition, trainee, django_capture_on_commit_callbacks):
    tomorrow_edition = make_edition(start_in=1, enrolment_closes=timezone.now() + timedelta(hours=1))
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
    assert tomorrow_edition.start_date.strftime("%-d. %-m. %Y.") in mail.outbox[0].body


def test_check_in_token(edition, trainee, make_user):
    edition.self_check_in = True
    edition.save()
    session = edition.sessions.first()
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    token = services.check_in_token(session=session)
    with pytest.raises(ValidationError, match="not valid"):
        services.attendance_check_in(session=session, user=trainee, token=token + "x")
    outsider = make_user(Role.TRAINEE)
    with pytest.raises(ValidationError, match="not enrolled"):
        services.attendance_check_in(session=session, user=outsider, token=token)
    services.attendance_check_in(session=session, user=trainee, token=token)
    assert TrainingAttendance.objects.get(enrollment=enrollment).status == AttendanceStatus.PRESENT
