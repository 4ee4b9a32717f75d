from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self):
        from accounts.dashboard import panel_register
        from trainings import panels

        panel_register(panels.trainee_panel, order=30)
        panel_register(panels.trainer_panel, order=31)
        panel_register(panels.coordinator_panel, order=32)
