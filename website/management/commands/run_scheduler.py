from django.core.management.base import BaseCommand

from website.scheduler import JOBS, scheduler_run


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs that are due (offer expiry, reminders, retention, ...), each once per hour or "
        "day even when two schedulers run at once. Run it every five minutes from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", dest="list_only", help="list the jobs and when they run, enqueue nothing"
        )

    def handle(self, *args, list_only=False, **options):
        if list_only:
            for job in JOBS:
                when = job.every if not job.from_hour else f"{job.every} from {job.from_hour:02d}:00"
                self.stdout.write(f"{job.name:<30} {when}")
            return
        result = scheduler_run()
        for name in result.enqueued:
            self.stdout.write(f"enqueued: {name}")
        if options["verbosity"] > 1:
            for name in result.already:
                self.stdout.write(f"already enqueued for this slot: {name}")
