import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from core.fields import _fernet_for
from counseling.models import Client
from groups.models import Cohort, GroupProgramme, GroupSession

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Call only after 18h; if he answers, say it is the dentist"


def _raw(model, pk, column):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def survivor():
    return Client.objects.create(
        alias="Jasmina", code="C-ENC-1", safe_contact_instructions=SECRET_TEXT, contact_address="+381 64 111 2222"
    )


def test_the_database_row_holds_no_survivor_text(survivor):
    raw = _raw(Client, survivor.pk, "safe_contact_instructions")
    assert SECRET_TEXT not in raw
    assert "dentist" not in raw
    assert "111 2222" not in _raw(Client, survivor.pk, "contact_address")
    assert Client.objects.get(pk=survivor.pk).safe_contact_instructions == SECRET_TEXT


def test_session_notes_are_encrypted_too():
    import datetime

    from django.utils import timezone

    cohort = Cohort.objects.create(
        programme=GroupProgramme.objects.create(name="Programme"), name="Cohort", start_date=datetime.date(2026, 1, 5)
    )
    start = timezone.now()
    session = GroupSession.objects.create(
        cohort=cohort, start=start, end=start + datetime.timedelta(hours=2), notes="She spoke about the night in May"
    )
    # A phrase with a space: a Fernet token is URL-safe base64, which a short word like "May" can turn up in
    # by chance (it did, once in some thousand runs) but a space never.
    assert "night in May" not in _raw(GroupSession, session.pk, "notes")


def test_generate_encryption_key_prints_a_fernet_key():
    out = io.StringIO()
    call_command("generate_encryption_key", stdout=out)
    Fernet(out.getvalue().strip().encode())  # raises if it is not a valid key


def test_rotation_re_encrypts_everything_with_the_new_key(settings, survivor):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before = _raw(Client, survivor.pk, "safe_contact_instructions")

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "counseling.Client.safe_contact_instructions: 1" in out.getvalue()
    after = _raw(Client, survivor.pk, "safe_contact_instructions")
    assert after != before
    assert Fernet(new_key.encode()).decrypt(after.encode()).decode() == SECRET_TEXT

    # With the old key gone, everything still reads.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    _fernet_for.cache_clear()
    reread = Client.objects.get(pk=survivor.pk)
    assert reread.safe_contact_instructions == SECRET_TEXT
    assert reread.contact_address == "+381 64 111 2222"
