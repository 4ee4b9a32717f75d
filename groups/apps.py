from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Self-support groups")

    def ready(self):
        from accounts.dashboard import panel_register
        from groups.dashboard import facilitator_panel

        panel_register(facilitator_panel, order=10)
