from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Prepare this checkout to serve: compile the translations, collect the static files, apply the migrations, "
        "create the cache tables and, on PostgreSQL with --app-role, grant the application role its rights. Run it "
        "as the database owner before starting (or restarting) the web servers, the worker and the scheduler."
    )

    def add_arguments(self, parser):
        parser.add_argument("--app-role", help="PostgreSQL: the role the web servers and workers log in as")

    def handle(self, *args, app_role=None, **options):
        verbosity = options["verbosity"]
        steps = [
            # Without compiled catalogues every page is in English (the .mo files are not in git).
            ("compiletranslations", {}),
            ("collectstatic", {"interactive": False, "verbosity": 0}),
            ("migrate", {"interactive": False, "verbosity": max(verbosity - 1, 0)}),
            ("createcachetable", {}),
        ]
        if app_role:
            steps.append(("grant_app_role", {"role": app_role}))
        for name, arguments in steps:
            self.stdout.write(f"release: {name}")
            if name == "grant_app_role":
                call_command(name, arguments["role"], stdout=self.stdout)
            else:
                call_command(name, stdout=self.stdout, **arguments)
        call_command("check", deploy=True, fail_level="ERROR", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("release: ready to (re)start the web servers, the worker and the scheduler")
        )
