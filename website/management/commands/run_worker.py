from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run the background worker of the configured task backend (HAVEN_TASKS_BACKEND): the database worker, or "
        "an RQ worker on Redis. Run one or more beside the web servers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="run what is queued, then stop")

    def handle(self, *args, burst=False, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        verbosity = options["verbosity"]
        if backend == settings.TASK_BACKENDS["database"]:
            call_command("db_worker", batch=burst, reload=False, verbosity=verbosity)
        elif backend == settings.TASK_BACKENDS["rq"]:
            # RQ runs each job in a fork of the worker; the job class lets it run Django tasks.
            call_command("rqworker", "default", job_class="django_tasks_rq.Job", burst=burst, verbosity=verbosity)
        elif backend == settings.TASK_BACKENDS["immediate"]:
            self.stdout.write("Tasks run inline (HAVEN_TASKS_BACKEND=immediate): there is no worker to run.")
        else:
            raise CommandError(f"No worker is known for the task backend {backend}.")
