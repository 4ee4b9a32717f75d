"""Histories that can only grow: the model refuses, and below it the database refuses too.

A model that records what happened (an audit entry, a saved version of a safety plan, a change of an
action step or of an attendance mark, a disclosure, a step in a report's life) inherits
`AppendOnlyModel`. Its rows are written once:

- `save()` of an existing row, `delete()`, and the queryset's `update()` and `delete()` raise
  `AppendOnlyError` with a message a person can read;
- database triggers (SQLite and PostgreSQL) refuse any UPDATE or DELETE from anywhere else: raw SQL, a
  forgotten code path, a management shell.

The one change allowed is clearing: the columns a model lists in `append_only_clearable` may be set to
empty text or NULL, nothing else. That is what retention does when it blanks a survivor's free text after
the retention period, and what the database does when a staff account is deleted (`SET NULL` on "by").

The triggers are (re)installed after every `migrate`, because SQLite drops a table's triggers whenever
Django rebuilds the table for a schema change. On PostgreSQL, TRUNCATE and disabling triggers need
table ownership, which the application's own database role does not have in production (README,
"PostgreSQL roles").
"""

from django.core.exceptions import PermissionDenied
from django.db import connections, models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(PermissionDenied):
    def __init__(self, model):
        self.model = model
        super().__init__(
            _("%(things)s are a history kept as written: they cannot be changed or deleted.")
            % {"things": str(model._meta.verbose_name_plural).capitalize()}
        )


def _only_clears(model, changes: dict) -> bool:
    clearable = set(model.append_only_clearable)
    return bool(changes) and set(changes) <= clearable and all(value in ("", None) for value in changes.values())


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if not _only_clears(self.model, kwargs):
            raise AppendOnlyError(self.model)
        return super().update(**kwargs)

    def delete(self):
        raise AppendOnlyError(self.model)

    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    # Fields that may be blanked (text) or set to NULL after the fact, and nothing else.
    append_only_clearable: tuple[str, ...] = ()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(type(self))


def append_only_models():
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and model._meta.managed and not model._meta.proxy
    ]


def _columns(model):
    """(column, is_text, clearable) for every concrete column of the table."""
    clearable = set(model.append_only_clearable)
    result = []
    for field in model._meta.concrete_fields:
        is_text = isinstance(field, models.CharField | models.TextField) and not field.is_relation
        result.append((field.column, is_text, field.name in clearable))
    return result


def _unchanged_conditions(model, vendor) -> str:
    same = "IS" if vendor == "sqlite" else "IS NOT DISTINCT FROM"
    parts = []
    for column, is_text, clearable in _columns(model):
        quoted = f'"{column}"'
        condition = f"NEW.{quoted} {same} OLD.{quoted}"
        if clearable:
            condition += f" OR NEW.{quoted} IS NULL"
            if is_text:
                condition += f" OR NEW.{quoted} = ''"
        parts.append(f"({condition})")
    return " AND ".join(parts)


def trigger_sql(model, vendor) -> tuple[list[str], list[str]]:
    """(statements that install, statements that remove) the table's append-only triggers."""
    table = model._meta.db_table
    name = f"{table}_append_only"
    if vendor == "sqlite":
        drop = [f'DROP TRIGGER IF EXISTS "{name}_update"', f'DROP TRIGGER IF EXISTS "{name}_delete"']
        create = [
            f'CREATE TRIGGER "{name}_update" BEFORE UPDATE ON "{table}" '
            f"WHEN NOT ({_unchanged_conditions(model, vendor)}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
            f'CREATE TRIGGER "{name}_delete" BEFORE DELETE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
        ]
        return drop + create, drop
    if vendor == "postgresql":
        drop = [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', f'DROP FUNCTION IF EXISTS "{name}"()']
        create = [
            f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger AS $$\n'
            "BEGIN\n"
            f"    IF TG_OP = 'UPDATE' AND {_unchanged_conditions(model, vendor)} THEN\n"
            "        RETURN NEW;\n"
            "    END IF;\n"
            "    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;\n"
            "END;\n"
            "$$ LANGUAGE plpgsql",
            f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"',
            f'CREATE TRIGGER "{name}" BEFORE UPDATE OR DELETE ON "{table}" FOR EACH ROW EXECUTE FUNCTION "{name}"()',
        ]
        return create, drop
    return [], []


def append_only_triggers_install(*, using="default") -> int:
    connection = connections[using]
    installed = 0
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in append_only_models():
            if model._meta.db_table not in existing:
                continue
            create, _drop = trigger_sql(model, connection.vendor)
            for statement in create:
                # No params: the driver must not read a "%" of the plpgsql RAISE as a placeholder.
                cursor.execute(statement)
            installed += bool(create)
    return installed


def append_only_triggers_remove(*, using="default") -> None:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in append_only_models():
            if model._meta.db_table not in existing:
                continue
            for statement in trigger_sql(model, connection.vendor)[1]:
                cursor.execute(statement)


def install_after_migrate(sender, using="default", **kwargs):
    append_only_triggers_install(using=using)
