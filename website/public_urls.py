"""Language-neutral endpoints: a calendar subscription URL must never change with the reader's language."""

from django.urls import include, path

from website import views

feed_patterns = [path("feeds/<str:token>.ics", views.calendar_feed, name="calendar_feed")]

urlpatterns = [path("", include((feed_patterns, "website_public")))]
