"""Rate limits and no account enumeration on sign-up, login and password reset."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-pass"


def _errors(response):
    return sorted(str(e) for e in response.context["form"].non_field_errors())


def test_failed_logins_are_throttled_even_with_the_right_password_afterwards(client, trainee):
    for _attempt in range(5):
        response = client.post(reverse("account_login"), {"login": trainee.email, "password": "wrong-password-1"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": trainee.email, "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated
    assert any("Too many" in error for error in _errors(response))


def test_wagtail_admin_login_is_allauths_throttled_login(client, coordinator):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for _attempt in range(5):
        client.post(response["Location"], {"login": coordinator.email, "password": "wrong-password-1"})
    blocked = client.post(response["Location"], {"login": coordinator.email, "password": PASSWORD})
    assert not blocked.wsgi_request.user.is_authenticated
    # Wagtail's own login form is not reachable by any other path.
    assert client.post("/admin/login/", {"username": coordinator.email, "password": PASSWORD}).status_code == 302
    assert not client.get("/admin/").wsgi_request.user.is_authenticated


def test_password_reset_is_throttled(client, trainee):
    for _attempt in range(5):
        client.post(reverse("account_reset_password"), {"email": trainee.email})
    sent = len(mail.outbox)
    response = client.post(reverse("account_reset_password"), {"email": trainee.email})
    assert len(mail.outbox) == sent
    assert response.status_code in (200, 429)


def test_login_errors_do_not_tell_whether_the_account_exists(client, trainee):
    known = client.post(reverse("account_login"), {"login": trainee.email, "password": "wrong-password-1"})
    unknown = client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "wrong-password-1"})
    assert known.status_code == unknown.status_code == 200
    assert _errors(known) == _errors(unknown)
    assert _errors(known)


def test_password_reset_answers_the_same_for_unknown_addresses(client, trainee):
    known = client.post(reverse("account_reset_password"), {"email": trainee.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page_known = client.get(known["Location"]).content.decode()
    page_unknown = client.get(unknown["Location"]).content.decode()

    def strip_tokens(html):
        return re.sub(r'value="[^"]{20,}"', "", html)

    assert strip_tokens(page_known) == strip_tokens(page_unknown)


def test_sign_up_with_a_taken_address_looks_like_a_new_sign_up(client, trainee):
    data = {
        "password1": "Sunflower-Harbour-91",
        "password2": "Sunflower-Harbour-91",
        "full_name": "Nevena Ilić",
        "organisation": "Safe House",
        "job_title": "Counselor",
        "municipality": "Niš",
        "preferred_language": "en",
    }
    users_before = get_user_model().objects.count()
    taken = client.post(reverse("account_signup"), {**data, "email": trainee.email})
    client.cookies.clear()
    fresh = client.post(reverse("account_signup"), {**data, "email": "fresh.person@example.org"})
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert get_user_model().objects.count() == users_before + 1
    assert not get_user_model().objects.filter(email=trainee.email).exclude(pk=trainee.pk).exists()


@pytest.mark.parametrize("password", ["short1", "password123", "1234567890123", "example.org-user"])
def test_weak_passwords_are_refused_at_sign_up(client, password):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "weak@example.org",
            "password1": password,
            "password2": password,
            "full_name": "Weak Password",
            "organisation": "NGO",
            "job_title": "Worker",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="weak@example.org").exists()
