import io
import sqlite3

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from counseling.models import Client
from groups.models import Member

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup path")


def _row_counts(conn):
    tables = [
        row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    ]
    return {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_file_finds_every_record(tmp_path, make_user, coordinator):
    for i in range(5):
        Client.objects.create(alias=f"Klijentkinja {i}", code=f"C-BAK-{i}", safe_contact_instructions=f"note {i}")
        Member.objects.create(alias=f"Članica {i}", code=f"M-BAK-{i}")
    backup_file = tmp_path / "haven.sqlite3"
    call_command("backup", "--output", str(backup_file), stdout=io.StringIO())
    assert backup_file.stat().st_mode & 0o077 == 0  # only the owner can read a backup

    restored_file = tmp_path / "restored.sqlite3"
    call_command("restore", str(backup_file), "--into", str(restored_file), stdout=io.StringIO())

    connection.ensure_connection()
    live = _row_counts(connection.connection)
    restored = sqlite3.connect(restored_file)
    try:
        assert _row_counts(restored) == live
        for model in (Client, Member):
            assert live[model._meta.db_table] >= 5
        codes = {row[0] for row in restored.execute("SELECT code FROM counseling_client")}
        assert codes == set(Client.objects.values_list("code", flat=True))
        # Encrypted text stays encrypted in the backup.
        raw_notes = [row[0] for row in restored.execute("SELECT safe_contact_instructions FROM counseling_client")]
        assert not any("note" in note for note in raw_notes)
        assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        restored.close()
    assert all(apps.get_model(label) for label in ("counseling.Client", "groups.Member"))


@pytest.mark.django_db
def test_restore_refuses_a_damaged_file(tmp_path):
    from django.core.management.base import CommandError

    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database at all" * 100)
    with pytest.raises((CommandError, sqlite3.DatabaseError)):
        call_command("restore", str(broken), "--into", str(tmp_path / "x.sqlite3"), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_restore_into_writes_a_file_only_its_owner_can_read(tmp_path):
    import os

    backup_file = tmp_path / "haven.sqlite3"
    call_command("backup", "--output", str(backup_file), stdout=io.StringIO())
    restored_file = tmp_path / "restored.sqlite3"
    old_umask = os.umask(0o022)  # the usual umask, under which a new file is world-readable
    try:
        call_command("restore", str(backup_file), "--into", str(restored_file), stdout=io.StringIO())
    finally:
        os.umask(old_umask)
    assert restored_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db(transaction=True)
def test_restore_into_never_overwrites_a_file(tmp_path):
    from django.core.management.base import CommandError

    backup_file = tmp_path / "haven.sqlite3"
    call_command("backup", "--output", str(backup_file), stdout=io.StringIO())
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("restore", str(backup_file), "--into", str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"keep me"
