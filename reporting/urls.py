from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/report.xlsx", views.period_xlsx, name="period_xlsx"),
    path("periods/<int:pk>/narrative/", views.period_edit, name="period_edit"),
    path("periods/<int:pk>/step/", views.period_transition_view, name="period_transition"),
]
