from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import dates


def reports_due_panel(request):
    """Project managers (and coordinators) see the donor reports due soon on their home page."""

    from accounts.dashboard import Panel
    from reporting.selectors import periods_due

    if not request.user.has_perm("reporting.view_reports"):
        return None
    periods = list(periods_due(request.user)[:5])
    if not periods:
        return None
    return Panel("reporting/panel_due.html", {"periods": periods, "today": dates.today()})


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Donor reporting")

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from accounts.dashboard import panel_register
        from reporting.inputs import install_after_migrate, remove_before_migrate
        from reporting.locks import locks_install_after_migrate, locks_remove_before_migrate

        panel_register(reports_due_panel, order=60)
        # Around every migrate, not in a migration: SQLite drops a table's triggers when it rebuilds it.
        pre_migrate.connect(remove_before_migrate, sender=self, dispatch_uid="reporting.figures_inputs_lift")
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="reporting.figures_inputs")
        pre_migrate.connect(locks_remove_before_migrate, sender=self, dispatch_uid="reporting.period_locks_lift")
        post_migrate.connect(locks_install_after_migrate, sender=self, dispatch_uid="reporting.period_locks")

    # Lifted and put back around a flush on SQLite, which empties tables row by row (core's flush command).
    def database_triggers_remove(self, *, using="default"):
        from reporting.locks import lock_triggers_remove

        lock_triggers_remove(using=using)

    def database_triggers_install(self, *, using="default"):
        from reporting.locks import lock_triggers_install

        lock_triggers_install(using=using)
