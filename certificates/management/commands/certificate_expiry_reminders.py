from django.core.management.base import BaseCommand

from certificates.services import certificate_expiry_reminders_enqueue


class Command(BaseCommand):
    help = "Email holders whose certificates expire within 60 days (once per certificate). Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=60)

    def handle(self, *args, **options):
        count = certificate_expiry_reminders_enqueue(days_before=options["days"])
        self.stdout.write(f"{count} reminder(s) queued.")
