from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("cti/", views.cti_dashboard, name="cti_dashboard"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/close/", views.case_close, name="case_close"),
    path("<int:pk>/needs/", views.needs, name="needs"),
    path("<int:pk>/risk/", views.risk_list, name="risk_list"),
    path("<int:pk>/risk/new/", views.risk_create, name="risk_create"),
    path("<int:pk>/safety-plan/", views.safety_plan, name="safety_plan"),
    path("<int:pk>/action-plan/", views.action_plan, name="action_plan"),
    path("<int:pk>/action-plan/history/", views.action_plan_history, name="action_plan_history"),
    path("<int:pk>/action-plan/steps/<int:step_pk>/", views.action_step_edit, name="action_step_edit"),
    path("<int:pk>/action-plan/steps/<int:step_pk>/remove/", views.action_step_remove, name="action_step_remove"),
    path("<int:pk>/information/", views.information, name="information"),
    path("<int:pk>/consents/", views.consents, name="consents"),
    path("<int:pk>/consents/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/disclosures/", views.disclosures, name="disclosures"),
    path("<int:pk>/referrals/", views.referrals, name="referrals"),
    path("<int:pk>/referrals/<int:referral_pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/aftercare/", views.aftercare, name="aftercare"),
    path("<int:pk>/cti/", views.cti, name="cti"),
    path("<int:pk>/cti/goals/", views.cti_goal_add, name="cti_goal_add"),
    path("<int:pk>/cti/goals/<int:goal_pk>/", views.cti_goal_status, name="cti_goal_status"),
    path("<int:pk>/cti/reviews/", views.cti_review_add, name="cti_review_add"),
    path("<int:pk>/conferences/", views.conferences, name="conferences"),
    path("conferences/<int:pk>/", views.conference_detail, name="conference_detail"),
    path("conferences/<int:pk>/participants/", views.conference_participant_add, name="conference_participant_add"),
    path("conferences/<int:pk>/follow-ups/", views.conference_follow_up_add, name="conference_follow_up_add"),
    path(
        "conferences/<int:pk>/follow-ups/<int:action_pk>/",
        views.conference_follow_up_done,
        name="conference_follow_up_done",
    ),
    path("conferences/<int:pk>/minutes/", views.conference_minutes, name="conference_minutes"),
]
