from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from django.db.models.signals import post_migrate

        from accounts.dashboard import panel_register
        from certificates import measures  # noqa: F401  (registers what certificates counts for donor reports)
        from certificates.guards import install_after_migrate
        from certificates.panels import my_certificates_panel
        from certificates.signals import completion_changed_handler, enrollment_completed_handler

        panel_register(my_certificates_panel, order=40)
        # After every migrate, not in a migration: SQLite drops a table's triggers when Django rebuilds it.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="certificates.frozen_triggers")
        # The trainings app sends these signals (certificates builds on trainings, never the reverse).
        if find_spec("trainings.signals"):
            trainings_signals = import_module("trainings.signals")
            for name, handler, uid in [
                ("enrollment_completed", enrollment_completed_handler, "certificates_issue_on_completion"),
                ("completion_changed", completion_changed_handler, "certificates_sync_on_completion_change"),
            ]:
                signal = getattr(trainings_signals, name, None)
                if signal is not None:
                    signal.connect(handler, dispatch_uid=uid)
