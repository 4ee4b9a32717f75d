import json
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from accounts.enums import Role
from accounts.services import profile_save
from certificates.enums import CertificateEventKind, CertificateStatus, VerificationState
from certificates.models import Certificate, CertificateCounter, CertificateIssuer
from certificates.services import (
    accreditation_delete,
    accreditation_save,
    certificate_completion_sync,
    certificate_ensure,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
    name_clean,
)
from core import dates
from trainings.enums import EnrollmentStatus


@pytest.mark.django_db
def test_issue_freezes_every_printed_field(completed_enrollment, accreditation, attend, settings, certificate_settings):
    settings.HAVEN_CERTIFICATE_PREFIX = "ORG"
    attend(completed_enrollment, hours=6)
    attend(completed_enrollment, hours=2)
    attend(completed_enrollment, hours=4, present=False)
    profile_save(
        user=completed_enrollment.user,
        full_name="Đurđa Šćepanović",
        organisation="CSR Kikinda",
        job_title="Psihološkinja",
    )
    certificate_settings.organisation_name = "Ženski centar Haven"
    certificate_settings.first_signatory_name = "Milica Jovanović"
    certificate_settings.first_signatory_title = "Direktorka"
    certificate_settings.save()
    certificate = certificate_issue(enrollment=completed_enrollment)

    year = dates.today().year
    assert certificate.serial == f"ORG-{year}-00001"
    assert (certificate.holder_name, certificate.holder_organisation, certificate.holder_job_title) == (
        "Đurđa Šćepanović",
        "CSR Kikinda",
        "Psihološkinja",
    )
    assert certificate.hours == Decimal("8")  # hours she was present at, not the programme's nominal 16
    assert certificate.accreditation_number == accreditation.decision_number
    assert certificate.accreditation_points == Decimal("12.0")
    assert (certificate.accreditation_valid_from, certificate.accreditation_valid_until) == (
        accreditation.valid_from,
        accreditation.valid_until,
    )
    assert certificate.issuer.organisation_name == "Ženski centar Haven"
    assert certificate.issuer.signatories == [("Milica Jovanović", "Direktorka")]
    assert len(certificate.verification_code) == 20
    assert json.loads(certificate.credential)["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert list(certificate.events.values_list("kind", flat=True)) == [CertificateEventKind.ISSUED]

    # Later changes of the profile, the accreditation and the settings do not change what was issued.
    profile_save(user=completed_enrollment.user, full_name="Someone Else", organisation="Elsewhere")
    accreditation.decision_number = "changed"
    accreditation.save()
    certificate_settings.organisation_name = "Renamed"
    certificate_settings.first_signatory_name = "Another Director"
    certificate_settings.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "Đurđa Šćepanović"
    assert certificate.accreditation_number == "153-02-00042/2025"
    assert certificate.issuer.organisation_name == "Ženski centar Haven"
    assert certificate.issuer.first_signatory_name == "Milica Jovanović"


@pytest.mark.django_db
def test_certificates_issued_under_the_same_settings_share_one_issuer(make_enrollment):
    first = certificate_issue(enrollment=make_enrollment())
    second = certificate_issue(enrollment=make_enrollment())
    assert first.issuer_id == second.issuer_id
    assert CertificateIssuer.objects.count() == 1
    # With no organisation name set, the certificate still names its issuer.
    assert first.issuer.organisation_name == "Haven Women's Centre"


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Ana\u202eagaL", "AnaagaL"),  # right-to-left override
        ("Ma\u200bja\u200d Jensen", "Maja Jensen"),  # zero-width space and joiner
        ("  Ivana\t\n Radović  ", "Ivana Radović"),
        ("Jelena\u0000 Ilić", "Jelena Ilić"),
        ("Đurđa", "Đurđa"),
        ("Zoe\u0308", "Zoë"),  # combining diaeresis composed (NFC)
    ],
)
def test_names_are_cleaned_of_invisible_and_direction_characters(typed, printed):
    assert name_clean(typed) == printed


def _stored_name(enrollment, name):
    """A name stored before the profile form refused hidden characters (or written by another door)."""
    from accounts.models import Profile

    Profile.objects.filter(user=enrollment.user).update(full_name=name)
    enrollment.user.refresh_from_db()


@pytest.mark.django_db
def test_issue_prints_the_cleaned_name(make_enrollment):
    enrollment = make_enrollment()
    _stored_name(enrollment, "Maja\u202e \u200bJensen")
    certificate = certificate_issue(enrollment=enrollment)
    assert certificate.holder_name == "Maja Jensen"


