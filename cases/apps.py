from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case work")

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from accounts.dashboard import panel_register
        from cases import measures  # noqa: F401  (registers what case work counts for donor reports)
        from cases.panels import cases_panel
        from cases.rules import client_access
        from cases.triggers import install_after_migrate, remove_before_migrate
        from counseling.rules import client_access_register

        panel_register(cases_panel, order=30)
        # Her lead counselor and co-workers open her counseling file while the case is open.
        client_access_register("cases", client_access)
        # Around every migrate, not in a migration: SQLite drops a table's triggers when it rebuilds it.
        pre_migrate.connect(remove_before_migrate, sender=self, dispatch_uid="cases.closed_case_triggers_lift")
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="cases.closed_case_triggers")
