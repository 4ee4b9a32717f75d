"""Production refuses unsafe settings at start-up, with a message that says what to do."""

import os

import pytest
from cryptography.fernet import Fernet

from tests.helpers import PROCESS_READS_SETTINGS, PROCESS_STARTS_APPS, python_run

DEV_KEY = "aGF2ZW4tZGV2ZWxvcG1lbnQta2V5LW5vdC1wcm9kISE="


def _start(*, code=PROCESS_STARTS_APPS, **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HAVEN_", "WAGTAIL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "website.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "p" * 20 + "r0duct10n-s3cret-" + "k" * 30,
            "DJANGO_ALLOWED_HOSTS": "haven.example.org",
            "WAGTAILADMIN_BASE_URL": "https://haven.example.org",
            "HAVEN_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        }
    )
    env.update(overrides)
    return python_run(code, env=env)


def test_production_settings_start():
    result = _start()
    assert result.stdout.strip() == "started", result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"HAVEN_FIELD_ENCRYPTION_KEYS": DEV_KEY}, "development key"),
        ({"HAVEN_FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{DEV_KEY}"}, "development key"),
        ({"HAVEN_FIELD_ENCRYPTION_KEYS": "not-a-key"}, "not an encryption key"),
        ({"HAVEN_FIELD_ENCRYPTION_KEYS": "c2hvcnQ="}, "not an encryption key"),
        ({"HAVEN_FIELD_ENCRYPTION_KEYS": "é" * 44}, "not an encryption key"),
        ({"HAVEN_REQUIRE_STAFF_MFA": "0"}, "HAVEN_REQUIRE_STAFF_MFA=0"),
        ({"HAVEN_TESTING": "1"}, "HAVEN_TESTING=1"),
    ],
    ids=["dev key", "dev key among others", "malformed", "too short", "not ascii", "mfa off", "test settings"],
)
def test_production_refuses_unsafe_settings(overrides, message):
    result = _start(code=PROCESS_READS_SETTINGS, **overrides)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_a_local_demo_may_switch_the_second_factor_off():
    result = _start(DJANGO_DEBUG="1", HAVEN_REQUIRE_STAFF_MFA="0", HAVEN_FIELD_ENCRYPTION_KEYS=DEV_KEY)
    assert result.stdout.strip() == "started", result.stderr
