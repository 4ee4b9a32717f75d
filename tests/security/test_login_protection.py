"""Rate limits and no account enumeration on sign-up, login and password reset."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
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


def _login_from(client, address, login, password="wrong-password-1"):
    """A login form post that reached Haven through the proxy on 127.0.0.1 for the visitor at `address`."""
    return client.post(
        reverse("account_login"),
        {"login": login, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_one_visitors_failures_behind_the_proxy_do_not_block_another_visitor(client, make_user):
    """Behind the reverse proxy everyone arrives from the proxy's address: throttling must count the
    visitor's own address, or ten failures from one person lock everybody out."""
    from django.test import Client

    victim = make_user(None, email="victim@example.org")
    attacker = Client()
    for n in range(12):
        _login_from(attacker, "203.0.113.66", f"guess{n}@example.org")
    blocked = _login_from(attacker, "203.0.113.66", "guess99@example.org")
    assert any("Too many" in error for error in _errors(blocked))  # her own address is throttled

    response = _login_from(client, "198.51.100.7", victim.email, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == victim


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_an_account_is_throttled_whatever_address_the_guesses_come_from(client, trainee):
    for n in range(5):
        _login_from(client, f"203.0.113.{n}", trainee.email)
    response = _login_from(client, "198.51.100.9", trainee.email, PASSWORD)
    assert not response.wsgi_request.user.is_authenticated
    assert any("Too many" in error for error in _errors(response))


def test_without_a_configured_proxy_a_forged_header_does_not_escape_the_limit(client):
    for n in range(10):
        _login_from(client, f"203.0.113.{n}", f"guess{n}@example.org")
    blocked = _login_from(client, "203.0.113.200", "guess99@example.org")
    assert any("Too many" in error for error in _errors(blocked))
