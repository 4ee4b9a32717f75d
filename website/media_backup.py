"""Uploaded files in backups: written beside the database file, read back by `restore`.

A backup of the database alone loses every uploaded image and document (donor logos, signatures on
certificates, documents of the public site). `backup` therefore writes `<file>.media.tar.gz` next to the
database file, readable by its owner only, and `restore` puts its files back. Both go through the media
storage, so they work the same with files on disk and in an S3-compatible bucket. Restoring puts back every
file of the archive and leaves files uploaded after the backup in place.
"""

import io
import os
import tarfile
from pathlib import Path, PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

SUFFIX = ".media.tar.gz"


def media_archive_path(database_file) -> Path:
    return Path(f"{database_file}{SUFFIX}")


def _stored_files(storage, folder=""):
    directories, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from _stored_files(storage, f"{folder}/{directory}" if folder else directory)


def media_backup(target: Path, *, storage=default_storage) -> int:
    """Write every stored file into the archive `target` (created 0600); returns how many."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    count = 0
    try:
        names = list(_stored_files(storage))
    except FileNotFoundError:  # no upload yet: an empty media folder that was never created
        names = []
    with tarfile.open(target, "w:gz") as archive:
        for name in names:
            with storage.open(name, "rb") as handle:
                content = handle.read()
            member = tarfile.TarInfo(name)
            member.size = len(content)
            member.mode = 0o600
            archive.addfile(member, io.BytesIO(content))
            count += 1
    return count


def media_restore(source: Path, *, storage=default_storage) -> int:
    """Put every file of the archive back into the media storage; returns how many."""
    count = 0
    with tarfile.open(source, "r:gz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts:
                raise SuspiciousFileOperation(f"{member.name} lies outside the media folder")
            content = archive.extractfile(member).read()
            if storage.exists(member.name):
                storage.delete(member.name)
            saved = storage.save(member.name, ContentFile(content))
            if saved != member.name:  # a storage that renamed it would break every link to it
                raise SuspiciousFileOperation(f"{member.name} was stored as {saved}")
            count += 1
    return count
