"""A migrated test database, made once per set of migrations and copied for every test run.

Migrating a test database from nothing takes about 25 s, most of a short run. The first run after the
migrations change keeps a copy of its freshly migrated database as a template, named after a fingerprint of
every installed app's migration files and of the code `migrate` runs around them (the triggers its signals
install); later runs (and each pytest-xdist worker) copy the template into their own test database, and
Django's `migrate` then finds nothing to apply. In that first run one process migrates while the others
wait for its template (`copy_template_or_build`). A changed, added or removed migration, or a changed trigger,
changes the fingerprint, so a stale template is never used. On SQLite the template is a file in the
temporary folder; on PostgreSQL a database created with `CREATE DATABASE ... TEMPLATE`, one for all workers.

`HAVEN_TEST_FRESH_DB=1` (or pytest-django's `--create-db`) migrates from nothing as before.
"""

import contextlib
import fcntl
import hashlib
import inspect
import os
import re
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

LOCK = Path(tempfile.gettempdir()) / "haven-test-template.lock"
# Held by the one process that migrates while there is no template yet; the others wait on it, then copy.
BUILDING = Path(tempfile.gettempdir()) / "haven-test-template-building.lock"
_BUILDING = {"handle": None}
STALE_AFTER_SECONDS = 24 * 60 * 60
# Whether this process's test database holds the template's very rows: copied from it, or the database it
# was kept from. Not so for a database migrated beside the one that became the template (no longer in one
# run, whose processes wait for the one migrating: `copy_template_or_build`): its migrated rows carry values
# of their own (the root page's random translation key).
_ROWS = {"the_templates": False}


def enabled(config) -> bool:
    return os.environ.get("HAVEN_TEST_FRESH_DB", "") in ("", "0") and not config.getvalue("create_db")


def fingerprint() -> str:
    """Of every installed app's migration files, the modules of what runs before and after them (the
    receivers of pre_migrate and post_migrate: the triggers they install are part of a migrated database),
    the app list and the database engine."""
    import django
    from django.apps import apps
    from django.db import connection
    from django.db.models.signals import post_migrate, pre_migrate

    digest = hashlib.sha256(f"{django.__version__} {connection.vendor}".encode())
    for app_config in sorted(apps.get_app_configs(), key=lambda a: a.label):
        digest.update(app_config.label.encode())
        folder = Path(app_config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    receivers = [entry[1]() for signal in (pre_migrate, post_migrate) for entry in signal.receivers]
    sources = {inspect.getsourcefile(receiver) for receiver in receivers if receiver is not None}
    for source in sorted(sources | _project_sources_used_by(sources)):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


def _project_sources_used_by(sources) -> set[str]:
    """The project's modules whose names those modules import: the SQL of a trigger is often written by a
    shared module (core.calendar_sequence, core.attendance), and a change there changes the database too."""
    import sys

    root = Path(__file__).resolve().parent.parent
    modules = [m for m in list(sys.modules.values()) if getattr(m, "__file__", None) in sources]
    used = set()
    for module in modules:
        for value in vars(module).values():
            owner = sys.modules.get(value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", ""))
            path = Path(getattr(owner, "__file__", None) or "/").resolve()
            if path.is_relative_to(root) and "site-packages" not in path.parts:
                used.add(str(path))
    return used - set(sources)


@contextlib.contextmanager
def _locked():
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_template() -> Path:
    return Path(tempfile.gettempdir()) / f"haven-test-template-{fingerprint()}.sqlite3"


def _without_worker(test_name: str) -> str:
    return re.sub(r"_gw[0-9]+$", "", test_name)


def _pg_template(test_name: str) -> str:
    """One template for every worker's database (test_haven_gw0, test_haven_gw1: test_haven's)."""
    return f"tpl_{fingerprint()}_{_without_worker(test_name)}"[:63]


def _pg_templates_of(test_name: str) -> str:
    """A pattern of the names of this test database's templates, of any migrations: its workers' own too (as
    they once were), not another database's (test_haven_load's beside test_haven's)."""
    return f"^tpl_[0-9a-f]+_{re.escape(_without_worker(test_name))}(_gw[0-9]+)?$"


def copy_template() -> bool:
    """Copy the template into this run's test database; False when there is no template yet."""
    from django.db import connection

    test_name = connection.settings_dict["TEST"]["NAME"] or f"test_{connection.settings_dict['NAME']}"
    with _locked():
        if connection.vendor == "sqlite":
            template = _sqlite_template()
            if not template.exists():
                return False
            target = Path(test_name)
            _sqlite_files_removed(target)
            shutil.copyfile(template, target)
            _ROWS["the_templates"] = True
            return True
        if connection.vendor == "postgresql":
            template = _pg_template(test_name)
            with connection._nodb_cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
                if cursor.fetchone() is None:
                    return False
                cursor.execute(f'DROP DATABASE IF EXISTS "{test_name}"')
                cursor.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
            _ROWS["the_templates"] = True
            return True
    return False


def copy_template_or_build() -> bool:
    """`copy_template`; with no template yet, one process (the first to ask) migrates and keeps its database as
    the template, and the others (test workers, the production tests beside them) wait for it and copy it.
    Each migrating for itself, three processes on two cores made a first run some 40 s of migrating instead of 28;
    a process that dies while migrating lets go of the lock with its life."""
    if copy_template():
        return True
    handle = BUILDING.open("a")
    fcntl.flock(handle, fcntl.LOCK_EX)
    if copy_template():  # another process built it meanwhile
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
        return True
    _BUILDING["handle"] = handle  # let go by keep_as_template
    return False


def _building_done() -> None:
    handle = _BUILDING["handle"]
    if handle is not None:
        _BUILDING["handle"] = None
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def keep_as_template() -> None:
    """Right after Django migrated a fresh test database: keep a copy for the next runs (unless another
    worker's copy was kept first), and let the processes waiting for it copy it."""
    try:
        _keep_as_template()
    finally:
        _building_done()


def _keep_as_template() -> None:
    from django.db import connection, connections

    test_name = connection.settings_dict["NAME"]
    with _locked():
        if connection.vendor == "sqlite":
            template = _sqlite_template()
            if template.exists():
                return
            _ROWS["the_templates"] = True
            partial = template.with_suffix(f".{os.getpid()}.partial")
            source, destination = sqlite3.connect(test_name), sqlite3.connect(partial)
            try:
                source.backup(destination)
            finally:
                source.close()
                destination.close()
            os.replace(partial, template)
            stale_templates_removed(template)
        elif connection.vendor == "postgresql":
            template = _pg_template(test_name)
            connections.close_all()  # CREATE DATABASE ... TEMPLATE needs the source without sessions
            with connection._nodb_cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{test_name}"')
                    _ROWS["the_templates"] = True
                # Templates of earlier migrations of this same test database (and a worker's own, as they
                # were once) are of no further use.
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname ~ %s AND datname <> %s",
                    [_pg_templates_of(test_name), template],
                )
                for (old,) in cursor.fetchall():
                    with contextlib.suppress(Exception):
                        cursor.execute(f'DROP DATABASE "{old}"')


def _sqlite_files_removed(database: Path) -> None:
    """A SQLite database's file goes, with the journal files SQLite keeps beside it."""
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)


