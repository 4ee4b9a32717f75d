"""Haven settings: one module, every value that differs between machines read from the environment.

Defaults are for development (SQLite, DEBUG on, console email) so that `make run` needs no configuration.
With DEBUG off the module refuses to start without a real secret key and allowed hosts.
"""

import base64
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=True)
TESTING = env_bool("HAVEN_TESTING", default=False) or "pytest" in sys.modules
if not DEBUG and env_bool("HAVEN_TESTING", default=False) and "pytest" not in sys.modules:
    # Test settings switch off the staff's second factor and hash passwords weakly.
    raise ImproperlyConfigured(
        "HAVEN_TESTING=1 is for the test suite only: it switches off the staff's second factor and uses weak "
        "password hashes. Remove it from the production environment."
    )

_DEV_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off, Haven refuses to start without a secret "
            "key: set DJANGO_SECRET_KEY to a long random value (python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too weak for production: use 50 random characters.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is not set: list the host names Haven is served on.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Free-text survivor fields are encrypted with these keys (Fernet, comma-separated, newest first).
# The development key is published here, so production refuses it.
_DEV_FIELD_ENCRYPTION_KEY = "aGF2ZW4tZGV2ZWxvcG1lbnQta2V5LW5vdC1wcm9kISE="
FIELD_ENCRYPTION_KEYS = env_list("HAVEN_FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "HAVEN_FIELD_ENCRYPTION_KEYS is not set. Generate one with `python manage.py "
            "generate_encryption_key` and keep it outside the database backups."
        )
    # Development only: a fixed key so that demo data survives restarts.
    FIELD_ENCRYPTION_KEYS = [_DEV_FIELD_ENCRYPTION_KEY]
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        _key_bytes = base64.urlsafe_b64decode(_key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        _key_bytes = b""
    if len(_key_bytes) != 32:
        raise ImproperlyConfigured(
            "HAVEN_FIELD_ENCRYPTION_KEYS holds a value that is not an encryption key (32 url-safe base64 bytes, "
            "44 characters). Make one with `python manage.py generate_encryption_key`."
        )
if not DEBUG and _DEV_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "HAVEN_FIELD_ENCRYPTION_KEYS holds the development key, which is published in Haven's source code: "
        "anyone could read the survivor data encrypted with it. Generate a key with `python manage.py "
        "generate_encryption_key`."
    )

INSTALLED_APPS = [
    "core",
    "accounts",
    "audit",
    "website",
    "groups",
    "counseling",
    "cases",
    "trainings",
    "certificates",
    "reporting",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.AdminContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "website.middleware.ProfileLanguageMiddleware",
    "website.middleware.KeptWorkMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.AccessDeniedAuditMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    "accounts.middleware.AdminAccessMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "website.routing.KeptRouteMiddleware",
]

ROOT_URLCONF = "website.urls"
WSGI_APPLICATION = "website.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "accounts.context_processors.navigation",
            ],
            # Wagtail's admin tags with the parts every admin page repeats written once (accounts.admin_tags).
            "libraries": {"wagtailadmin_tags": "accounts.admin_tags"},
            # Django's `date` filter, its texts kept once worked out (core.formatting): the same texts.
            "builtins": ["core.templatetags.written_dates"],
        },
    },
]

# Form fields written in Python where Django's own field, label, error and widget templates would be rendered
# (the same HTML; core.form_renderer).
FORM_RENDERER = "core.form_renderer.WrittenFormRenderer"

