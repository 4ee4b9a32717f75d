from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer: pieces every app may use (dates, encrypted fields, form tokens, exports, enums).

    It imports no other Haven app; an import-linter contract in `make test` keeps it so.
    """

    name = "core"
    verbose_name = _("Shared")

    def ready(self):
        from django.db.models.signals import post_migrate

        from core.admin_cells import csv_formulas_guard_install
        from core.appendonly import install_after_migrate
        from core.choices import choice_displays_install
        from core.i18n import catalogs_merge_install

        catalogs_merge_install()
        choice_displays_install()
        csv_formulas_guard_install()

        # After every migrate, not in a migration: SQLite loses a table's triggers whenever Django
        # rebuilds the table for a later schema change.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="core.append_only_triggers")