@pytest.mark.django_db
def test_a_name_of_invisible_characters_only_is_refused(make_enrollment):
    enrollment = make_enrollment()
    _stored_name(enrollment, "\u200b\u202e")
    enrollment.user.email = ""
    enrollment.user.username = "\u200b"
    enrollment.user.save()
    with pytest.raises(ValidationError):
        certificate_issue(enrollment=enrollment)
    assert not Certificate.objects.exists()


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
def test_never_two_valid_certificates_for_one_enrolment(certificate, completed_enrollment):
    with pytest.raises(ValidationError):
        certificate_issue(enrollment=completed_enrollment)
    assert certificate_ensure(enrollment=completed_enrollment) == certificate
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_database_refuses_a_second_valid_certificate(certificate):
    values = {
        f.attname: getattr(certificate, f.attname)
        for f in Certificate._meta.concrete_fields
        if f.attname not in {"id", "serial", "number", "verification_code", "status_list_index"}
    }
    duplicate = Certificate(**values, serial="ORG-1999-00001", number=999, verification_code="another-code")
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db
def test_reissue_after_name_correction_replaces_the_old_one(certificate, coordinator):
    new = certificate_reissue(
        certificate=certificate, holder_name="Maja Šćekić-Østergaard", reason="Name changed", by=coordinator
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REPLACED
    assert certificate.replaced_by == new
    assert certificate.verification_state() == VerificationState.REPLACED
    assert new.holder_name == "Maja Šćekić-Østergaard"
    assert new.serial != certificate.serial and new.verification_code != certificate.verification_code
    assert new.status_list_index != certificate.status_list_index
    assert new.issued_by == coordinator
    assert certificate.events.get(kind=CertificateEventKind.REPLACED).reason == "Name changed"
    with pytest.raises(ValidationError):
        certificate_reissue(certificate=certificate, holder_name="Again", by=coordinator)


@pytest.mark.django_db
def test_revoked_stays_revoked_reissuing_is_refused(certificate, coordinator):
    certificate_revoke(certificate=certificate, reason="Attendance was forged", by=coordinator)
    with pytest.raises(ValidationError) as refused:
        certificate_reissue(certificate=certificate, holder_name="New Name", by=coordinator)
    assert "revoked certificate cannot be reissued" in str(refused.value)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.verification_state() == VerificationState.REVOKED
    assert Certificate.objects.count() == 1
    # Nor can the completion task's retry undo it.
    assert certificate_ensure(enrollment=certificate.enrollment) == certificate
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_revoke_needs_a_reason_and_is_logged(certificate, coordinator):
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, reason="  ", by=coordinator)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID

    certificate_revoke(certificate=certificate, reason="Attendance records were wrong", by=coordinator)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    event = certificate.events.get(kind=CertificateEventKind.REVOKED)
    assert (event.reason, event.by) == ("Attendance records were wrong", coordinator)


@pytest.mark.django_db
def test_completion_change_revokes_then_issues_anew_with_the_reason(certificate, coordinator):
    from trainings.models import workflow

    enrollment = certificate.enrollment
    enrollment.status = EnrollmentStatus.NOT_COMPLETED
    with workflow():  # as trainings' completion does after a corrected attendance (it then signals)
        enrollment.save()
    certificate_completion_sync(enrollment=enrollment, reason="Attendance corrected: 4 of 8 hours", by=coordinator)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_reason == "Attendance corrected: 4 of 8 hours"

    enrollment.status = EnrollmentStatus.COMPLETED
    with workflow():
        enrollment.save()
    new = certificate_completion_sync(enrollment=enrollment, reason="Attendance corrected: 8 of 8 hours")
    assert new.pk != certificate.pk and new.status == CertificateStatus.VALID
    assert new.events.get().reason == "Attendance corrected: 8 of 8 hours"
    # Running it again changes nothing.
    assert certificate_completion_sync(enrollment=enrollment, reason="again") == new
    assert Certificate.objects.count() == 2


@pytest.mark.parametrize(
    ("issued_on", "months", "last_valid_day"),
    [
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a leap day plus a year
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # a month end into a shorter month
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
    ],
)
@pytest.mark.django_db
def test_expiry_on_awkward_days(clock, completed_enrollment, accreditation, issued_on, months, last_valid_day):
    clock(issued_on)
    accreditation.valid_from = issued_on - timedelta(days=400)
    accreditation.valid_until = issued_on + timedelta(days=30)
    accreditation.certificate_validity_months = months
    accreditation.save()
    edition = completed_enrollment.edition
    edition.start_date = edition.end_date = issued_on - timedelta(days=3)
    edition.save()
    certificate = certificate_issue(enrollment=completed_enrollment)
    assert certificate.issued_on == issued_on
    assert certificate.expires_on == last_valid_day
    clock(last_valid_day)
    assert certificate.verification_state() == VerificationState.VALID
    clock(last_valid_day + timedelta(days=1))
    assert certificate.verification_state() == VerificationState.EXPIRED


@pytest.mark.django_db
def test_no_accreditation_for_an_edition_outside_its_validity(make_enrollment, make_edition, accreditation):
    old_edition = make_edition(start=accreditation.valid_from - timedelta(days=30))
    certificate = certificate_issue(enrollment=make_enrollment(edition=old_edition))
    assert certificate.accreditation is None
    assert certificate.accreditation_number == ""


@pytest.mark.django_db
def test_an_accreditation_that_ends_during_the_edition_is_not_cited(make_enrollment, make_edition, accreditation):
    edition = make_edition(start=accreditation.valid_until, days=2)
    certificate = certificate_issue(enrollment=make_enrollment(edition=edition))
    assert certificate.accreditation is None


@pytest.mark.django_db
def test_accreditation_service_validates_and_keeps_cited_ones(accreditation, certificate, programme):
    accreditation.valid_until = accreditation.valid_from - timedelta(days=1)
    with pytest.raises(ValidationError):
        accreditation_save(accreditation=accreditation, programmes=[programme])
    with pytest.raises(ValidationError):
        accreditation_delete(accreditation=accreditation)
    assert type(accreditation).objects.filter(pk=accreditation.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_serials_without_gaps(make_user, make_edition, programme):
    from trainings.models import Enrollment

    edition = make_edition()
    enrollments = [
        Enrollment.objects.create(edition=edition, user=make_user(Role.TRAINEE), status=EnrollmentStatus.COMPLETED)
        for _ in range(6)
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
    assert len(set(Certificate.objects.values_list("status_list_index", flat=True))) == len(enrollments)
