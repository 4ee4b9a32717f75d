from django.urls import path, re_path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_lookup, name="verify_serial"),
    path("verify/credential/", views.verify_credential, name="verify_credential"),
    re_path(r"^verify/(?P<code>[A-Za-z0-9_-]{1,64})\.json$", views.verify_json, name="verify_json"),
    re_path(r"^verify/(?P<code>[A-Za-z0-9_-]{1,64})/$", views.verify, name="verify"),
    path("credentials/issuer/", views.issuer_profile, name="issuer_profile"),
    path("credentials/status/<int:number>/", views.status_list, name="status_list"),
    path("accreditations/", views.register, name="register"),
    path("accreditations/register.xlsx", views.register_xlsx, name="register_xlsx"),
    path("certificates/", views.my_certificates, name="mine"),
    path("certificates/record/", views.record, name="record"),
    path("certificates/record.pdf", views.record_pdf, name="record_pdf"),
    path("certificates/<int:pk>/download/", views.download, name="download"),
    path("certificates/<int:pk>/credential/", views.credential_download, name="credential"),
    path("certificates/manage/", views.coordinator_list, name="coordinator_list"),
    path("certificates/manage/<int:pk>/", views.certificate_detail, name="detail"),
    path("certificates/manage/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("certificates/manage/<int:pk>/reissue/", views.reissue, name="reissue"),
    path("certificates/manage/issue/<int:enrollment_id>/", views.issue, name="issue"),
]
