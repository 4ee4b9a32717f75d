from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self):
        from django.db.models.signals import post_migrate

        from accounts.dashboard import panel_register
        from core.offline import area_register
        from trainings import measures, panels  # noqa: F401  (measures: what trainings counts for donor reports)
        from trainings.triggers import install_after_migrate

        panel_register(panels.trainee_panel, order=30)
        panel_register(panels.trainer_panel, order=31)
        panel_register(panels.coordinator_panel, order=32)
        # A trainer's phone keeps her attendance screens for rooms without a connection (trainings/offline.py).
        area_register(
            permission="trainings.view_trainer_panel",
            scope_url_name="trainings:trainer_editions",
            start_url_name="trainings:offline",
        )
        # After every migrate, not in a migration: SQLite drops a table's triggers when it rebuilds it.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="trainings.triggers")
