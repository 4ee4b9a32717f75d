from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounselingConfig(AppConfig):
    name = "counseling"
    verbose_name = _("Counseling")

    def ready(self):
        from accounts.dashboard import panel_register
        from counseling import measures  # noqa: F401  (registers what counseling counts for donor reports)
        from counseling.panels import today_panel

        panel_register(today_panel, order=20)
