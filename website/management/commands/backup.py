import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core import dates
from website.media_backup import media_archive_path, media_backup


def private_file(target: Path) -> None:
    """Create (or take over) the file readable and writable by its owner only, before anything is written
    to it: a backup holds every survivor record, and chmod after writing leaves a moment it is readable."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    target.chmod(0o600)


def _pg_env(settings_dict):
    env = {}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database to a file: SQLite through its online backup API, "
        "PostgreSQL through pg_dump (custom format). Encrypted fields stay encrypted: keep the keys elsewhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default: backups/haven-<time>.sqlite3 or .dump)")
        parser.add_argument("--database", default="default")
        parser.add_argument("--no-media", action="store_true", help="leave the uploaded files out")

    def handle(self, *args, output=None, database="default", no_media=False, **options):
        connection = connections[database]
        stamp = dates.now().strftime("%Y%m%d-%H%M%S")
        if connection.vendor == "sqlite":
            target = Path(output or f"backups/haven-{stamp}.sqlite3")
            private_file(target)
            connection.ensure_connection()
            destination = sqlite3.connect(target)
            try:
                # The backup API copies a consistent snapshot while the site keeps running.
                connection.connection.backup(destination)
            finally:
                destination.close()
        elif connection.vendor == "postgresql":
            target = Path(output or f"backups/haven-{stamp}.dump")
            private_file(target)
            pg_dump = shutil.which("pg_dump")
            if not pg_dump:
                raise CommandError("pg_dump was not found: install the PostgreSQL client tools.")
            settings_dict = connection.settings_dict
            result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [pg_dump, "--format=custom", "--no-owner", f"--file={target}", settings_dict["NAME"]],
                env={**os.environ, **_pg_env(settings_dict)},
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise CommandError(f"No backup method for the {connection.vendor} database.")
        target.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))
        if not no_media:
            archive = media_archive_path(target)
            count = media_backup(archive)
            self.stdout.write(self.style.SUCCESS(f"{count} uploaded files written to {archive}"))