# Production keeps each worker's connection open for a minute (a new PostgreSQL connection costs more than
# most pages) and checks it before reuse, so a restarted database costs one failed check, not a 500.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0" if DEBUG else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's database search backend and the exclusion constraints need it on PostgreSQL only.
    INSTALLED_APPS.append("django.contrib.postgres")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let a second request wait for the writer instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One Redis server (HAVEN_REDIS_URL, e.g. redis://127.0.0.1:6379/0) can hold the cache, the sessions and the
# task queue once Haven runs on more than one machine; without it the database holds all three. Tests keep
# their own per-process cache, which each test empties.
REDIS_URL = os.environ.get("HAVEN_REDIS_URL", "")
_REDIS_SHARED = bool(REDIS_URL) and not TESTING
_CACHE_BACKEND, _CACHE_LOCATION = (
    ("django.core.cache.backends.locmem.LocMemCache" if DEBUG else "django.core.cache.backends.db.DatabaseCache"),
    "haven_cache",
)
if _REDIS_SHARED:
    _CACHE_BACKEND, _CACHE_LOCATION = "django.core.cache.backends.redis.RedisCache", REDIS_URL
_CACHE_BACKEND = os.environ.get("DJANGO_CACHE_BACKEND", _CACHE_BACKEND)
_CACHE_LOCATION = os.environ.get("DJANGO_CACHE_LOCATION", _CACHE_LOCATION)
CACHES = {
    "default": {
        # Rate limits live here: production must share it across workers (database cache by default).
        "BACKEND": _CACHE_BACKEND,
        "LOCATION": _CACHE_LOCATION,
        "KEY_PREFIX": "haven",
    },
    # What is kept because it is dear to build again and the same for everyone (core.pagecache: public pages,
    # a page's route and language links), beside the default cache, not in it: a visitor may have as many
    # filtered catalogue pages kept as she asks for, and a full cache drops entries to make room, which in
    # the default one could be a rate limit's count.
    "kept": {
        "BACKEND": _CACHE_BACKEND,
        "LOCATION": "haven_kept_cache",
        "KEY_PREFIX": "haven-kept",
        # The database's and the process's caches drop a third of their entries beyond this; Redis frees
        # memory by its own policy.
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
if "redis" in _CACHE_BACKEND:
    CACHES["kept"].update(LOCATION=_CACHE_LOCATION, OPTIONS={})
# With Redis, sessions are read from the cache and written through to the database: a restarted Redis
# logs nobody out.
SESSION_ENGINE = os.environ.get(
    "DJANGO_SESSION_ENGINE",
    "django.contrib.sessions.backends.cached_db" if _REDIS_SHARED else "django.contrib.sessions.backends.db",
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # A rule's name that the rules refused is not asked of the model-permission backends below (two queries a
    # page): accounts/backends.py.
    "accounts.backends.RuleNamesEndHereBackend",
    # Her model permissions in one query compiled once, kept where the model backends below read them.
    "accounts.backends.PermissionsInOneQueryBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Internationalisation
LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", "English"),
    ("da", "Dansk"),
    ("sr-latn", "Srpski (latinica)"),
]
# The project's own strings (`make messages` keeps them), then Wagtail's own strings its catalogs leave
# untranslated in Danish and Serbian, where the staff see them in the administration (kept by hand).
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "website" / "wagtail_locale",
    BASE_DIR / "website" / "allauth_locale",
]
# One date and one date-time format per language (website/formats/): Django's own, short names the same.
FORMAT_MODULE_PATH = ["website.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Belgrade")
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The administration in the site's three languages: Wagtail offers its own list, without Danish and Serbian, and
# showed its screens in English to anyone with a Wagtail profile whose language is not on it.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads (images, documents) live in MEDIA_ROOT, or with HAVEN_MEDIA_STORAGE=s3 in a private bucket of any
# S3-compatible store (django-storages; credentials from the usual AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).
# Images are then shown through signed links that expire; documents always pass Wagtail's permission
# check (WAGTAILDOCS_SERVE_METHOD below), so a private document never gets a public address.
MEDIA_STORAGE = os.environ.get("HAVEN_MEDIA_STORAGE", "local")
MEDIA_ORIGIN = ""
if MEDIA_STORAGE == "s3":
    _S3_ENDPOINT = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("HAVEN_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL).")
    # Pages may show images from the bucket's address only (Content-Security-Policy img-src).
    MEDIA_ORIGIN = os.environ.get("HAVEN_MEDIA_ORIGIN", "") or "/".join(_S3_ENDPOINT.split("/")[:3])
    if not MEDIA_ORIGIN:
        raise ImproperlyConfigured("HAVEN_MEDIA_STORAGE=s3 needs AWS_S3_ENDPOINT_URL or HAVEN_MEDIA_ORIGIN.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": _S3_ENDPOINT or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": "path" if _S3_ENDPOINT else None,
            "location": os.environ.get("HAVEN_S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 6 * 60 * 60,
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured("HAVEN_MEDIA_STORAGE is either local (the default) or s3.")

# Development and tests serve static files straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Email (Django 6.1 MAILERS)
_EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_EMAIL_OPTIONS = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("DJANGO_EMAIL_PORT", "25")),
        "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS"),
        "timeout": 20,
    }
elif _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    # One file per message in a folder (a staging server, the production-style test).
    _EMAIL_OPTIONS = {"file_path": os.environ.get("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
# A neutral sender: nothing in From or Subject may reveal what the organisation does.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Haven <no-reply@example.org>")
NEUTRAL_FROM_EMAIL = os.environ.get("HAVEN_NEUTRAL_FROM_EMAIL", "Appointments <no-reply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks: inline in development and tests, the database worker in production, or RQ on the
# Redis server of HAVEN_REDIS_URL (`HAVEN_TASKS_BACKEND=rq`). `manage.py run_worker` starts the right worker.
TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
_TASKS_BACKEND = os.environ.get("HAVEN_TASKS_BACKEND", "immediate" if DEBUG else "database")
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(_TASKS_BACKEND, _TASKS_BACKEND)}}
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["rq"] and not REDIS_URL:
    raise ImproperlyConfigured("HAVEN_TASKS_BACKEND=rq needs the Redis server in HAVEN_REDIS_URL.")
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 15 * 60}}
# /health/worker/ fails when more tasks wait than this, or one has waited longer (website/health.py).
HAVEN_HEALTH_QUEUE_LIMIT = int(os.environ.get("HAVEN_HEALTH_QUEUE_LIMIT", "1000"))
HAVEN_HEALTH_QUEUE_WAIT_SECONDS = int(os.environ.get("HAVEN_HEALTH_QUEUE_WAIT_SECONDS", str(15 * 60)))

