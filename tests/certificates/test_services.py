import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.services import profile_save
from certificates.enums import CertificateStatus, VerificationState
from certificates.models import Certificate, CertificateCounter
from certificates.services import (
    certificate_ensure,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
)
from trainings.enums import EnrollmentStatus


@pytest.mark.django_db
def test_issue_freezes_holder_and_accreditation_data(completed_enrollment, accreditation, settings):
    settings.HAVEN_CERTIFICATE_PREFIX = "ORG"
    profile_save(user=completed_enrollment.user, full_name="Đurđa Šćepanović", organisation="CSR Kikinda")
    certificate = certificate_issue(enrollment=completed_enrollment)

    year = timezone.localdate().year
    assert certificate.serial == f"ORG-{year}-00001"
    assert (certificate.year, certificate.number) == (year, 1)
    assert certificate.holder_name == "Đurđa Šćepanović"
    assert certificate.holder_organisation == "CSR Kikinda"
    assert certificate.programme_title == completed_enrollment.edition.programme.title
    assert certificate.accreditation_body == accreditation.body
    assert certificate.accreditation_number == accreditation.decision_number
    assert certificate.accreditation_points == Decimal("12.0")
    assert certificate.hours == Decimal("16.0")
    assert certificate.status == CertificateStatus.VALID
    assert certificate.expires_on is None
    assert len(certificate.verification_code) >= 32

    # Later edits to the profile or the accreditation do not change what was issued.
    profile_save(user=completed_enrollment.user, full_name="Someone Else")
    accreditation.decision_number = "changed"
    accreditation.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "Đurđa Šćepanović"
    assert certificate.accreditation_number == "153-02-00042/2025"


@pytest.mark.django_db
def test_serials_count_up_per_year_without_gaps(make_enrollment):
    first = certificate_issue(enrollment=make_enrollment(), issued_on=date(2026, 12, 31))
    second = certificate_issue(enrollment=make_enrollment(), issued_on=date(2026, 12, 31))
    next_year = certificate_issue(enrollment=make_enrollment(), issued_on=date(2027, 1, 1))
    assert [first.serial, second.serial, next_year.serial] == ["ORG-2026-00001", "ORG-2026-00002", "ORG-2027-00001"]


@pytest.mark.django_db
def test_failed_issue_leaves_no_gap(make_enrollment):
    certificate_issue(enrollment=make_enrollment())
    with pytest.raises(ValidationError):
        certificate_issue(enrollment=make_enrollment(status=EnrollmentStatus.ENROLLED))
    third = certificate_issue(enrollment=make_enrollment())
    assert third.number == 2
    assert CertificateCounter.objects.get(year=third.year).last_number == 2


@pytest.mark.django_db
def test_issue_refuses_an_enrolment_that_is_not_completed(make_enrollment):
    enrollment = make_enrollment(status=EnrollmentStatus.ENROLLED)
    with pytest.raises(ValidationError) as excinfo:
        certificate_issue(enrollment=enrollment)
    assert "completed" in str(excinfo.value)
    assert not Certificate.objects.exists()
    assert not CertificateCounter.objects.exists()


@pytest.mark.django_db
def test_never_two_certificates_for_one_enrolment(certificate, completed_enrollment):
    with pytest.raises(ValidationError):
        certificate_issue(enrollment=completed_enrollment)
    assert certificate_ensure(enrollment=completed_enrollment) == certificate
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_database_refuses_a_second_current_certificate(certificate):
    duplicate = Certificate(
        **{
            f.attname: getattr(certificate, f.attname)
            for f in Certificate._meta.concrete_fields
            if f.attname not in {"id", "serial", "number", "verification_code"}
        },
        serial="ORG-1999-00001",
        number=999,
        verification_code="another-code",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db
def test_reissue_after_name_correction_replaces_the_old_one(certificate, coordinator):
    new = certificate_reissue(certificate=certificate, holder_name="Maja Šćekić-Østergaard", by=coordinator)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REPLACED
    assert certificate.replaced_by == new
    assert certificate.verification_state() == VerificationState.REPLACED
    assert new.holder_name == "Maja Šćekić-Østergaard"
    assert new.serial != certificate.serial and new.verification_code != certificate.verification_code
    assert new.enrollment_id == certificate.enrollment_id
    assert new.issued_by == coordinator
    with pytest.raises(ValidationError):
        certificate_reissue(certificate=certificate, holder_name="Again", by=coordinator)


@pytest.mark.django_db
def test_revoke_needs_a_reason_and_changes_nothing_without_one(certificate, coordinator):
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, reason="  ", by=coordinator)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID

    certificate_revoke(certificate=certificate, reason="Attendance records were wrong", by=coordinator)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.verification_state() == VerificationState.REVOKED
    assert certificate.revoked_at is not None


@pytest.mark.django_db
def test_certificates_expire_when_the_accreditation_sets_a_validity(completed_enrollment, accreditation):
    accreditation.certificate_validity_months = 36
    accreditation.save()
    certificate = certificate_issue(enrollment=completed_enrollment, issued_on=date(2026, 2, 28))
    assert certificate.expires_on == date(2029, 2, 28)
    assert certificate.verification_state(today=date(2029, 2, 28)) == VerificationState.VALID
    assert certificate.verification_state(today=date(2029, 3, 1)) == VerificationState.EXPIRED


def test_add_months_clamps_to_the_end_of_the_month():
    from core.dates import add_months

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


@pytest.mark.django_db
def test_no_accreditation_for_an_edition_outside_its_validity(make_enrollment, make_edition, accreditation):
    old_edition = make_edition(start=accreditation.valid_from - timedelta(days=30))
    certificate = certificate_issue(enrollment=make_enrollment(edition=old_edition))
    assert certificate.accreditation is None
    assert certificate.accreditation_number == ""
    assert certificate.hours == old_edition.programme.hours


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_serials_without_gaps(make_user, make_edition, programme):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("in-memory SQLite cannot serve concurrent connections; runs on PostgreSQL in CI")
    from trainings.models import Enrollment

    edition = make_edition()
    enrollments = [
        Enrollment.objects.create(edition=edition, user=make_user(Role.TRAINEE), status=EnrollmentStatus.COMPLETED)
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(enrollments))
    errors = []

    def worker(enrollment):
        try:
            barrier.wait()
            certificate_issue(enrollment=enrollment)
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(e,)) for e in enrollments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(enrollments) + 1))
