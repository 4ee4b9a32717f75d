import logging
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_USERS

# Order matters: later apps build on what earlier ones created.
DEMO_APPS = ["core", "accounts", "website", "reporting", "groups", "counseling", "cases", "trainings", "certificates"]


class Command(BaseCommand):
    help = "Load fictional, realistic demo data and one login per role (development only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data with DJANGO_DEBUG off: demo logins share the password "
                f"'{DEMO_PASSWORD}' and must never exist on a production server."
            )
        users = {}
        # Wagtail logs each page it saves and publishes (some seventy lines for the demo site's pages in three
        # languages), which would bury the logins printed below.
        wagtail_log = logging.getLogger("wagtail")
        level = wagtail_log.level
        wagtail_log.setLevel(logging.WARNING)
        try:
            for app in DEMO_APPS:
                if not find_spec(f"{app}.demo"):
                    continue
                with transaction.atomic():
                    import_module(f"{app}.demo").load(users=users, stdout=self.stdout)
                self.stdout.write(f"  demo data: {app}")
        finally:
            wagtail_log.setLevel(level)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins (password: demo):"))
        for email, role, *_rest in DEMO_USERS:
            self.stdout.write(f"  {role:<16} {email}")
