from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounselingConfig(AppConfig):
    name = "counseling"
    verbose_name = _("Counseling")

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from accounts.dashboard import panel_register
        from counseling import measures  # noqa: F401  (registers what counseling counts for donor reports)
        from counseling.panels import today_panel
        from counseling.triggers import install_after_migrate, remove_before_migrate

        panel_register(today_panel, order=20)
        # No double booking below the ORM on SQLite (PostgreSQL has its exclusion constraints). Around every
        # migrate, not in a migration: SQLite drops a table's triggers when it rebuilds it.
        pre_migrate.connect(remove_before_migrate, sender=self, dispatch_uid="counseling.overlap_triggers_lift")
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="counseling.overlap_triggers")
