import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.enums import Role
from accounts.middleware import SESSION_SEEN, SESSION_STARTED

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-pass"


def _login(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _age_session(client, **offsets):
    session = client.session
    for key, seconds in offsets.items():
        session[key] = int(time.time()) - seconds
    session.save()


def test_login_gives_a_new_session_id(client, trainee):
    session = client.session
    session["before"] = "login"
    session.save()
    client.cookies["sessionid"] = session.session_key
    before = session.session_key
    _login(client, trainee)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_the_session_cookie_dies_with_the_browser(client, trainee):
    _login(client, trainee)
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("role", "idle_ok", "idle_expired"),
    [(Role.FACILITATOR, 14 * 60, 16 * 60), (Role.TRAINEE, 59 * 60, 61 * 60)],
)
def test_idle_time_out_is_shorter_for_staff(client, make_user, role, idle_ok, idle_expired):
    user = make_user(role)
    _login(client, user)
    _age_session(client, **{SESSION_SEEN: idle_ok})
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, **{SESSION_SEEN: idle_expired})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("role", "logged_in_ago", "still_in"),
    [
        (Role.COUNSELOR, 4 * 3600 - 60, True),
        (Role.COUNSELOR, 4 * 3600 + 60, False),
        (Role.TRAINEE, 4 * 3600 + 60, True),
        (Role.TRAINEE, 8 * 3600 + 60, False),
    ],
)
def test_absolute_time_out_is_shorter_for_staff(client, make_user, role, logged_in_ago, still_in):
    _login(client, make_user(role))
    _age_session(client, **{SESSION_STARTED: logged_in_ago, SESSION_SEEN: 30})  # active half a minute ago
    response = client.get(reverse("home"))
    if still_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_page_view_does_not_write_the_session_each_time(client, trainee):
    _login(client, trainee)
    client.get(reverse("home"))
    seen = client.session[SESSION_SEEN]
    client.get(reverse("home"))
    assert client.session[SESSION_SEEN] == seen


def test_private_pages_are_never_cached(client_for, trainee):
    response = client_for(trainee).get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_logout_clears_the_browser_and_back_shows_nothing(client, trainee):
    _login(client, trainee)
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    after = client.get(reverse("home"))
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("account_login"))


def test_deactivating_an_account_ends_all_its_sessions(client, client_factory, trainee, make_user):
    bystander = make_user(Role.TRAINEE)
    laptop, phone, other = client, client_factory(), client_factory()
    _login(laptop, trainee)
    _login(phone, trainee)
    _login(other, bystander)
    assert Session.objects.count() == 3

    trainee.is_active = False
    trainee.save()

    assert Session.objects.count() == 1
    for device in (laptop, phone):
        assert device.get(reverse("home")).status_code == 302
    assert other.get(reverse("home")).status_code == 200


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client
