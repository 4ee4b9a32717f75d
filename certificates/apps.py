from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from accounts.dashboard import panel_register
        from certificates.panels import my_certificates_panel
        from certificates.signals import enrollment_completed_handler

        panel_register(my_certificates_panel, order=40)
        # The trainings app sends this signal when an enrolment is completed; it may not exist yet.
        if find_spec("trainings.signals"):
            signal = getattr(import_module("trainings.signals"), "enrollment_completed", None)
            if signal is not None:
                signal.connect(enrollment_completed_handler, dispatch_uid="certificates_issue_on_completion")
