"""When the inputs of donor figures last changed, as the database itself records it.

Counting a live report's figures reads every activity row of its period (about two seconds for a busy
quarter at ten times the bench's data), yet the figures change only when one of the tables they are
counted from changes. Triggers on those tables (SQLite and PostgreSQL) move a stamp whenever one of them
changes, whatever changed it: a page, the Wagtail admin, a service, the ORM's bulk update, raw SQL. A live
report keeps its figures under the stamp (reporting.report.report_protected_live) and counts them again once
it moves.

The inputs are every table of the apps that register measures, reporting's own tables (periods, targets,
snapshots: what a report carries forward) and the tables measures name as Inputs or read through a
ListDimension. A table added to one of those apps is an input without further ado.

SQLite: the stamp is the one row of FiguresInputsStamp, given a new random value in the writer's own
transaction (the database has one writer at a time). Random rather than counted: after a rollback or a
restored backup a counter would come back to a value it had before with other rows behind it.

PostgreSQL: a row every writer updated would make writers queue for it (and deadlock, with the locks they
take in between), so the stamp is a sequence, which nextval() moves at once and outside transactions.
That alone would let a reader take the new value while the writer's rows are not yet committed and keep
figures without them under it. So each writing statement also holds a shared advisory lock until its
transaction ends (shared: writers never wait for one another), and a reader reads the sequence first,
then checks that no writer holds that lock: if none does, every writer that moved the sequence up to the
value read has ended, and its rows are visible to the reader's next statements. If one does, the reader
counts the figures and keeps nothing; nor does a transaction that has written an input itself (it reads its
own rows before they are committed, and the sequence would not go back if they were rolled back).

Each app's tables also move a stamp of that app's own (`figures_inputs_stamp(apps=...)`), beside the one
for every input: a page built from the trainings tables alone (the public catalogue) is kept under the
trainings stamp, which a group's attendance mark leaves where it was. On SQLite it is the stamp table's row
of that app (its id derived from the app's label; put in by a migration, or when first read), on PostgreSQL a
sequence of that app, moved by the same trigger function; the advisory lock and the written flag stay the
ones of every input.

The site's pages (Wagtail's page tree, its sites and locales) move a stamp of their own, `page_tree_stamp()`,
with the same triggers and lock, but not the stamp of every input: they are not what figures are counted
from. An address's route to its page is kept under it (website.routing).

Installed after every migrate and removed before it (reporting.apps): SQLite drops a table's triggers when
it rebuilds it, and a trigger that writes another table stands in the way of that table's rebuild.
"""

import secrets
import zlib

from django.apps import apps
from django.db import connections

STAMP_TABLE = "reporting_figuresinputsstamp"
_FUNCTION = "reporting_figures_inputs_changed"
_SEQUENCE = "reporting_figures_inputs_seq"
# The advisory lock writers hold (shared) while their transaction runs: an arbitrary constant of this app.
_WRITERS_LOCK = 0x4861_7665_6E46_4900
_WRITTEN = "haven.figures_inputs_written"
# Every row of the stamp table but the page tree's (figures_inputs_touch).
_BUMP_INPUTS_SQLITE = f'UPDATE "{STAMP_TABLE}" SET "stamp" = random() WHERE "id" != %s'  # noqa: S608 - constant names
# The label of the page tree's stamp (Wagtail's own app), and the tables that move it.
PAGE_TREE = "wagtailcore"
_PAGE_TREE_TABLES = ("wagtailcore_locale", "wagtailcore_page", "wagtailcore_site")


def _app_row(label: str) -> int:
    """The stamp table's row of an app (SQLite). Two labels that met on one row would only move together."""
    return 2 + zlib.crc32(label.encode()) % 2_000_000_000


def _app_sequence(label: str) -> str:
    """The sequence of an app's stamp (PostgreSQL)."""
    return f"{_SEQUENCE}_{label}"


