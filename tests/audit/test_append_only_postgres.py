"""On PostgreSQL a trigger keeps the audit log append-only even against raw SQL (CI runs the suite there)."""

import pytest
from django.db import DatabaseError, connection, models, transaction

from audit.enums import AuditAction
from audit.models import AuditEntry
from audit.services import audit_record
from counseling.models import Client

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"),
]


@pytest.fixture
def entry(counselor):
    her = Client.objects.create(alias="Zorica", code="C-PG-1")
    return audit_record(actor=counselor, action=AuditAction.VIEW, obj=her)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET detail = 'rewritten' WHERE id = %s",
        "UPDATE audit_auditentry SET actor_id = NULL, action = 'change' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_delete_an_entry(entry, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])
    entry_now = AuditEntry.objects.get(pk=entry.pk)
    assert (entry_now.detail, entry_now.action) == (entry.detail, entry.action)


def test_queryset_update_is_refused_by_the_database_too(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet.update(AuditEntry.objects.filter(pk=entry.pk), detail="rewritten")  # past the app guard
    assert AuditEntry.objects.get(pk=entry.pk).detail == entry.detail


def test_deleting_the_actor_keeps_the_entry_and_her_email(entry, counselor):
    email = counselor.email
    counselor.delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.actor_id is None
    assert kept.actor_email == email
