from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Self-support groups")

    def ready(self):
        from django.db.models.signals import post_migrate

        from accounts.dashboard import panel_register
        from core.offline import area_register
        from groups import measures  # noqa: F401  (registers what groups counts for donor reports)
        from groups.dashboard import facilitator_panel
        from groups.triggers import install_after_migrate

        panel_register(facilitator_panel, order=10)
        area_register(
            permission="groups.facilitate", scope_url_name="groups:my_cohorts", start_url_name="groups:offline"
        )
        # After every migrate, not in a migration: SQLite drops a table's triggers when it rebuilds it.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="groups.triggers")

    # Lifted and put back around a flush on SQLite, which empties tables row by row (core's flush command).
    def database_triggers_remove(self, *, using="default"):
        from groups.triggers import triggers_remove

        triggers_remove(using=using)

    def database_triggers_install(self, *, using="default"):
        from groups.triggers import triggers_install

        triggers_install(using=using)
