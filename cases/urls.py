from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("cti/", views.cti_dashboard, name="cti_dashboard"),
    path("<int:pk>/", views.CaseDetail.as_view(), name="case_detail"),
    path("<int:pk>/close/", views.CaseClose.as_view(), name="case_close"),
    path("<int:pk>/reopen/", views.CaseReopen.as_view(), name="case_reopen"),
    path("<int:pk>/needs/", views.Needs.as_view(), name="needs"),
    path("<int:pk>/risk/", views.RiskList.as_view(), name="risk_list"),
    path("<int:pk>/risk/new/", views.RiskCreate.as_view(), name="risk_create"),
    path("<int:pk>/safety-plan/", views.SafetyPlanScreen.as_view(), name="safety_plan"),
    path("<int:pk>/action-plan/", views.ActionPlanScreen.as_view(), name="action_plan"),
    path("<int:pk>/action-plan/history/", views.ActionPlanHistory.as_view(), name="action_plan_history"),
    path("<int:pk>/action-plan/steps/<int:step_pk>/", views.ActionStepEdit.as_view(), name="action_step_edit"),
    path(
        "<int:pk>/action-plan/steps/<int:step_pk>/remove/",
        views.ActionStepRemove.as_view(),
        name="action_step_remove",
    ),
    path("<int:pk>/information/", views.Information.as_view(), name="information"),
    path("<int:pk>/consents/", views.Consents.as_view(), name="consents"),
    path("<int:pk>/consents/<int:consent_pk>/withdraw/", views.ConsentWithdraw.as_view(), name="consent_withdraw"),
    path("<int:pk>/disclosures/", views.Disclosures.as_view(), name="disclosures"),
    path("<int:pk>/referrals/", views.Referrals.as_view(), name="referrals"),
    path("<int:pk>/referrals/<int:referral_pk>/", views.ReferralDetail.as_view(), name="referral_detail"),
    path("<int:pk>/aftercare/", views.Aftercare.as_view(), name="aftercare"),
    path("<int:pk>/cti/", views.Cti.as_view(), name="cti"),
    path("<int:pk>/cti/goals/", views.CtiGoalAdd.as_view(), name="cti_goal_add"),
    path("<int:pk>/cti/goals/<int:goal_pk>/", views.CtiGoalStatus.as_view(), name="cti_goal_status"),
    path("<int:pk>/cti/reviews/", views.CtiReviewAdd.as_view(), name="cti_review_add"),
    path("<int:pk>/conferences/", views.Conferences.as_view(), name="conferences"),
    path("conferences/<int:pk>/", views.ConferenceScreen.as_view(), name="conference_detail"),
    path(
        "conferences/<int:pk>/participants/",
        views.ConferenceParticipantAdd.as_view(),
        name="conference_participant_add",
    ),
    path("conferences/<int:pk>/follow-ups/", views.ConferenceFollowUpAdd.as_view(), name="conference_follow_up_add"),
    path(
        "conferences/<int:pk>/follow-ups/<int:action_pk>/",
        views.ConferenceFollowUpDone.as_view(),
        name="conference_follow_up_done",
    ),
    path("conferences/<int:pk>/minutes/", views.ConferenceMinutes.as_view(), name="conference_minutes"),
]
