"""Costs of the security layer on the data set: the middleware on a private page, the audit entry for a
counselor's list of clients (one row, however long the list), the audit log screen filtered to one day
(a range on the indexed column), one-time form tokens."""

from datetime import timedelta

from django.urls import reverse

from audit.enums import AuditAction
from audit.services import audit_record_many
from bench.dataset import COORDINATOR, COUNSELOR, TRAINEE, dataset_built_on, dataset_project, dataset_user
from bench.harness import logged_in, page
from core.security import form_token_consume, form_token_issue


def run(measure):
    trainee, counselor = dataset_user(TRAINEE, 1), dataset_user(COUNSELOR)
    coordinator = dataset_user(COORDINATOR)
    clients = list(counselor.counselor_profile.clients.all())
    # A full day of the data set's three years of log (the day before it was built): today's also holds every
    # entry the pages measured wrote (each listing viewed writes one), which grows with every run against
    # the same database (24,000 by the end of a day of runs, nine times a day of the data set's).
    day = (dataset_built_on(dataset_project()) - timedelta(days=1)).isoformat()
    return [
        measure(
            "security: private page through all middleware",
            page(logged_in(trainee), reverse("accounts:profile")),
            runs=30,
            note="session time-outs, MFA gate and no-store on; the role lookup is cached for the page",
        ),
        measure(
            f"security: audit entry for a {len(clients)}-client list",
            lambda: audit_record_many(actor=counselor, action=AuditAction.VIEW, objects=clients),
            runs=30,
            note="one row naming every client listed",
        ),
        measure(
            "security: audit log screen, one day",
            page(logged_in(coordinator), f"{reverse('audit_log:index')}?on_or_after={day}&on_or_before={day}"),
            runs=10,
            note="a range on the indexed column, 50 entries a page",
        ),
        measure("security: one-time form token issue + spend", lambda: form_token_consume(form_token_issue()), runs=50),
    ]
