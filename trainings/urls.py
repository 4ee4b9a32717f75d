from django.urls import path

from core.offline import device_page
from trainings import offline, views

app_name = "trainings"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("editions/<int:pk>/", views.edition_detail, name="edition_detail"),
    path("editions/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("editions/<int:pk>/calendar.ics", views.edition_ics, name="edition_ics"),
    path("my/", views.dashboard, name="dashboard"),
    path("my/enrolments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("my/enrolments/<int:pk>/confirm/", views.confirm_offer, name="confirm_offer"),
    path("my/enrolments/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("sessions/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("teach/", views.trainer_editions, name="trainer_editions"),
    path("teach/editions/<int:pk>/participants/", views.participants, name="participants"),
    path("teach/editions/<int:pk>/participants.xlsx", views.participants_xlsx, name="participants_xlsx"),
    path("teach/editions/<int:pk>/sign-in-sheet/", views.sign_in_sheet, name="sign_in_sheet"),
    path("teach/editions/<int:pk>/close/", views.edition_close, name="edition_close"),
    path("teach/sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("teach/attendance/sync/", offline.attendance_sync, name="attendance_sync"),  # marks kept on a phone
    path("teach/offline/", device_page, name="offline"),
    path("teach/sessions/<int:pk>/check-in-code/", views.check_in_qr, name="check_in_qr"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/approve/", views.approval_decide, {"decision": "approve"}, name="approve"),
    path("approvals/<int:pk>/reject/", views.approval_decide, {"decision": "reject"}, name="reject"),
]
