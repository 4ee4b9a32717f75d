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
        post_migrate.connect(_sync_after_migrate, sender=self, dispatch_uid="accounts_role_permissions")
