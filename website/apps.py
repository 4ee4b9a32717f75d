from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Page types other apps contribute to the public site; they are allowed under the home page when present.
OPTIONAL_HOME_SUBPAGES = ["trainings.TrainingCataloguePage"]


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = _("Website")

    def ready(self):
        from accounts.dashboard import panel_register
        from website.models import HomePage
        from website.views import calendar_panel

        for model_string in OPTIONAL_HOME_SUBPAGES:
            try:
                apps.get_model(model_string)
            except LookupError:
                continue
            if model_string not in HomePage.subpage_types:
                HomePage.subpage_types = [*HomePage.subpage_types, model_string]
        panel_register(calendar_panel, order=90)
