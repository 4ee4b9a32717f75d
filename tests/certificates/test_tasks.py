import io
from datetime import timedelta
from importlib.util import find_spec
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from certificates.models import Certificate
from certificates.services import certificate_issue
from certificates.tasks import certificate_issue_task
from core import dates
from core.enums import AttendanceStatus
from trainings.enums import EnrollmentStatus
from trainings.models import TrainingAttendance, TrainingSession


@pytest.mark.django_db
def test_issue_task_issues_once(completed_enrollment, accreditation):
    first = certificate_issue_task.enqueue(enrollment_id=completed_enrollment.pk)
    second = certificate_issue_task.enqueue(enrollment_id=completed_enrollment.pk)
    assert first.return_value == second.return_value
    assert Certificate.objects.filter(enrollment=completed_enrollment).count() == 1


@pytest.mark.django_db
def test_issue_task_ignores_an_enrolment_that_is_not_completed(make_enrollment):
    enrollment = make_enrollment(status=EnrollmentStatus.NOT_COMPLETED)
    assert certificate_issue_task.enqueue(enrollment_id=enrollment.pk).return_value is None
    assert not Certificate.objects.exists()


@pytest.mark.skipif(not find_spec("trainings.signals"), reason="the trainings app has no completion signal yet")
@pytest.mark.django_db
def test_completion_signal_issues_the_certificate(
    completed_enrollment, accreditation, django_capture_on_commit_callbacks
):
    from trainings.models import Enrollment
    from trainings.signals import enrollment_completed

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enrollment_completed.send(sender=Enrollment, enrollment=completed_enrollment)
    certificate = Certificate.objects.get(enrollment=completed_enrollment)
    assert certificate.accreditation == accreditation


@pytest.mark.skipif(not find_spec("trainings.services"), reason="the trainings app has no services yet")
@pytest.mark.django_db
def test_closing_an_edition_issues_certificates(
    make_enrollment, make_edition, coordinator, django_capture_on_commit_callbacks
):
    from trainings.enums import EditionStatus
    from trainings.services import edition_close

    edition = make_edition()
    edition.status = EditionStatus.OPEN
    edition.save()
    enrollment = make_enrollment(edition=edition, status=EnrollmentStatus.ENROLLED)
    start = dates.now() - timedelta(days=20)
    session = TrainingSession.objects.create(edition=edition, start=start, end=start + timedelta(hours=8))
    TrainingAttendance.objects.create(session=session, enrollment=enrollment, status=AttendanceStatus.PRESENT)
    with django_capture_on_commit_callbacks(execute=True):
        edition_close(edition=edition, by=coordinator)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


@pytest.mark.django_db
def test_expiry_reminder_60_days_before_once(clock, make_enrollment, accreditation, django_capture_on_commit_callbacks):
    accreditation.certificate_validity_months = 24
    accreditation.save()
    soon = certificate_issue(enrollment=make_enrollment())
    clock(dates.today() + timedelta(days=1))
    later = certificate_issue(enrollment=make_enrollment())
    clock(soon.expires_on - timedelta(days=60))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("certificate_expiry_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [soon.holder.email]
    assert message.subject == "Your certificate expires soon"
    assert soon.serial in message.body
    assert later.holder.email not in message.to

    with django_capture_on_commit_callbacks(execute=True):
        call_command("certificate_expiry_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 1


@pytest.mark.skipif(not find_spec("trainings.signals"), reason="the trainings app has no signals yet")
@pytest.mark.django_db
def test_completion_changed_signal_revokes_and_issues(certificate, coordinator, django_capture_on_commit_callbacks):
    """The receiver, tried by sending the signal as trainings does when attendance changes after closing."""
    from trainings import signals
    from trainings.models import Enrollment

    if not hasattr(signals, "completion_changed"):
        pytest.skip("trainings has no completion_changed signal yet")
    enrollment = certificate.enrollment
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.NOT_COMPLETED)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        signals.completion_changed.send(
            sender=Enrollment, enrollment=enrollment, reason="Attended 4 of 8 hours after correction", by=coordinator
        )
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert certificate.revoked_reason == "Attended 4 of 8 hours after correction"

    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.COMPLETED)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        signals.completion_changed.send(sender=Enrollment, enrollment=enrollment, reason="Attended 8 of 8 hours")
    assert Certificate.objects.filter(enrollment=enrollment, status="valid").count() == 1


@pytest.mark.django_db
def test_the_receiver_runs_the_sync_task(monkeypatch, django_capture_on_commit_callbacks):
    """Built against the signal's arguments (enrollment, reason, by) even before trainings sends it."""
    from certificates.signals import completion_changed_handler

    calls = []
    monkeypatch.setattr(
        "certificates.tasks.certificate_completion_sync_task", SimpleNamespace(enqueue=lambda **kw: calls.append(kw))
    )

    class Enrollment:
        pk = 41

    with django_capture_on_commit_callbacks(execute=True):
        completion_changed_handler(sender=None, enrollment=Enrollment(), reason="Attendance corrected", by=None)
    assert calls == [{"enrollment_id": 41, "reason": "Attendance corrected", "by_id": None}]


@pytest.mark.django_db
def test_demo_data_is_idempotent(make_user):
    from accounts.demo import load as accounts_load
    from certificates.demo import load
    from certificates.enums import CertificateStatus
    from certificates.models import Accreditation

    users = {}
    accounts_load(users=users)
    if find_spec("trainings.demo"):
        from trainings.demo import load as trainings_load

        trainings_load(users=users)
    load(users=users)
    count = Certificate.objects.count()
    load(users=users)
    assert Certificate.objects.count() == count >= 3
    assert Accreditation.objects.count() == 2
    assert Certificate.objects.filter(status=CertificateStatus.REVOKED).count() == 1
    assert Certificate.objects.filter(status=CertificateStatus.VALID).exclude(accreditation_number="").exists()
