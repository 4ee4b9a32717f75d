from django.urls import reverse

from accounts.roles import role_permissions_sync
from cases.models import Institution, RiskSettings


def test_coordinator_manages_institutions_in_the_admin(client_for, coordinator):
    role_permissions_sync()  # as after migrate, now that the coordinator group exists
    client = client_for(coordinator)
    response = client.get(reverse("wagtailsnippets_cases_institution:list"))
    assert response.status_code == 200
    response = client.post(
        reverse("wagtailsnippets_cases_institution:add"),
        {"name": "Dom zdravlja Zrenjanin", "kind": "health", "municipality": "Zrenjanin", "active": "on"},
    )
    assert response.status_code == 302
    assert Institution.objects.filter(name="Dom zdravlja Zrenjanin", kind="health").exists()


def test_counselor_has_no_admin(client_for, counselor):
    response = client_for(counselor).get(reverse("wagtailsnippets_cases_institution:list"))
    assert response.status_code in (302, 403)


def test_risk_settings_defaults(db):
    settings = RiskSettings.load()
    assert (settings.review_weeks, settings.medium_threshold, settings.high_threshold) == (8, 10, 14)
