from datetime import date, timedelta

from django.core.management.base import BaseCommand

from core import dates
from counseling.tasks import client_reminders_send_task, counselor_reminders_send_task


class Command(BaseCommand):
    help = (
        "Queue tomorrow's reminders: one email per counselor, and reminders for clients who chose a safe channel "
        "(sent only inside their safe times, so run this every hour)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: tomorrow)")

    def handle(self, *args, **options):
        day = date.fromisoformat(options["day"]) if options["day"] else dates.today() + timedelta(days=1)
        counselor_reminders_send_task.enqueue(day=day.isoformat())
        client_reminders_send_task.enqueue(day=day.isoformat())
        self.stdout.write(f"Reminders queued for {day.isoformat()}.")
