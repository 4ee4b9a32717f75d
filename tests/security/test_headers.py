"""Response headers, production settings (check --deploy) and how documents are served."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.helpers import python_run

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HAVEN_", "WAGTAIL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "website.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "p" * 20 + "r0duct10n-s3cret-" + "k" * 30,
            "DJANGO_ALLOWED_HOSTS": "haven.example.org",
            "WAGTAILADMIN_BASE_URL": "https://haven.example.org",
            "HAVEN_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            **extra,
        }
    )
    return env


def test_public_pages_send_a_strict_policy(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_login_and_private_pages_keep_the_strict_policy(client_for, trainee):
    client = client_for(trainee)
    for url in [reverse("home"), reverse("accounts:profile"), reverse("account_change_password")]:
        csp = client.get(url)["Content-Security-Policy"]
        assert "unsafe-inline" not in csp, url


def test_only_the_wagtail_admin_relaxes_the_policy(client_for, coordinator):
    response = client_for(coordinator).get("/admin/")
    assert "unsafe-inline" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_deploy_check_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_secure_cookies_and_transport():
    code = (
        # The settings as the server's process reads them; the apps' start is the deploy check's above.
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT, "
        "s.HAVEN_REQUIRE_STAFF_MFA, s.WAGTAILDOCS_SERVE_METHOD)"
    )
    result = python_run(code, env=_production_env(), timeout=60)
    assert result.stdout.split() == ["True", "True", "True", "True", "Lax", "True", "True", "True", "serve_view"], (
        result.stderr
    )


def test_hsts_is_sent_over_https_in_production(settings, client):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    from django.test import Client

    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_documents_go_through_the_serve_view_never_media(client, coordinator, settings, tmp_path):
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = tmp_path
    document = Document.objects.create(title="Referral form")
    document.file.save("referral.txt", ContentFile(b"referral form text"))
    assert document.url.startswith("/documents/")
    media_url = f"/media/{document.file.name}"
    assert client.get(media_url).status_code == 404
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"referral form text"


def test_csrf_protection_is_on_although_its_deploy_check_is_silenced(settings):
    from django.middleware.csrf import CsrfViewMiddleware
    from django.utils.module_loading import import_string

    # Nothing else silenced: templates.W003 is checked again by accounts.checks (tests/accounts/test_admin_tags.py).
    assert settings.SILENCED_SYSTEM_CHECKS == ["security.W003", "templates.W003"]
    assert any(issubclass(import_string(path), CsrfViewMiddleware) for path in settings.MIDDLEWARE)


def test_a_cross_site_post_is_refused(trainee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    response = client.post("/me/profile/", {"full_name": "Changed"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
