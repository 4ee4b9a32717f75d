import pytest
from django.urls import reverse

from counseling.enums import IntakeStatus
from counseling.models import Client, IntakeRequest
from tests.helpers import tokened

pytestmark = pytest.mark.django_db

FORM = {
    "alias": "Snežana",
    "preferred_language": "sr-latn",
    "safe_contact": "Call 060 123 4567, do not leave a message",
    "safe_times": "Weekdays 9-12",
    "needs": "Talking about what happened",
}


def test_public_intake_needs_no_account_and_confirms_without_identifying(client):
    response = client.post(reverse("counseling:intake"), tokened(FORM))
    assert response.status_code == 302
    assert response["Location"] == reverse("counseling:intake_done")
    done = client.get(response["Location"]).content.decode()
    assert "What happens next" in done
    for key, value in FORM.items():
        if key == "preferred_language":
            continue
        assert value not in done
    intake = IntakeRequest.objects.get()
    assert intake.status == IntakeStatus.NEW
    assert intake.safe_contact == FORM["safe_contact"]


def test_intake_safe_contact_is_encrypted_at_rest(client):
    client.post(reverse("counseling:intake"), tokened(FORM))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT safe_contact, needs FROM counseling_intakerequest")
        stored = cursor.fetchone()
    assert "060" not in stored[0] and "happened" not in stored[1]


def test_intake_missing_contact_is_refused(client):
    response = client.post(reverse("counseling:intake"), tokened(FORM | {"safe_contact": ""}))
    assert response.status_code == 200
    assert not IntakeRequest.objects.exists()


def test_coordinator_queue_turns_request_into_client(client, client_for, coordinator, profile):
    client.post(reverse("counseling:intake"), tokened(FORM))
    intake = IntakeRequest.objects.get()
    web = client_for(coordinator)
    queue = web.get(reverse("counseling:intake_queue")).content.decode()
    assert "Snežana" in queue
    response = web.post(reverse("counseling:intake_accept", args=[intake.pk]), {"counselors": [profile.pk]})
    her = Client.objects.get()
    assert response["Location"] == reverse("counseling:client_detail", args=[her.pk])
    assert her.alias == "Snežana" and list(her.counselors.all()) == [profile]
    assert "060 123 4567" in her.safe_contact_instructions
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.ACCEPTED
    assert "Snežana" not in web.get(reverse("counseling:intake_queue")).content.decode()


def test_counselor_cannot_see_the_intake_queue(client, client_for, counselor):
    client.post(reverse("counseling:intake"), tokened(FORM))
    intake = IntakeRequest.objects.get()
    web = client_for(counselor)
    assert web.get(reverse("counseling:intake_queue")).status_code == 403
    assert web.post(reverse("counseling:intake_close", args=[intake.pk])).status_code == 403


def test_intake_sent_twice_is_one_request(client):
    data = tokened(FORM)
    assert client.post(reverse("counseling:intake"), data).status_code == 302
    again = client.post(reverse("counseling:intake"), data)
    assert again.status_code == 200
    assert "This form was already sent" in again.content.decode()
    assert IntakeRequest.objects.count() == 1
