from django.core.management.base import BaseCommand

from trainings.services import reminders_enqueue


class Command(BaseCommand):
    help = "Enqueue a reminder email for everyone enrolled in a training that has a session tomorrow (run daily)."

    def handle(self, *args, **options):
        count = reminders_enqueue()
        self.stdout.write(f"{count} training reminder(s) enqueued.")
