"""Language-neutral endpoints: a calendar subscription URL must never change with the reader's language,
nor may the service worker's (its URL is its identity) or the web app manifest's."""

from django.urls import include, path, re_path

from core import offline
from website import views

feed_patterns = [re_path(r"^feeds/(?P<token>[A-Za-z0-9_-]{1,64})\.ics$", views.calendar_feed, name="calendar_feed")]

urlpatterns = [
    path("", include((feed_patterns, "website_public"))),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web_manifest"),
]
