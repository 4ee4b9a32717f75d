"""A calendar entry's SEQUENCE (RFC 5545) goes up whenever what calendars show of it changes, by any door.

Calendar programs that already hold an entry keep their copy unless its SEQUENCE is higher. The services
and the models raise it themselves; below them these triggers raise it when a writer changed what a
calendar shows and left the SEQUENCE as it was: a queryset's update, an import, raw SQL. Used by the
training sessions, the group sessions and the counseling bookings, each naming the columns its feed shows.

Installed after every migrate by the app that owns the table, as core.appendonly does, because SQLite drops
a table's triggers whenever a migration rebuilds the table.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SequenceRule:
    """The trigger's name, its table, and the columns of what the calendar entry shows (free text stored
    encrypted is left out: its stored form changes at every save, whatever was typed)."""

    name: str
    table: str
    columns: tuple[str, ...]


def sequence_sql(rule: SequenceRule, vendor: str) -> tuple[list[str], list[str]]:
    """(statements that install, statements that remove) the rule's trigger for the database `vendor`."""
    if vendor == "sqlite":
        changed = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in rule.columns)
        drop = [f'DROP TRIGGER IF EXISTS "{rule.name}_update"']
        create = [
            f'CREATE TRIGGER "{rule.name}_update" AFTER UPDATE ON "{rule.table}" '  # noqa: S608 - names are constants
            f'WHEN NEW."sequence" = OLD."sequence" AND ({changed}) '
            f'BEGIN UPDATE "{rule.table}" SET "sequence" = OLD."sequence" + 1 WHERE "id" = NEW."id"; END'
        ]
        return drop + create, drop
    if vendor == "postgresql":
        changed = "\n        OR ".join(f'NEW."{column}" IS DISTINCT FROM OLD."{column}"' for column in rule.columns)
        function = (
            f'CREATE OR REPLACE FUNCTION "{rule.name}"() RETURNS trigger AS $$\n'
            "BEGIN\n"
            f'    IF NEW."sequence" = OLD."sequence" AND ({changed}) THEN\n'
            '        NEW."sequence" := OLD."sequence" + 1;\n'
            "    END IF;\n"
            "    RETURN NEW;\n"
            "END;\n"
            "$$ LANGUAGE plpgsql"
        )
        drop = [f'DROP TRIGGER IF EXISTS "{rule.name}" ON "{rule.table}"', f'DROP FUNCTION IF EXISTS "{rule.name}"()']
        create = [
            function,
            f'DROP TRIGGER IF EXISTS "{rule.name}" ON "{rule.table}"',
            f'CREATE TRIGGER "{rule.name}" BEFORE UPDATE ON "{rule.table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{rule.name}"()',
        ]
        return create, drop
    return [], []
