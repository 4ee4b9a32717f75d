"""`make bench`: the data set at two sizes (1x and 10x), every bench/bench_*.py module on each, one table per
size, then the two side by side with the growth from 1x to 10x and the targets checked.

    python -m bench [modules]               both sizes (BENCH_SCALES="1,10"), each in a process of its own
    python -m bench --scale 10 [modules]    one size only, its table and its modules' own targets

Each module defines `run(measure) -> list[Measurement]`; `measure` is bench.harness.measure. The data set
(bench/dataset.py) is built once per bench database, before the first module runs. Each size has its own
database (var/bench.sqlite3 and var/bench-10x.sqlite3), never the development database, unless
BENCH_DATABASE_URL points elsewhere (e.g. PostgreSQL; the 10x database is then that name with `_10x`, or
BENCH_DATABASE_URL_10X).
"""

import argparse
import importlib
import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_url(scale: int) -> str:
    base = os.environ.get("BENCH_DATABASE_URL", "")
    if scale == 1:
        return base or f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    if os.environ.get(f"BENCH_DATABASE_URL_{scale}X"):
        return os.environ[f"BENCH_DATABASE_URL_{scale}X"]
    if base:
        url, _, query = base.partition("?")
        return f"{url}_{scale}x" + (f"?{query}" if query else "")
    return f"sqlite:///{ROOT / 'var' / f'bench-{scale}x.sqlite3'}"


def _postgres_database_ensure(url: str):
    """The 10x database next to the 1x one on the same server, created on first use."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    connect = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"],
        "password": config["PASSWORD"],
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **connect) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def run_one(scale: int, only: list[str] | None, json_path: str | None):
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = database_url(scale)
    if os.environ["DATABASE_URL"].startswith("postgres") and scale != 1:
        _postgres_database_ensure(os.environ["DATABASE_URL"])
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

    from bench import dataset
    from core import dates

    settings.DEBUG = False  # templates and ORM as in production
    settings.ROOT_URLCONF = "bench.urls"  # the site, plus the floor page every page is measured against
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)

    from bench.harness import measure, print_table

    print(f"data set at {scale}x ...", file=sys.stderr)
    started = time.perf_counter()
    project = dataset.dataset_ready(scale=scale, stdout=sys.stderr)
    counts = dataset.dataset_counts(project)
    print(f"data set ready in {time.perf_counter() - started:.0f} s: {counts}", file=sys.stderr)
    short = {name: counts[name] for name, size in dataset.SIZES.items() if counts[name] < size}
    if short:
        sys.exit(f"the data set is smaller than SIZES says: {short}")
    built_on = dataset.dataset_built_on(project)
    if built_on is None or (dates.today() - built_on).days > 6:
        # Its current week, running cohorts and upcoming editions have moved into the past.
        print(
            f"warning: the data set was laid out around {built_on}; delete the bench database to rebuild it around "
            "today",
            file=sys.stderr,
        )

    # Measured in the state of a serving process: website/wsgi.py freezes what it holds once it is loaded.
    from core.runtime import serving_process_ready

    serving_process_ready()
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
        print(f"running {info.name} at {scale}x ...", file=sys.stderr)
        measured = module.run(measure)
        if info.name == "bench_floor":
            floor = measured[0]
        results.extend(measured)
    print(f"\n{scale}x (data set: {counts})")
    print_table(results, floor=floor)
    if json_path:
        from bench.harness import measurements_dump

        Path(json_path).write_text(measurements_dump(results))
    # A module marks a measurement that missed its target (e.g. certificates per CPU-second): fail the run.
    missed = [f"{m.name}: {m.target_missed}" for m in results if m.target_missed]
    if missed:
        sys.exit("target missed:\n  " + "\n  ".join(missed))


def run_all(scales: list[int], only: list[str]) -> int:
    """Each size in a process of its own (its own database and data set), then the growth and the targets."""
    from bench.harness import growth_table, measurements_load

    (ROOT / "var").mkdir(exist_ok=True)
    tables, failed = {}, False
    for scale in scales:
        path = ROOT / "var" / f"bench-{scale}x.json"
        path.unlink(missing_ok=True)
        code = subprocess.call([sys.executable, "-m", "bench", "--scale", str(scale), "--json", str(path), *only])
        failed = failed or code != 0
        if path.exists():
            tables[scale] = measurements_load(path.read_text())
    if len(tables) == 2:
        small, large = sorted(tables)
        missed = growth_table(tables[small], tables[large], small_size=small, large_size=large)
        if missed:
            print("target missed:\n  " + "\n  ".join(missed), file=sys.stderr)
            failed = True
    return 1 if failed else 0


def main(argv):
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("modules", nargs="*", help="bench_* modules to run (default: all)")
    parser.add_argument("--scale", type=int, help="one size only (1 or 10)")
    parser.add_argument("--json", help="also write the measurements here")
    args = parser.parse_args(argv[1:])
    if args.scale:
        run_one(args.scale, args.modules or None, args.json)
        return
    scales = [int(s) for s in os.environ.get("BENCH_SCALES", "1,10").split(",") if s.strip()]
    if len(scales) == 1:
        run_one(scales[0], args.modules or None, args.json)
        return
    sys.exit(run_all(scales, args.modules))


if __name__ == "__main__":
    main(sys.argv)
