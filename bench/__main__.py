"""`make bench`: run every bench/bench_*.py module against a generated data set and print one table.

Each module defines `run(measure) -> list[Measurement]`; `measure` is bench.harness.measure. The data set
(bench/dataset.py) is built once per bench database, before the first module runs.
The benchmarks use their own SQLite file (var/bench.sqlite3), never the development database,
unless BENCH_DATABASE_URL points elsewhere (e.g. PostgreSQL).
"""

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

from core import dates

ROOT = Path(__file__).resolve().parent.parent


def main(argv):
    only = argv[1:] or None
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    os.environ["DJANGO_DEBUG"] = "1"
    # The cache production has (the database's): a per-process memory cache would hide the queries it costs.
    os.environ.setdefault("DJANGO_CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache")
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # no mail on screen
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False  # templates and ORM as in production
    settings.ROOT_URLCONF = "bench.urls"  # the site, plus the floor page every page is measured against
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)

    from bench.dataset import SIZES, dataset_built_on, dataset_counts, dataset_ensure
    from bench.harness import measure, print_table

    print("data set ...", file=sys.stderr)
    started = time.perf_counter()
    project = dataset_ensure(stdout=sys.stderr)
    # Fresh planner statistics, as a database in use has them: right after a bulk load PostgreSQL still
    # believes the tables are nearly empty and picks nested loops that cost seconds.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts = dataset_counts(project)
    print(f"data set ready in {time.perf_counter() - started:.0f} s: {counts}", file=sys.stderr)
    short = {name: counts[name] for name, size in SIZES.items() if counts[name] < size}
    if short:
        sys.exit(f"the data set is smaller than SIZES says: {short}")
    built_on = dataset_built_on(project)
    if built_on is None or (dates.today() - built_on).days > 6:
        # Its current week, running cohorts and upcoming editions have moved into the past.
        print(
            f"warning: the data set was laid out around {built_on}; delete the bench database to rebuild it around "
            "today",
            file=sys.stderr,
        )

    results = []
    floor = None
    # The floor first: it heads the table, and every other row is divided by it.
    modules = sorted(
        pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: (i.name != "bench_floor", i.name)
    )
    for info in modules:
        if not info.name.startswith("bench_") or (only and info.name not in only):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        print(f"running {info.name} ...", file=sys.stderr)
        measured = module.run(measure)
        if info.name == "bench_floor":
            floor = measured[0]
        results.extend(measured)
    print_table(results, floor=floor)
    # A module marks a measurement that missed its target (e.g. certificates per CPU-second): fail the run.
    missed = [f"{m.name}: {m.target_missed}" for m in results if getattr(m, "target_missed", "")]
    if missed:
        sys.exit("target missed:\n  " + "\n  ".join(missed))


if __name__ == "__main__":
    main(sys.argv)
