"""Costs of the security layer: the middleware on a private page, audit rows for a list, one-time tokens."""

from django.contrib.auth import get_user_model
from django.test import Client as BrowserClient

from accounts.enums import Role
from accounts.roles import role_grant
from accounts.services import profile_save
from audit.enums import AuditAction
from audit.services import audit_record_many
from counseling.models import Client
from website.security import form_token_consume, form_token_issue


def _user():
    user, created = get_user_model().objects.get_or_create(
        username="bench-security@example.org", defaults={"email": "bench-security@example.org"}
    )
    if created:
        user.set_password("bench-password-long")
        user.save()
        profile_save(user=user, full_name="Bench Person", organisation="Bench")
        role_grant(user=user, role=Role.TRAINEE)
    return user


def _clients(n):
    for i in range(n):
        Client.objects.get_or_create(code=f"BENCH-SEC-{i:03d}", defaults={"alias": f"Bench {i}"})
    return list(Client.objects.filter(code__startswith="BENCH-SEC-")[:n])


def run(measure):
    user = _user()
    browser = BrowserClient()
    browser.force_login(user)
    clients = _clients(40)
    return [
        measure(
            "security: private page through all middleware",
            lambda: browser.get("/me/profile/", HTTP_HOST="localhost"),
            runs=30,
            note="session time-outs, MFA gate and no-store on; the role lookup is cached for the page",
        ),
        measure(
            "security: audit rows for a 40-item list",
            lambda: audit_record_many(actor=user, action=AuditAction.VIEW, objects=clients),
            runs=30,
        ),
        measure("security: one-time form token issue + spend", lambda: form_token_consume(form_token_issue()), runs=50),
    ]