# Accounts (django-allauth)
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming her email in the browser she signed up in signs her in and takes her where she was going
# (an edition's enrolment): allauth does this only when that sign-up is in the same session.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Proxies of our own in front of Haven (core.clientip): every rate limit and the audit log's address use it.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
# An email to her (in her language, neutral subject) when her password or second factor changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# She sees her sessions and ends the others (accounts/sessions/); ending them is a security event.
USERSESSIONS_ADAPTER = "accounts.adapter.UserSessionsAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Haven"

# Wagtail
WAGTAIL_SITE_NAME = "Haven"
# No avatars from Gravatar: the admin would hand a digest of each staff member's e-mail to a third party
# (and the Content-Security-Policy blocks the image anyway). Wagtail shows its own default avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Links in emails (enrolments, password resets, reminders) are built on it: production must name itself.
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "").rstrip("/")
if not WAGTAILADMIN_BASE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "WAGTAILADMIN_BASE_URL is not set: give the address people reach Haven at, e.g. "
            "https://haven.example.org (links in emails are built on it)."
        )
    WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
elif not WAGTAILADMIN_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("WAGTAILADMIN_BASE_URL must start with https:// (or http:// for a local test).")
# One login door: allauth (throttled, verified addresses, second factor). Wagtail's own login, private-page
# login, password reset and password and email change are closed or sent there (website/urls.py).
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Security
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
# A refused form is offered back to her, in her language, with the quick exit (website/errors.py).
CSRF_FAILURE_VIEW = "website.errors.csrf_failure"
CSRF_COOKIE_HTTPONLY = True
# Staff reach survivor data, so their sessions are shorter (accounts.middleware.SessionTimeoutMiddleware).
HAVEN_SESSION_IDLE_SECONDS = {"staff": 15 * 60, "other": 60 * 60}
HAVEN_SESSION_ABSOLUTE_SECONDS = {"staff": 4 * 60 * 60, "other": SESSION_COOKIE_AGE}
# Coordinators, counselors and facilitators must set up a second factor before any other page.
# Off in tests only, where most tests log staff in without one; tests of the rule switch it on.
HAVEN_REQUIRE_STAFF_MFA = env_bool("HAVEN_REQUIRE_STAFF_MFA", default=not TESTING)
if not DEBUG and not TESTING and not HAVEN_REQUIRE_STAFF_MFA:
    raise ImproperlyConfigured(
        "HAVEN_REQUIRE_STAFF_MFA=0 switches off the second factor for the staff who reach survivor data: it is "
        "for a local demo with DJANGO_DEBUG=1 only. Remove it from the production environment."
    )
