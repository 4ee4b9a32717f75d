from django.urls import path

from reporting import results_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/iati.xml", views.project_iati, name="project_iati"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/report.xlsx", views.period_xlsx, name="period_xlsx"),
    path("periods/<int:pk>/narrative/", views.period_edit, name="period_edit"),
    path("periods/<int:pk>/step/", views.period_transition_view, name="period_transition"),
    path("periods/<int:pk>/values/", results_views.period_values, name="period_values"),
    path("projects/<int:project_pk>/results/new/", results_views.result_edit, name="result_add"),
    path("projects/<int:project_pk>/results/<int:pk>/", results_views.result_edit, name="result_edit"),
    path("projects/<int:project_pk>/results/<int:pk>/delete/", results_views.result_remove, name="result_delete"),
    path(
        "projects/<int:project_pk>/results/<int:result_pk>/indicators/new/",
        results_views.indicator_edit,
        name="indicator_add",
    ),
    path(
        "projects/<int:project_pk>/results/<int:result_pk>/indicators/<int:pk>/",
        results_views.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "projects/<int:project_pk>/results/<int:result_pk>/indicators/<int:pk>/delete/",
        results_views.indicator_remove,
        name="indicator_delete",
    ),
    path("programmes/<int:pk>/", results_views.programme_detail, name="programme"),
]
