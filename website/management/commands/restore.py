import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from website.management.commands.backup import _pg_env, private_file
from website.media_backup import media_archive_path, media_restore


class Command(BaseCommand):
    help = (
        "Restore a file made by `backup`. SQLite: into the configured database file, or into --into. "
        "PostgreSQL: pg_restore --clean into the configured database. Stop the web server first."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup_file")
        parser.add_argument("--into", help="SQLite only: restore into this new file instead of the live database")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask before overwriting the live database")
        parser.add_argument("--no-media", action="store_true", help="leave the uploaded files as they are")

    def handle(self, *args, backup_file, into=None, database="default", yes=False, no_media=False, **options):
        source = Path(backup_file)
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        connection = connections[database]
        if connection.vendor == "sqlite":
            self._restore_sqlite(source, connection, into, yes)
        elif connection.vendor == "postgresql":
            self._restore_postgresql(source, connection, yes)
        else:
            raise CommandError(f"No restore method for the {connection.vendor} database.")
        archive = media_archive_path(source)
        if not (into or no_media) and archive.is_file():
            count = media_restore(archive)
            self.stdout.write(f"{count} uploaded files restored from {archive}")
        self.stdout.write(self.style.SUCCESS("Restore finished."))

    def _confirm(self, yes, what):
        if yes:
            return
        answer = input(f"This replaces everything in {what}. Type 'yes' to go on: ")
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled.")

    def _restore_sqlite(self, source, connection, into, yes):
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = backup.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise CommandError(f"The backup file is damaged: {check}")
            if into:
                self._restore_into_new_file(backup, Path(into))
                return
            self._confirm(yes, str(connection.settings_dict["NAME"]))
            connection.ensure_connection()
            backup.backup(connection.connection)
        finally:
            backup.close()

    def _restore_into_new_file(self, backup, target):
        """The copy holds everything the live database holds: readable by its owner only, from the first
        byte (created 0600 before SQLite writes to it, whatever the umask)."""
        if target.exists():
            raise CommandError(f"{target} already exists: --into restores into a new file only.")
        private_file(target)
        copy = sqlite3.connect(target)
        try:
            backup.backup(copy)
        finally:
            copy.close()
        for leftover in (Path(f"{target}-journal"), Path(f"{target}-wal"), Path(f"{target}-shm")):
            if leftover.exists():
                leftover.chmod(0o600)

    def _restore_postgresql(self, source, connection, yes):
        pg_restore = shutil.which("pg_restore")
        if not pg_restore:
            raise CommandError("pg_restore was not found: install the PostgreSQL client tools.")
        settings_dict = connection.settings_dict
        self._confirm(yes, settings_dict["NAME"])
        connection.close()
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={settings_dict['NAME']}",
                str(source),
            ],
            env={**os.environ, **_pg_env(settings_dict)},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