# Days after which apply_retention anonymises survivor records that are no longer active.
HAVEN_RETENTION_DAYS = {
    "group_membership": int(os.environ.get("HAVEN_RETENTION_MEMBERSHIP_DAYS", str(2 * 365))),
    "counseling_client": int(os.environ.get("HAVEN_RETENTION_CLIENT_DAYS", str(5 * 365))),
    "closed_case": int(os.environ.get("HAVEN_RETENTION_CASE_DAYS", str(5 * 365))),
    # Handled (accepted or closed) intake requests are deleted after this many days.
    "intake_request": int(os.environ.get("HAVEN_RETENTION_INTAKE_DAYS", "90")),
    "form_token": 2,
}
SECURE_REFERRER_POLICY = "no-referrer"
# The CSRF middleware is core.middleware.CsrfViewMiddleware, a subclass of Django's (see its docstring);
# the check only recognises Django's own class by name. tests/security/test_headers.py asserts the subclass.
# The admin's template library replaces Wagtail's on purpose (TEMPLATES above): accounts.checks gives every
# other library name used twice.
SILENCED_SYSTEM_CHECKS = ["security.W003", "templates.W003"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if MEDIA_ORIGIN:
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], MEDIA_ORIGIN]
# The proxy and the monitoring ask for the health answers over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Organisation
HAVEN_ORGANISATION_NAME = os.environ.get("HAVEN_ORGANISATION_NAME", "Haven Women's Centre")
HAVEN_CERTIFICATE_PREFIX = os.environ.get("HAVEN_CERTIFICATE_PREFIX", "ORG")
# The organisation's IATI organisation identifier (org-id.guide: the prefix of the register it is in, a hyphen
# and its number there, e.g. GB-CHC-1234567): the reporting organisation of the IATI files of donor projects, and
# the start of a project's activity identifier when the project has none of its own. The default is a
# placeholder (XX is no register): set the real identifier before a file is published.
HAVEN_IATI_ORGANISATION_REF = os.environ.get("HAVEN_IATI_ORGANISATION_REF", "XX-HAVEN")
# Open Badges credentials are signed with these Ed25519 keys (`python manage.py generate_credential_key`),
# newest first: the first signs, the older ones stay published so that what they signed still verifies.
# Without one, debug and tests use a published development key and production issues no certificate.
_DEV_CREDENTIAL_KEY = "z3u2TwcScy58Yv1dCXB8cQiWoSb8HWht2JK4CdQxcrGqsu2x"
HAVEN_CREDENTIAL_KEYS = env_list("HAVEN_CREDENTIAL_KEYS")
if not DEBUG and _DEV_CREDENTIAL_KEY in HAVEN_CREDENTIAL_KEYS:
    raise ImproperlyConfigured("HAVEN_CREDENTIAL_KEYS holds the published development key: generate your own.")
if not HAVEN_CREDENTIAL_KEYS and (DEBUG or TESTING):
    HAVEN_CREDENTIAL_KEYS = [_DEV_CREDENTIAL_KEY]

# Counseling
# A counselor may open a client's file while she has a booking with her (not cancelled) that starts at most
# this many days ago, upcoming ones included; assignment and case roles open it too (counseling/rules.py).
HAVEN_CLIENT_ACCESS_DAYS = int(os.environ.get("HAVEN_CLIENT_ACCESS_DAYS", "90"))
# How far ahead a session may be booked.
HAVEN_BOOKING_HORIZON_DAYS = int(os.environ.get("HAVEN_BOOKING_HORIZON_DAYS", "365"))
# Requests for a conversation accepted from one address per hour (public intake form).
HAVEN_INTAKE_PER_HOUR = int(os.environ.get("HAVEN_INTAKE_PER_HOUR", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # The tasks framework logs every run at INFO, with the traceback of whatever exception was being
    # handled when the task was enqueued: noise in development, and a place survivor data could leak.
    "loggers": {"django.tasks": {"level": os.environ.get("DJANGO_TASKS_LOG_LEVEL", "WARNING")}},
}

if TESTING and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database file rather than shared in-memory SQLite: races, the live server and worker
    # threads then use real separate connections, as in production.
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"haven-test-{os.getpid()}.sqlite3")}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Indexing every saved page for the admin's search is a third of building the demo site, which dozens
    # of tests do; no test searches pages. HAVEN_TEST_SEARCH_INDEX=1 keeps it on.
    if not env_bool("HAVEN_TEST_SEARCH_INDEX", default=False):
        WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
