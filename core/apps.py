from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer: pieces every app may use (dates, encrypted fields, form tokens, exports, enums).

    It imports no other Haven app; an import-linter contract in `make test` keeps it so.
    """

    name = "core"
    verbose_name = _("Shared")
