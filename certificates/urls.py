from django.urls import path, re_path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_serial, name="verify_serial"),
    re_path(r"^verify/(?P<code>[A-Za-z0-9_-]{1,64})\.json$", views.verify_json, name="verify_json"),
    re_path(r"^verify/(?P<code>[A-Za-z0-9_-]{1,64})/$", views.verify, name="verify"),
    path("accreditations/", views.register, name="register"),
    path("accreditations/register.xlsx", views.register_xlsx, name="register_xlsx"),
    path("certificates/", views.my_certificates, name="mine"),
    path("certificates/<int:pk>/download/", views.download, name="download"),
    path("certificates/manage/", views.coordinator_list, name="coordinator_list"),
    path("certificates/manage/<int:pk>/", views.certificate_detail, name="detail"),
    path("certificates/manage/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("certificates/manage/<int:pk>/reissue/", views.reissue, name="reissue"),
    path("certificates/manage/issue/<int:enrollment_id>/", views.issue, name="issue"),
]
