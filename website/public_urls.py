"""Language-neutral endpoints: a calendar subscription URL must never change with the reader's language."""

from django.urls import include, path, re_path

from website import views

feed_patterns = [re_path(r"^feeds/(?P<token>[A-Za-z0-9_-]{1,64})\.ics$", views.calendar_feed, name="calendar_feed")]

urlpatterns = [path("", include((feed_patterns, "website_public")))]
