"""An issued certificate stays as issued, and revoked stays revoked: tried through every door below the pages
(the service is tried in test_services, the admin in test_admin)."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from certificates.enums import CertificateStatus
from certificates.models import Certificate, CertificateEvent, CertificateFrozenError
from certificates.services import certificate_revoke
from core.appendonly import AppendOnlyError


@pytest.fixture
def revoked(certificate, coordinator):
    return certificate_revoke(certificate=certificate, reason="Attendance was forged", by=coordinator)


@pytest.mark.django_db
def test_orm_save_cannot_bring_a_revoked_certificate_back(revoked):
    revoked.status = CertificateStatus.VALID
    revoked.revoked_reason = ""
    with pytest.raises(CertificateFrozenError) as refused:
        revoked.save()
    assert "stays so" in str(refused.value)
    revoked.refresh_from_db()
    assert revoked.status == CertificateStatus.REVOKED


@pytest.mark.django_db
def test_orm_save_cannot_change_a_printed_field(certificate):
    certificate.holder_name = "Somebody Else"
    with pytest.raises(CertificateFrozenError):
        certificate.save()
    certificate.refresh_from_db()
    certificate.hours = 99
    with pytest.raises(CertificateFrozenError):
        certificate.save(update_fields=["hours"])
    certificate.refresh_from_db()
    certificate.credential = "{}"
    with pytest.raises(CertificateFrozenError):
        certificate.save()


@pytest.mark.django_db
def test_queryset_update_and_delete_are_refused(revoked):
    with pytest.raises(CertificateFrozenError):
        Certificate.objects.filter(pk=revoked.pk).update(status=CertificateStatus.VALID)
    with pytest.raises(CertificateFrozenError):
        Certificate.objects.filter(pk=revoked.pk).delete()
    with pytest.raises(CertificateFrozenError):
        revoked.delete()
    assert Certificate.objects.get(pk=revoked.pk).status == CertificateStatus.REVOKED


@pytest.mark.parametrize(
    ("column", "value"),
    [("status", "valid"), ("status", "replaced"), ("holder_name", "Other"), ("hours", 40), ("credential", "{}")],
)
@pytest.mark.django_db
def test_the_database_refuses_raw_sql_changes(revoked, column, value):
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE certificates_certificate SET {column} = %s WHERE id = %s", [value, revoked.pk])  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, holder_name FROM certificates_certificate WHERE id = %s", [revoked.pk])
        assert cursor.fetchone() == ("revoked", revoked.holder_name)


@pytest.mark.django_db
def test_the_database_allows_bookkeeping(certificate):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE certificates_certificate SET expiry_reminder_sent_at = CURRENT_TIMESTAMP WHERE id = %s",
            [certificate.pk],
        )
    certificate.refresh_from_db()
    assert certificate.expiry_reminder_sent_at is not None


@pytest.mark.django_db
def test_the_event_log_is_append_only(revoked):
    event = CertificateEvent.objects.filter(certificate=revoked).last()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        CertificateEvent.objects.all().delete()
