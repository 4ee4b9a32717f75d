"""Production settings, read the way a server reads them: a fresh process with DEBUG off."""

import json

import pytest
from cryptography.fernet import Fernet

from tests.helpers import python_run

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "website.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 20 + "production-test-secret-key-not-used-anywhere",
    "DJANGO_ALLOWED_HOSTS": "haven.example.org",
    "HAVEN_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "WAGTAILADMIN_BASE_URL": "https://haven.example.org",
    "DATABASE_URL": "postgres://haven:secret@db.internal:5432/haven",
    "PATH": "/usr/bin:/bin",
}
# The settings module alone, as the server imports it before anything else: every refusal below is raised
# there, and the apps' start (two seconds a process) is the startup checks' test.
READ = """
import json
from django.conf import settings as s
print(json.dumps({
    "conn_max_age": s.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": s.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "cache": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"]["LOCATION"],
    "kept": [s.CACHES["kept"][key] for key in ("BACKEND", "LOCATION", "KEY_PREFIX")],
    "sessions": s.SESSION_ENGINE,
    "tasks": s.TASKS["default"]["BACKEND"],
    "rq": "django_rq" in s.INSTALLED_APPS,
    "storage": s.STORAGES["default"]["BACKEND"],
    "storage_options": s.STORAGES["default"].get("OPTIONS", {}),
    "img_src": s.SECURE_CSP["img-src"],
    "base_url": s.WAGTAILADMIN_BASE_URL,
}))
"""


def settings_with(**env):
    result = python_run(READ, env={**PRODUCTION, **env})
    if result.returncode:
        return result.stderr.strip().splitlines()[-1]
    return json.loads(result.stdout)


def test_production_keeps_connections_and_checks_them_before_reuse():
    read = settings_with()
    assert (read["conn_max_age"], read["health_checks"]) == (60, True)
    assert read["cache"] == "django.core.cache.backends.db.DatabaseCache"
    # Kept pages in a table of their own: filling it drops nothing of the default cache (rate limits).
    assert read["kept"] == ["django.core.cache.backends.db.DatabaseCache", "haven_kept_cache", "haven-kept"]
    assert read["sessions"] == "django.contrib.sessions.backends.db"
    assert read["tasks"] == "django_tasks_db.DatabaseBackend"
    assert read["storage"] == "django.core.files.storage.FileSystemStorage"
    assert settings_with(DATABASE_CONN_MAX_AGE="0")["conn_max_age"] == 0


@pytest.mark.parametrize("value", ["", "haven.example.org"])
def test_production_refuses_to_start_without_its_own_address(value):
    refusal = settings_with(WAGTAILADMIN_BASE_URL=value)
    assert "ImproperlyConfigured" in refusal and "WAGTAILADMIN_BASE_URL" in refusal


def test_the_base_url_loses_a_trailing_slash():
    assert settings_with(WAGTAILADMIN_BASE_URL="https://haven.example.org/")["base_url"] == "https://haven.example.org"


def test_one_redis_holds_cache_sessions_and_queue():
    read = settings_with(HAVEN_REDIS_URL="redis://127.0.0.1:6379/0", HAVEN_TASKS_BACKEND="rq")
    assert read["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert read["cache_location"] == "redis://127.0.0.1:6379/0"
    assert read["kept"] == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/0", "haven-kept"]
    assert read["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert (read["tasks"], read["rq"]) == ("django_tasks_rq.RQBackend", True)
    refusal = settings_with(HAVEN_TASKS_BACKEND="rq")
    assert "HAVEN_REDIS_URL" in refusal


def test_media_in_a_private_bucket_shown_through_signed_links():
    read = settings_with(
        HAVEN_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="haven-media",
        AWS_S3_ENDPOINT_URL="https://objects.example.net:9000/",
    )
    assert read["storage"] == "storages.backends.s3.S3Storage"
    options = read["storage_options"]
    assert (options["bucket_name"], options["default_acl"], options["querystring_auth"]) == (
        "haven-media",
        "private",
        True,
    )
    assert read["img_src"][-1] == "https://objects.example.net:9000"
    assert "AWS_STORAGE_BUCKET_NAME" in settings_with(HAVEN_MEDIA_STORAGE="s3")
