import io
import os

import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Site

from tests.helpers import PROCESS_READS_SETTINGS, PROCESS_STARTS_APPS, python_run
from website.models import HomePage


def _django_start(env_overrides, *, code=PROCESS_READS_SETTINGS):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HAVEN_"))}
    env.update(env_overrides)
    return python_run(code, env={**env, "DJANGO_SETTINGS_MODULE": "website.settings"}, timeout=60)


def test_production_start_without_secret_key_is_refused():
    result = _django_start({"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "haven.example.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_start_with_weak_secret_key_is_refused():
    result = _django_start(
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "short", "DJANGO_ALLOWED_HOSTS": "haven.example.org"}
    )
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_production_start_without_allowed_hosts_is_refused():
    result = _django_start({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_development_start_needs_no_configuration():
    result = _django_start({}, code=PROCESS_STARTS_APPS)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.django_db
def test_default_site_serves_the_home_page(client):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'href="#main"' in content  # skip link
    assert "Leave this site" in content
    assert 'hreflang="da"' in content  # language switcher (Wagtail page: links to translations)


@pytest.mark.django_db
def test_language_switch_translates_the_interface(client):
    response = client.post("/i18n/setlang/", {"language": "da", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert '<html lang="da">' in response.content.decode()


@pytest.mark.django_db
def test_makemigrations_is_clean():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_creates_one_login_per_role(caplog):
    import logging

    from django.contrib.auth import get_user_model

    with override_settings(DEBUG=True), caplog.at_level(logging.INFO):
        call_command("load_demo", stdout=io.StringIO())
        first = get_user_model().objects.count()
    # The logins it prints are not buried under a log line for every page saved.
    assert not [record for record in caplog.records if record.name.startswith("wagtail")]
    assert logging.getLogger("wagtail").level == logging.NOTSET  # as it was
    with override_settings(DEBUG=True):
        output = io.StringIO()
        call_command("load_demo", stdout=output)
    assert get_user_model().objects.count() == first
    assert "coordinator@example.org" in output.getvalue()
    for email in [
        "coordinator@example.org",
        "facilitator@example.org",
        "counselor@example.org",
        "trainer@example.org",
        "manager@example.org",
        "trainee@example.org",
    ]:
        assert get_user_model().objects.get(email=email).check_password("demo")


@pytest.mark.django_db
def test_load_demo_is_refused_when_debug_is_off():
    from django.core.management.base import CommandError

    with override_settings(DEBUG=False), pytest.raises(CommandError, match="Refusing"):
        call_command("load_demo")
