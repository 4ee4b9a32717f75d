from django.urls import path

from core import offline
from groups import views

app_name = "groups"

urlpatterns = [
    path("", views.my_cohorts, name="my_cohorts"),
    path("offline/", offline.device_page, name="offline"),
    path("attendance/sync/", views.attendance_sync, name="attendance_sync"),
    path("follow-up/", views.followup_step, name="followup_step"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/overview/", views.cohort_overview, name="cohort_overview"),
    path("cohorts/<int:pk>/overview.xlsx", views.cohort_overview_xlsx, name="cohort_overview_xlsx"),
    path("cohorts/<int:pk>/schedule/", views.cohort_schedule, name="cohort_schedule"),
    path("cohorts/<int:pk>/excuse/", views.attendance_excuse_view, name="attendance_excuse"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/cancel/", views.session_cancel_view, name="session_cancel"),
    path("sessions/<int:pk>/sign-in-sheet/", views.session_sign_in_sheet, name="session_sign_in_sheet"),
    path("sessions/<int:pk>/notes/", views.session_notes, name="session_notes"),
]
