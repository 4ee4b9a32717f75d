import pytest
from django.urls import reverse

from accounts.roles import role_permissions_sync
from audit.models import AuditEntry
from counseling.models import Client, CounselorProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(coordinator):
    role_permissions_sync()  # what migrate does for the Coordinator group
    return coordinator


VIEWSETS = [
    "counseling_counselors",
    "counseling_rooms",
    "counseling_windows",
    "counseling_absences",
    "counseling_clients",
]


@pytest.mark.parametrize("name", VIEWSETS)
def test_coordinator_reaches_each_admin_screen(client_for, coordinator, name):
    web = client_for(coordinator)
    assert web.get(reverse(f"{name}:index")).status_code == 200
    assert web.get(reverse(f"{name}:add")).status_code == 200


def test_counselor_has_no_admin_screens(client_for, counselor):
    response = client_for(counselor).get(reverse("counseling_clients:index"))
    assert response.status_code in (302, 403)


def test_admin_counselor_form_stores_session_kinds(client_for, coordinator, counselor):
    response = client_for(coordinator).post(
        reverse("counseling_counselors:add"),
        {
            "user": counselor.pk,
            "expertise": "Trauma",
            "languages": "sr, da",
            "session_kinds": ["experiential", "case_based"],
            "trained_for_violence": "on",
            "buffer_minutes": 10,
            "min_notice_hours": 12,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CounselorProfile.objects.get().session_kinds == ["experiential", "case_based"]


def test_opening_a_client_in_the_admin_is_audited(client_for, coordinator, make_client):
    her = make_client(safe_contact_instructions="Only after 18h")
    response = client_for(coordinator).get(reverse("counseling_clients:edit", args=[her.pk]))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(object_id=str(her.pk), action="view", detail="admin").exists()
    assert Client.objects.count() == 1
