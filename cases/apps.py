from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case work")

    def ready(self):
        from accounts.dashboard import panel_register
        from cases.panels import cases_panel

        panel_register(cases_panel, order=30)
