"""Django's flush, able to empty the append-only tables on SQLite.

Flushing empties the whole database (tests between transactional cases, a developer starting over). On
SQLite it deletes row by row, which the append-only triggers refuse, so they are lifted for the flush
and put back after it. PostgreSQL flushes with TRUNCATE, which row triggers do not see. An app whose own
triggers refuse deletes says so with `database_triggers_remove(using=...)` and
`database_triggers_install(using=...)` on its AppConfig; they are lifted and put back the same way.
"""

from django.apps import apps
from django.core.management.commands import flush
from django.db import connections

from core.appendonly import append_only_triggers_install, append_only_triggers_remove


def _app_triggers(action, using):
    for config in apps.get_app_configs():
        hook = getattr(config, f"database_triggers_{action}", None)
        if hook is not None:
            hook(using=using)


class Command(flush.Command):
    def handle(self, **options):
        using = options["database"]
        if connections[using].vendor != "sqlite":
            return super().handle(**options)
        append_only_triggers_remove(using=using)
        _app_triggers("remove", using)
        try:
            return super().handle(**options)
        finally:
            append_only_triggers_install(using=using)
            _app_triggers("install", using)
