"""The website app's own pages inside the language prefix (the public Wagtail pages are served by Wagtail)."""

from django.urls import path

from website import views

app_name = "website"

urlpatterns = [
    path("leave-safely/", views.leave_safely, name="leave_safely"),
    path("get-help/", views.get_help, name="get_help"),
    path("me/stay-signed-in/", views.session_keepalive, name="session_keepalive"),
    path("me/calendar/", views.calendar_settings, name="calendar_settings"),
    path("me/calendar/new-link/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/group-session/<int:pk>.ics", views.group_session_ics, name="group_session_ics"),
    path("calendar/booking/<int:pk>.ics", views.booking_ics, name="booking_ics"),
    path("calendar/training-session/<int:pk>.ics", views.training_session_ics, name="training_session_ics"),
    path("calendar/edition/<int:pk>.ics", views.edition_ics, name="edition_ics"),
]
