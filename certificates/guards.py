"""Below the model: database triggers that keep an issued certificate as it was issued.

`Certificate.save()` and its queryset already refuse to change a printed field or to bring a revoked or
replaced certificate back; these triggers (SQLite and PostgreSQL) refuse the same through raw SQL, a
forgotten code path or a database shell. They guard UPDATE only: deleting is refused by the model, and the
test suite's flush must still be able to empty the table.

Installed after every `migrate` (SQLite drops a table's triggers whenever Django rebuilds the table).
"""

from django.db import connections, models

TRIGGER = "certificates_certificate_frozen"
VALID = "valid"


def _column(model, name):
    field = model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
    return field.column, isinstance(field, models.CharField | models.TextField) and not field.is_relation


def _refused_condition(model, vendor) -> str:
    same = "IS" if vendor == "sqlite" else "IS NOT DISTINCT FROM"
    parts = [f'(OLD."status" <> \'{VALID}\' AND NOT (NEW."status" {same} OLD."status"))']
    for name in model.FROZEN_FIELDS:
        column, _text = _column(model, name)
        parts.append(f'NOT (NEW."{column}" {same} OLD."{column}")')
    for name in model.WRITE_ONCE_FIELDS:
        column, text = _column(model, name)
        filled = f'OLD."{column}" IS NOT NULL' + (f" AND OLD.\"{column}\" <> ''" if text else "")
        parts.append(f'({filled} AND NOT (NEW."{column}" {same} OLD."{column}"))')
    return " OR ".join(parts)


def trigger_sql(model, vendor) -> list[str]:
    table = model._meta.db_table
    if vendor == "sqlite":
        return [
            f'DROP TRIGGER IF EXISTS "{TRIGGER}"',
            f'CREATE TRIGGER "{TRIGGER}" BEFORE UPDATE ON "{table}" WHEN {_refused_condition(model, vendor)} '
            "BEGIN SELECT RAISE(ABORT, 'an issued certificate cannot be changed; revoked stays revoked'); END",
        ]
    if vendor == "postgresql":
        return [
            f'CREATE OR REPLACE FUNCTION "{TRIGGER}"() RETURNS trigger AS $$\n'
            "BEGIN\n"
            f"    IF {_refused_condition(model, vendor)} THEN\n"
            "        RAISE EXCEPTION 'an issued certificate cannot be changed; revoked stays revoked';\n"
            "    END IF;\n"
            "    RETURN NEW;\n"
            "END;\n"
            "$$ LANGUAGE plpgsql",
            f'DROP TRIGGER IF EXISTS "{TRIGGER}" ON "{table}"',
            f'CREATE TRIGGER "{TRIGGER}" BEFORE UPDATE ON "{table}" FOR EACH ROW EXECUTE FUNCTION "{TRIGGER}"()',
        ]
    return []


def certificate_triggers_install(*, using="default") -> None:
    from certificates.models import Certificate

    connection = connections[using]
    if Certificate._meta.db_table not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for statement in trigger_sql(Certificate, connection.vendor):
            cursor.execute(statement)


def install_after_migrate(sender, using="default", **kwargs):
    certificate_triggers_install(using=using)
