"""Security events in the audit log, the email she gets when her password or second factor changes, her
list of sessions, long passwords and names that read as they are written."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import Profile
from accounts.services import profile_save
from audit.enums import AuditAction
from audit.selectors import audit_security_events_for
from tests.helpers import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-pass"
NEW_PASSWORD = "Sunflower-Harbour-Lantern-7"


def _events(user, action):
    return audit_security_events_for(user).filter(action=action)


def _login(client, user, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": user.email, "password": password}, **extra)


def test_login_and_failed_login_are_recorded_with_the_visitors_address(client, trainee):
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        _login(client, trainee, "wrong-password-1", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
        _login(client, trainee, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    failed = _events(trainee, AuditAction.LOGIN_FAILED).get()
    assert failed.actor is None and failed.ip_address == "203.0.113.9"
    assert "wrong-password" not in failed.detail
    login = _events(trainee, AuditAction.LOGIN).get()
    assert login.actor == trainee and login.ip_address == "203.0.113.9"


def test_a_failed_login_for_nobody_keeps_nothing_typed(client):
    from audit.models import AuditEntry

    client.post(reverse("account_login"), {"login": "nobody.here@example.org", "password": "my-secret-pass"})
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.object_id == "" and entry.actor is None
    assert "nobody.here" not in str(entry.__dict__) and "my-secret" not in str(entry.__dict__)


def test_logout_ends_the_session_on_record(client, trainee):
    _login(client, trainee)
    client.post(reverse("account_logout"))
    assert _events(trainee, AuditAction.SESSION_ENDED).filter(detail="logged out").exists()


def test_a_refused_page_is_recorded(client_for, trainee):
    assert client_for(trainee).get(reverse("counseling:client_list")).status_code == 403
    denied = _events(trainee, AuditAction.ACCESS_DENIED).get()
    assert denied.detail == reverse("counseling:client_list")


@pytest.mark.parametrize(("language", "expected"), [("da", "Din adgangskode"), ("sr-latn", "lozink")])
def test_a_password_change_is_recorded_and_told_to_her_in_her_language(client, trainee, language, expected):
    Profile.objects.filter(user=trainee).update(preferred_language=language)
    _login(client, trainee)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _events(trainee, AuditAction.PASSWORD_CHANGED).exists()
    (message,) = [m for m in mail.outbox if m.to == [trainee.email]]
    assert expected.lower() in (message.subject + message.body).lower()
    # Nothing in the subject tells a person reading over her shoulder what this organisation does.
    for word in ("Haven", "violence", "counsel", "case", "survivor"):
        assert word.lower() not in message.subject.lower()


@pytest.mark.django_db(transaction=True)
def test_a_second_factor_change_is_recorded_and_told_to_her(client, counselor):
    _login(client, counselor)
    page = client.get(reverse("mfa_activate_totp"))
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(page.context["form"].secret)})
    assert _events(counselor, AuditAction.MFA_CHANGED).filter(detail="totp added").exists()
    assert any(m.to == [counselor.email] for m in mail.outbox)


def test_she_sees_her_sessions_and_ends_the_others(client, trainee):
    from django.test import Client

    other_browser = Client()
    _login(other_browser, trainee, HTTP_USER_AGENT="Other phone")
    _login(client, trainee, HTTP_USER_AGENT="This laptop")
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert "Other phone" in page.content.decode()
    client.post(reverse("usersessions_list"), {"action": "logout"})
    assert not other_browser.get(reverse("home")).wsgi_request.user.is_authenticated
    assert client.get(reverse("home")).status_code == 200
    assert _events(trainee, AuditAction.SESSION_ENDED).filter(detail="ended from her session list").exists()


def test_her_profile_links_her_sessions(client_for, trainee):
    assert reverse("usersessions_list") in client_for(trainee).get(reverse("accounts:profile")).content.decode()


@pytest.mark.parametrize("password", ["Elevenchars", "Tiger-Lily1"])
def test_passwords_need_twelve_characters(client, trainee, password):
    _login(client, trainee)
    response = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": password, "password2": password}
    )
    assert response.status_code == 200
    trainee.refresh_from_db()
    assert trainee.check_password(PASSWORD)


HIDDEN = {
    "right-to-left override": "Ana\u202eciveJ",
    "zero-width space": "Ana\u200bJović",
    "zero-width joiner": "Ana\u200dJović",
    "left-to-right isolate": "\u2066Ana Jović\u2069",
    "byte order mark": "\ufeffAna Jović",
}


@pytest.mark.parametrize("name", HIDDEN.values(), ids=HIDDEN.keys())
def test_names_refuse_hidden_characters_at_every_door(client_for, django_app, trainee, name):
    from django.core.exceptions import ValidationError

    before = Profile.objects.get(user=trainee).full_name
    # The profile page, as the browser posts it.
    page = django_app.get(reverse("accounts:profile"), user=trainee)
    form = next(form for form in page.forms.values() if "full_name" in form.fields)
    form["full_name"] = name
    response = form.submit()
    assert response.status_code == 200
    assert "visible letters" in response.text
    # The service and the ORM.
    with pytest.raises(ValidationError):
        profile_save(user=trainee, full_name=name)
    profile = Profile.objects.get(user=trainee)
    profile.full_name = name
    with pytest.raises(ValidationError):
        profile.save()
    assert Profile.objects.get(user=trainee).full_name == before


def test_sign_up_refuses_hidden_characters(client):
    from django.contrib.auth import get_user_model

    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.person@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "full_name": HIDDEN["right-to-left override"],
            "organisation": "NGO",
            "job_title": "Worker",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="new.person@example.org").exists()


def test_ordinary_names_in_every_script_are_welcome(trainee):
    for name in ("Đurđa Šćekić-Čolić", "Søren Ærø", "Ana Marija O'Neill", "Ljiljana Nikolić Ćirić"):
        assert profile_save(user=trainee, full_name=name).full_name == name
