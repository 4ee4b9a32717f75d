"""A closed case is read-only in the database too.

The models refuse to save or delete a record of a closed case (cases.models.CaseRecord); these triggers
refuse the same below the ORM, on SQLite and PostgreSQL: no row may be inserted into a case record
table, nor changed, while its case is closed, and a closed case itself changes only when it is reopened
after the reopening was written to its history. Blanking what retention wipes (encrypted free text) and
what deleting a staff account empties (SET NULL links) stays possible, as for the append-only histories.

Deleting is refused by the models and querysets, not here: Django's flush empties tables row by row on
SQLite, and a trigger on DELETE would stop it.

Removed before every migrate and installed after it (cases.apps): SQLite drops a table's triggers
whenever Django rebuilds the table for a schema change, and a trigger that reads another table stands in
the way of that table's rebuild.
"""

from django.db import connections

CLOSED_REFUSED = "case is closed: its records are read-only"


def _case_records():
    from django.apps import apps

    from cases.models import CaseRecord

    return [
        model
        for model in apps.get_app_config("cases").get_models()
        if issubclass(model, CaseRecord) and model._meta.managed and not model._meta.proxy
    ]


def _case_id_sql(model, row: str) -> str:
    """SQL for the id of the case that `row` (NEW or OLD) of `model`'s table belongs to."""
    *hops, last = model.case_path.split("__")
    current = model
    expression = None
    for hop in [*hops, last]:
        field = current._meta.get_field(hop)
        column = f'"{field.column}"'
        if expression is None:
            expression = f"{row}.{column}"
        else:
            table = current._meta.db_table
            expression = f'(SELECT {column} FROM "{table}" WHERE "id" = {expression})'  # noqa: S608 - model metadata
        current = field.related_model
    return expression


def _closed_sql(case_id: str) -> str:
    return f'EXISTS (SELECT 1 FROM "cases_case" WHERE "id" = {case_id} AND "closed_on" IS NOT NULL)'  # noqa: S608


def _only_clears_sql(model, vendor: str) -> str:
    from cases.models import clearable_fields

    same = "IS" if vendor == "sqlite" else "IS NOT DISTINCT FROM"
    clearable = clearable_fields(model)
    parts = []
    for field in model._meta.concrete_fields:
        column = f'"{field.column}"'
        condition = f"NEW.{column} {same} OLD.{column}"
        if field.name in clearable:
            condition += f" OR NEW.{column} IS NULL"
            if not field.is_relation:
                condition += f" OR NEW.{column} = ''"
        parts.append(f"({condition})")
    return " AND ".join(parts)


def _reopening_sql() -> str:
    latest = 'SELECT "kind" FROM "cases_caseevent" WHERE "case_id" = NEW."id" ORDER BY "id" DESC LIMIT 1'
    return f"NEW.\"closed_on\" IS NULL AND ({latest}) = 'reopened'"


def _rules(vendor):
    """(name, table, operation, condition under which the operation is refused)."""
    from cases.models import Case

    rules = []
    for model in _case_records():
        table = model._meta.db_table
        rules.append((f"{table}_closed_insert", table, "INSERT", _closed_sql(_case_id_sql(model, "NEW"))))
        rules.append(
            (
                f"{table}_closed_update",
                table,
                "UPDATE",
                f"{_closed_sql(_case_id_sql(model, 'OLD'))} AND NOT ({_only_clears_sql(model, vendor)})",
            )
        )
    through = Case.counselors.through._meta.db_table
    rules.append((f"{through}_closed_insert", through, "INSERT", _closed_sql('NEW."case_id"')))
    rules.append(
        (
            "cases_case_closed_update",
            Case._meta.db_table,
            "UPDATE",
            f'OLD."closed_on" IS NOT NULL AND NOT ({_only_clears_sql(Case, vendor)}) AND NOT ({_reopening_sql()})',
        )
    )
    return rules


def _statements(vendor, name, table, operation, refused_when) -> tuple[list[str], list[str]]:
    if vendor == "sqlite":
        drop = [f'DROP TRIGGER IF EXISTS "{name}"']
        create = [
            f'CREATE TRIGGER "{name}" BEFORE {operation} ON "{table}" WHEN {refused_when} '
            f"BEGIN SELECT RAISE(ABORT, '{table}: {CLOSED_REFUSED}'); END"
        ]
        return drop + create, drop
    if vendor == "postgresql":
        drop = [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', f'DROP FUNCTION IF EXISTS "{name}"()']
        create = [
            f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger AS $$\n'
            "BEGIN\n"
            f"    IF {refused_when} THEN\n"
            f"        RAISE EXCEPTION '{table}: {CLOSED_REFUSED}';\n"
            "    END IF;\n"
            "    RETURN NEW;\n"
            "END;\n"
            "$$ LANGUAGE plpgsql",
            f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"',
            f'CREATE TRIGGER "{name}" BEFORE {operation} ON "{table}" FOR EACH ROW EXECUTE FUNCTION "{name}"()',
        ]
        return create, drop
    return [], []


def closed_case_triggers_install(*, using="default") -> int:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    installed = 0
    with connection.cursor() as cursor:
        for name, table, operation, refused_when in _rules(connection.vendor):
            if table not in existing:
                continue
            for statement in _statements(connection.vendor, name, table, operation, refused_when)[0]:
                cursor.execute(statement)
            installed += 1
    return installed


def install_after_migrate(sender, using="default", **kwargs):
    closed_case_triggers_install(using=using)


def remove_before_migrate(sender, using="default", **kwargs):
    # The triggers of one table read others (a follow-up reads its conference's case); SQLite rebuilds a
    # table for most schema changes and would then find a trigger naming a table that is being replaced.
    closed_case_triggers_remove(using=using)


def lift_for_migration(apps, schema_editor):
    """First operation of a cases migration that alters tables or rewrites rows of closed cases."""
    closed_case_triggers_remove(using=schema_editor.connection.alias)


def closed_case_triggers_remove(*, using="default") -> None:
    """For data migrations that rewrite rows of closed cases (encrypting a column, converting answers):
    they run before the triggers are put back after migrate."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for name, table, operation, refused_when in _rules(connection.vendor):
            if table in existing:
                for statement in _statements(connection.vendor, name, table, operation, refused_when)[1]:
                    cursor.execute(statement)
