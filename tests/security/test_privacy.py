import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.enums import Role
from accounts.models import Profile

pytestmark = pytest.mark.django_db


def test_trainee_downloads_her_own_data(client_for, trainee, make_user):
    other = make_user(Role.TRAINEE, full_name="Someone Else")
    response = client_for(trainee).get(reverse("accounts:my_data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == trainee.email
    assert data["account"]["roles"] == [Role.TRAINEE]
    profiles = data["records"]["accounts.Profile"]
    assert profiles[0]["full_name"] == trainee.profile.full_name
    assert other.email not in response.content.decode()
    assert "Someone Else" not in response.content.decode()


def test_my_data_needs_login(client):
    response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 302


def test_trainee_deletes_her_account(client, trainee):
    client.post(reverse("account_login"), {"login": trainee.email, "password": "a-long-test-pass"})
    assert client.get(reverse("accounts:delete")).status_code == 200
    response = client.post(reverse("accounts:delete"), {"password": "a-long-test-pass", "confirm": "on"})
    assert response.status_code == 302
    user = get_user_model().objects.get(pk=trainee.pk)
    assert not user.is_active
    assert user.email == "" and user.username == f"deleted-{user.pk}"
    assert not user.has_usable_password()
    assert not Profile.objects.filter(user=user).exists()
    assert not Session.objects.exists()
    assert client.get(reverse("home")).status_code == 302
    login = client.post(reverse("account_login"), {"login": trainee.email, "password": "a-long-test-pass"})
    assert not login.wsgi_request.user.is_authenticated


def test_wrong_password_deletes_nothing(client_for, trainee):
    response = client_for(trainee).post(reverse("accounts:delete"), {"password": "wrong-password", "confirm": "on"})
    assert response.status_code == 200
    trainee.refresh_from_db()
    assert trainee.is_active and trainee.email


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COUNSELOR, Role.FACILITATOR, Role.TRAINER])
def test_staff_cannot_delete_themselves(client_for, make_user, role):
    user = make_user(role)
    response = client_for(user).post(reverse("accounts:delete"), {"password": "a-long-test-pass", "confirm": "on"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active
