from importlib.util import find_spec

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views

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

urlpatterns = [
    # Wagtail's own login form would bypass allauth (and MFA): send it to allauth's.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
]
if find_spec("website.public_urls"):
    # Language-neutral public endpoints (calendar feeds): their URLs must never change with the language.
    urlpatterns.append(path("", include("website.public_urls")))

app_patterns = [path("me/", account_views.home, name="home")]
app_patterns += [path(prefix, include(f"{app}.urls")) for app, prefix in APP_URLS]
app_patterns.append(path("", include("website.site_urls")))  # quick-exit help, calendar links

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    *app_patterns,
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL + "images/", document_root=settings.MEDIA_ROOT / "images")
