"""Costs of the security layer on the data set: the middleware on a private page, audit rows for a
counselor's list of clients, one-time form tokens."""

from django.urls import reverse

from audit.enums import AuditAction
from audit.services import audit_record_many
from bench.dataset import COUNSELOR, TRAINEE, dataset_user
from bench.harness import logged_in, page
from core.security import form_token_consume, form_token_issue


def run(measure):
    trainee, counselor = dataset_user(TRAINEE, 1), dataset_user(COUNSELOR)
    clients = list(counselor.counselor_profile.clients.all())
    return [
        measure(
            "security: private page through all middleware",
            page(logged_in(trainee), reverse("accounts:profile")),
            runs=30,
            note="session time-outs, MFA gate and no-store on; the role lookup is cached for the page",
        ),
        measure(
            f"security: audit rows for a {len(clients)}-client list",
            lambda: audit_record_many(actor=counselor, action=AuditAction.VIEW, objects=clients),
            runs=30,
        ),
        measure("security: one-time form token issue + spend", lambda: form_token_consume(form_token_issue()), runs=50),
    ]
