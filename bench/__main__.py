"""`make bench`: run every bench/bench_*.py module against a generated data set and print one table.

Each module defines `run(measure) -> list[Measurement]`; `measure` is bench.harness.measure.
The benchmarks use their own SQLite file (var/bench.sqlite3), never the development database,
unless BENCH_DATABASE_URL points elsewhere (e.g. PostgreSQL).
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv):
    only = argv[1:] or None
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # no mail on screen
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # templates and ORM as in production
    call_command("migrate", verbosity=0, interactive=False)

    from bench.harness import measure, print_table

    results = []
    floor = None
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if not info.name.startswith("bench_") or (only and info.name not in only):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        print(f"running {info.name} ...", file=sys.stderr)
        measured = module.run(measure)
        if info.name == "bench_floor":
            floor = measured[0]
        results.extend(measured)
    print_table(results, floor=floor)


if __name__ == "__main__":
    main(sys.argv)