def input_table_apps() -> dict[str, str]:
    """Every input table, with the label of the app whose stamp it moves too."""
    from reporting.measures import ListDimension, registry

    found = registry()
    models = [
        model
        for label in [*found.apps, "reporting"]
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    models += found.inputs
    models += [dimension.model for dimension in found.dimensions.values() if isinstance(dimension, ListDimension)]
    tables = {}
    for model in models:
        tables[model._meta.db_table] = model._meta.app_label
        # Many-to-many tables hold what a report may count (a case's counselors) and change on their own.
        for field in model._meta.local_many_to_many:
            if field.remote_field.through._meta.auto_created:
                tables[field.remote_field.through._meta.db_table] = model._meta.app_label
    tables.pop(STAMP_TABLE, None)
    return dict(sorted(tables.items()))


def input_tables() -> list[str]:
    return list(input_table_apps())


def _stamped_table_apps() -> dict[str, str]:
    """Every table a trigger watches: the inputs, and the page tree's tables."""
    return input_table_apps() | dict.fromkeys(_PAGE_TREE_TABLES, PAGE_TREE)


def _sqlite(table: str, label: str) -> tuple[list[str], list[str]]:
    drop, create = [], []
    rows = f"{_app_row(label)}" if label == PAGE_TREE else f"1, {_app_row(label)}"
    bump = f'UPDATE "{STAMP_TABLE}" SET "stamp" = random() WHERE "id" IN ({rows})'  # noqa: S608
    for operation in ("INSERT", "UPDATE", "DELETE"):
        name = f"{table}_figures_inputs_{operation.lower()}"
        drop.append(f'DROP TRIGGER IF EXISTS "{name}"')
        create.append(f'CREATE TRIGGER "{name}" AFTER {operation} ON "{table}" BEGIN {bump}; END')
    return drop + create, drop


def _postgresql_setup(labels) -> list[str]:
    return [
        f'CREATE SEQUENCE IF NOT EXISTS "{_SEQUENCE}"',
        *(f'CREATE SEQUENCE IF NOT EXISTS "{_app_sequence(label)}"' for label in sorted(set(labels))),
        f'CREATE OR REPLACE FUNCTION "{_FUNCTION}"() RETURNS trigger AS $$\n'
        "BEGIN\n"
        # The lock first: a reader who finds no writer knows each value up to the one it read is committed.
        f"    PERFORM pg_advisory_xact_lock_shared({_WRITERS_LOCK});\n"
        # A second argument: a table that moves its own stamp only (the page tree's), not every input's.
        "    IF TG_NARGS < 2 THEN\n"
        f"        PERFORM nextval('\"{_SEQUENCE}\"');\n"
        "    END IF;\n"
        # The table's app's own stamp, named by its trigger.
        "    IF TG_NARGS > 0 THEN\n"
        "        PERFORM nextval(TG_ARGV[0]::regclass);\n"
        "    END IF;\n"
        # Its own transaction reads its rows before they are committed, and may yet roll them back.
        f"    PERFORM set_config('{_WRITTEN}', 'yes', true);\n"
        "    RETURN NULL;\n"
        "END;\n"
        "$$ LANGUAGE plpgsql",
    ]


def _postgresql(table: str, label: str) -> tuple[list[str], list[str]]:
    name = f"{table}_figures_inputs"
    drop = [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"']
    arguments = f"'\"{_app_sequence(label)}\"'" + (", 'own'" if label == PAGE_TREE else "")
    create = [
        *drop,
        f'CREATE TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{_FUNCTION}"({arguments})',
    ]
    return create, drop


def _statements(vendor: str, table: str, label: str) -> tuple[list[str], list[str]]:
    if vendor == "sqlite":
        return _sqlite(table, label)
    if vendor == "postgresql":
        return _postgresql(table, label)
    return [], []


def figures_inputs_triggers_install(*, using="default") -> int:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if STAMP_TABLE not in existing:
        return 0
    installed = 0
    tables = _stamped_table_apps()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in _postgresql_setup(tables.values()):
                cursor.execute(statement)
        for table, label in tables.items():
            if table not in existing:
                continue
            for statement in _statements(connection.vendor, table, label)[0]:
                cursor.execute(statement)
            installed += 1
    return installed


def figures_inputs_triggers_remove(*, using="default") -> None:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, label in _stamped_table_apps().items():
            if table in existing:
                for statement in _statements(connection.vendor, table, label)[1]:
                    cursor.execute(statement)


def install_after_migrate(sender, using="default", **kwargs):
    figures_inputs_triggers_install(using=using)


def remove_before_migrate(sender, using="default", **kwargs):
    figures_inputs_triggers_remove(using=using)


def figures_inputs_touch(*, using="default") -> None:
    """Move every stamp, the apps' too, as a change to each input table would, without changing a row (the
    benchmarks' first view after a change). Not the page tree's: no input is one of its tables."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sequence in [_SEQUENCE, *(_app_sequence(label) for label in set(input_table_apps().values()))]:
                cursor.execute("SELECT nextval(%s)", [f'"{sequence}"'])
        else:
            cursor.execute(_BUMP_INPUTS_SQLITE, [_app_row(PAGE_TREE)])


def page_tree_stamp(*, using="default"):
    """The stamp of the site's pages, sites and locales (what an address routes to), or None while a writer
    is at work (figures_inputs_stamp)."""
    stamps = figures_inputs_stamp(using=using, apps=(PAGE_TREE,))
    return None if stamps is None else stamps[0]


_NOT_READ = object()


def request_page_tree_stamp(request):
    """The page tree's stamp as this request first read it (for its route: website.routing), or read now.

    What is built later in the request from the page tree (its language links, the page around the
    catalogue) is kept under it: read before they are built, a change committed meanwhile leaves them kept
    under the older stamp, which the next request no longer finds. One read of the stamp a request, not one
    per thing kept."""
    stamp = getattr(request, "_haven_page_tree_stamp", _NOT_READ)
    if stamp is _NOT_READ:
        stamp = request._haven_page_tree_stamp = page_tree_stamp()
    return stamp


def figures_inputs_stamp(*, using="default", apps: tuple[str, ...] = ()):
    """The stamp of every input now, or with `apps` the stamps of those apps' tables (a tuple, one an app);
    None (PostgreSQL) while a writer is at work or this transaction wrote an input itself: what is counted
    then is not kept.

    On SQLite, a database emptied by a flush (tests) has lost the stamp's rows, and an app's row is made when
    first read: it is put in with a value of its own, under which nothing was kept."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        sequences = [_app_sequence(label) for label in apps] or [_SEQUENCE]
        values = ", ".join(
            # Sequence names made of this module's prefix and app labels, not of anything a person typed.
            f'(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM "{sequence}")'  # noqa: S608  # nosec B608
            for sequence in sequences
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT current_setting(%s, true), {values}", [_WRITTEN])  # nosec B608
            written, *stamps = cursor.fetchone()
            # CASE: the lock is let go in the same statement, and only when it was taken.
            cursor.execute(
                "SELECT CASE WHEN pg_try_advisory_lock(%s) THEN pg_advisory_unlock(%s) ELSE false END",
                [_WRITERS_LOCK, _WRITERS_LOCK],
            )
            (no_writer,) = cursor.fetchone()
        if written == "yes" or not no_writer:
            return None
        return tuple(stamps) if apps else stamps[0]

    from reporting.models import FiguresInputsStamp

    ids = [_app_row(label) for label in apps] or [1]
    found = _stamps_read(connection, ids)
    if len(found) < len(set(ids)):
        FiguresInputsStamp.objects.using(using).bulk_create(
            [FiguresInputsStamp(pk=pk, stamp=secrets.randbits(62)) for pk in set(ids) - set(found)],
            ignore_conflicts=True,
        )
        found = _stamps_read(connection, ids)
    stamps = [found[pk] for pk in ids]
    return tuple(stamps) if apps else stamps[0]


def _stamps_read(connection, ids: list[int]) -> dict[int, int]:
    """{row: stamp}, read by a statement written once: a public page reads a stamp two or three times (its
    route, its language links, what it shows), and the ORM's building of the query was ten times its SQL."""
    from reporting.models import FiguresInputsStamp

    table = connection.ops.quote_name(FiguresInputsStamp._meta.db_table)
    marks = ", ".join("%s" for _id in ids)
    with connection.cursor() as cursor:
        # The table's name from the model and one placeholder per row: nothing a person typed.
        cursor.execute(f"SELECT id, stamp FROM {table} WHERE id IN ({marks})", ids)  # noqa: S608  # nosec B608
        return dict(cursor.fetchall())
