import pytest
from django.urls import reverse

from accounts.roles import role_permissions_sync
from reporting.models import DonorProject

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(coordinator):
    role_permissions_sync()  # what migrate does for the Coordinator group
    return coordinator


@pytest.mark.parametrize("name", ["donor_projects", "reporting_periods"])
def test_coordinator_reaches_each_admin_screen(client_for, coordinator, project, name):
    web = client_for(coordinator)
    assert web.get(reverse(f"{name}:index")).status_code == 200
    assert web.get(reverse(f"{name}:add")).status_code == 200
    obj = project if name == "donor_projects" else project.periods.first()
    assert web.get(reverse(f"{name}:edit", args=[obj.pk])).status_code == 200


def test_project_manager_has_no_admin_screens(client_for, project_manager):
    response = client_for(project_manager).get(reverse("donor_projects:index"))
    assert response.status_code in (302, 403)


def test_coordinator_creates_a_project_with_indicator_targets(client_for, coordinator, project_manager):
    response = client_for(coordinator).post(
        reverse("donor_projects:add"),
        {
            "title": "Stronger together",
            "donor": "Ministry",
            "grant_number": "G-77",
            "start_date": "2024-01-01",
            "end_date": "2024-12-31",
            "managers": [project_manager.pk],
            "partners": "",
            "aim": "",
            "target_groups": "",
            "planned_activities": "",
            "cadence": "quarterly",
            "due_days": "30",
            "disclosure_method": "suppress",
            "suppression_threshold": "5",
            "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "0",
            "indicators-MIN_NUM_FORMS": "0",
            "indicators-MAX_NUM_FORMS": "1000",
            "indicators-0-code": "women_in_groups",
            "indicators-0-target": "60",
            "indicators-0-id": "",
            # The results panel's management form, as the page renders it with no result added.
            "results-TOTAL_FORMS": "0",
            "results-INITIAL_FORMS": "0",
            "results-MIN_NUM_FORMS": "0",
            "results-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    project = DonorProject.objects.get(title="Stronger together")
    assert [(i.code, int(i.target)) for i in project.indicators.all()] == [("women_in_groups", 60)]
    assert list(project.managers.all()) == [project_manager]
