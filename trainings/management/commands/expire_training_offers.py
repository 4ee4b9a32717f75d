from django.core.management.base import BaseCommand

from trainings.services import enrollment_offers_expire


class Command(BaseCommand):
    help = "Withdraw seat offers not confirmed in time and pass the seats to the next on the waitlist (run hourly)."

    def handle(self, *args, **options):
        count = enrollment_offers_expire()
        self.stdout.write(f"{count} expired seat offer(s) passed on.")
