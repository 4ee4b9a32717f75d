"""Backups carry the uploaded files too, and a restore brings them back."""

import io
import shutil
import tarfile

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from website.media_backup import media_archive_path, media_backup, media_restore

pytestmark = pytest.mark.filterwarnings("ignore:Unclosed file <tempfile.SpooledTemporaryFile:ResourceWarning")


def status_of(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, the test client then closes the file
    return response.status_code


def read(name):
    with default_storage.open(name) as handle:
        return handle.read()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_every_stored_file_goes_into_the_archive_and_comes_back(media_root, tmp_path):
    default_storage.save("documents/minutes.pdf", ContentFile(b"%PDF-1.4 minutes"))
    default_storage.save("images/logo.max-160x80.png", ContentFile(b"\x89PNG logo"))
    default_storage.save("original_images/logo.png", ContentFile(b"\x89PNG original"))
    archive = media_archive_path(tmp_path / "haven.dump")
    assert archive.name == "haven.dump.media.tar.gz"
    assert media_backup(archive) == 3
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds private documents too

    shutil.rmtree(media_root)
    default_storage.save("images/uploaded-later.png", ContentFile(b"kept"))
    assert media_restore(archive) == 3
    assert read("documents/minutes.pdf") == b"%PDF-1.4 minutes"
    assert read("original_images/logo.png") == b"\x89PNG original"
    assert default_storage.exists("images/uploaded-later.png")
    # Restoring again replaces the files in place instead of adding renamed copies.
    assert media_restore(archive) == 3
    assert sorted(default_storage.listdir("images")[1]) == ["logo.max-160x80.png", "uploaded-later.png"]


def test_an_empty_media_folder_makes_an_empty_archive(tmp_path):
    archive = tmp_path / "haven.sqlite3.media.tar.gz"
    assert media_backup(archive) == 0
    assert media_restore(archive) == 0


@pytest.mark.parametrize("name", ["../settings.py", "/etc/passwd", "images/../../escape.txt"])
def test_an_archive_cannot_write_outside_the_media_folder(tmp_path, name):
    archive = tmp_path / "evil.media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        member = tarfile.TarInfo(name)
        member.size = 4
        tar.addfile(member, io.BytesIO(b"evil"))
    with pytest.raises(SuspiciousFileOperation):
        media_restore(archive)
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_commands_bring_the_media_back(media_root, tmp_path, client):
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("the PostgreSQL client tools are not installed")
    image = Image.objects.create(title="Donor logo", file=get_test_image_file("logo.png"))
    logo = image.get_rendition("max-160x80")
    database_file = tmp_path / ("haven.sqlite3" if connection.vendor == "sqlite" else "haven.dump")
    out = io.StringIO()
    call_command("backup", "--output", str(database_file), stdout=out)
    assert media_archive_path(database_file).exists()
    assert "2 uploaded files" in out.getvalue()

    shutil.rmtree(media_root)
    assert status_of(client, logo.url) == 404
    call_command("restore", str(database_file), "--yes", stdout=out)
    assert status_of(client, logo.url) == 200
    assert read(Image.objects.get(pk=image.pk).file.name).startswith(b"\x89PNG")
