from importlib.util import find_spec

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views
from website import health, media

# (app, URL prefix). Each app's urls.py sets its own app_name (the namespace).
APP_URLS = [
    ("accounts", "me/"),
    ("groups", "groups/"),
    ("counseling", "counseling/"),
    ("cases", "cases/"),
    ("trainings", "trainings/"),
    ("certificates", ""),
    ("reporting", "reports/"),
]

# One login door. Wagtail's own login forms would log in with a password alone (no throttling, no second
# factor, unverified addresses welcome): each of their paths is answered by allauth's instead.
to_login = RedirectView.as_view(pattern_name="account_login", query_string=True)
to_password_reset = RedirectView.as_view(pattern_name="account_reset_password")

# Error pages in her language, with the quick exit (website/errors.py).
handler400 = "website.errors.bad_request"
handler403 = "website.errors.permission_denied"
handler404 = "website.errors.page_not_found"
handler500 = "website.errors.server_error"

urlpatterns = [
    path("admin/login/", to_login),
    re_path(r"^admin/password_reset/", to_password_reset),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health.web, name="health"),
    path("health/worker/", health.worker, name="health_worker"),
    # Public images only (website/media.py): documents and originals have no address under /media/.
    path(f"{settings.MEDIA_URL.strip('/')}/{media.PUBLIC_FOLDER}/<path:path>", media.public_image, name="media_image"),
]
if find_spec("website.public_urls"):
    # Language-neutral public endpoints (calendar feeds): their URLs must never change with the language.
    urlpatterns.append(path("", include("website.public_urls")))

app_patterns = [path("me/", account_views.home, name="home")]
app_patterns += [path(prefix, include(f"{app}.urls")) for app, prefix in APP_URLS]
app_patterns.append(path("", include("website.site_urls")))  # quick-exit help, calendar links

urlpatterns += i18n_patterns(
    path("_util/login/", to_login),  # Wagtail's private-page login, under every language prefix
    # allauth's set-up of an authenticator app and its recovery codes page, keeping the page she was on her
    # way to (allauth's own paths and names, resolved here first).
    path("accounts/2fa/totp/activate/", account_views.totp_activate, name="mfa_activate_totp"),
    path("accounts/2fa/recovery-codes/", account_views.recovery_codes_view, name="mfa_view_recovery_codes"),
    path("accounts/", include("allauth.urls")),
    *app_patterns,
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
