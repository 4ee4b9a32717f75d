from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_after_migrate(sender, using="default", **kwargs):
    from accounts.roles import role_permissions_sync

    role_permissions_sync(using=using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.apps import apps

        from accounts import (
            checks,  # noqa: F401 - registers the template libraries' check
            signals,  # noqa: F401 - connects the session and deactivation receivers
        )

        # After the last app: permissions are created app by app in the same signal, so syncing after
        # this app would miss the models of every app listed below it.
        last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(_sync_after_migrate, sender=last_app, dispatch_uid="accounts_role_permissions")
