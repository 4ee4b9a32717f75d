from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """Compile .po to .mo with polib, so that a machine without GNU gettext can build the project."""

    help = "Compile the project's .po files to .mo files (no GNU gettext needed)."

    def handle(self, *args, **options):
        import polib

        count = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in Path(locale_path).glob("*/LC_MESSAGES/*.po"):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} translation file(s).")