def stale_templates_removed(template: Path) -> None:
    """Templates of other migrations not used for a day go, with the journal files SQLite keeps beside them."""
    for old in template.parent.glob("haven-test-template-*.sqlite3"):
        if old != template and time.time() - old.stat().st_mtime > STALE_AFTER_SECONDS:
            _sqlite_files_removed(old)


def remove_copy() -> None:
    """At the end of a run that worked on a copy: the copy goes (the template stays)."""
    from django.db import connection, connections

    test_name = connection.settings_dict["NAME"]
    connections.close_all()
    if connection.vendor == "sqlite":
        _sqlite_files_removed(Path(test_name))
    elif connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{test_name}"')


_RESTORED_TABLES = {}


def rows_are_the_templates() -> bool:
    return _ROWS["the_templates"]


def restore_migrated_rows(connection) -> bool:
    """After a transactional test emptied the tables: the rows `migrate` made, copied back from the template.

    Django puts them back by deserialising its JSON copy of them through every model's save(), 0.17 s for
    each of the suite's 58 transactional tests; the template holds the very same rows (it is the migrated
    database), and one INSERT ... SELECT per table that has rows there does it in milliseconds. SQLite only,
    outside a transaction (a database cannot be attached inside one), into empty tables, and only where this
    database's migrated rows are the template's (`rows_are_the_templates`); False leaves it to Django.
    """
    from django.db import transaction

    if connection.vendor != "sqlite" or connection.in_atomic_block or not rows_are_the_templates():
        return False
    template = _sqlite_template()
    if not template.exists():
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ATTACH DATABASE %s AS migrated", [f"file:{template}?mode=ro"])
        try:
            tables = _RESTORED_TABLES.get(template)
            if tables is None:
                tables = _RESTORED_TABLES[template] = _tables_with_rows(connection, cursor)
            if not tables:
                return True
            # Django's way saves over rows still there (the first transactional test after the others); this
            # one only fills empty tables.
            cursor.execute(
                "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM main.{quote(table)})" for table, _ in tables)  # noqa: S608 - model tables
            )
            if cursor.fetchone()[0]:
                return False
            with connection.constraint_checks_disabled(), transaction.atomic(using=connection.alias):
                for table, columns in tables:
                    names = ", ".join(quote(column) for column in columns)
                    cursor.execute(
                        f"INSERT INTO main.{quote(table)} ({names}) SELECT {names} FROM migrated.{quote(table)}"  # noqa: S608 - table and column names of the template
                    )
                connection.check_constraints(table_names=[table for table, _ in tables])
        finally:
            cursor.execute("DETACH DATABASE migrated")
    return True


def _tables_with_rows(connection, cursor):
    """(table, columns) of the tables a flush empties that have rows in the template, columns by name: a
    table remade by a migration test may list them in another order."""
    quote = connection.ops.quote_name
    tables = []
    for table in sorted(connection.introspection.django_table_names(only_existing=True, include_views=False)):
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM migrated.{quote(table)})")  # noqa: S608 - a model's table
        if not cursor.fetchone()[0]:
            continue
        cursor.execute(f"PRAGMA migrated.table_info({quote(table)})")
        tables.append((table, [row[1] for row in cursor.fetchall()]))
    return tables
