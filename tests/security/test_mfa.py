import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import override_settings
from django.urls import reverse

from accounts.enums import Role
from tests.helpers import log_in_through_the_login_page, python_run, totp_activate, totp_code

pytestmark = pytest.mark.django_db

STAFF = [Role.COORDINATOR, Role.COUNSELOR, Role.FACILITATOR]
NOT_STAFF = [Role.TRAINER, Role.PROJECT_MANAGER, Role.TRAINEE]


@pytest.fixture(autouse=True)
def _mfa_required():
    with override_settings(HAVEN_REQUIRE_STAFF_MFA=True):
        yield


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_authenticator_are_sent_to_set_one_up(client_for, make_user, role):
    client = client_for(make_user(role))
    for url in [reverse("home"), reverse("accounts:profile"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp")), url
    # The set-up page (and allauth's re-authentication before it) stays reachable: no redirect loop.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.resolver_match.url_name in {"mfa_activate_totp", "account_reauthenticate"}


@pytest.mark.parametrize("role", NOT_STAFF)
def test_other_roles_are_not_forced(client_for, make_user, role):
    assert client_for(make_user(role)).get(reverse("home")).status_code == 200


def test_staff_with_an_authenticator_go_on_once_this_session_passed_it(client_for, counselor):
    from accounts.middleware import session_record_mfa

    totp_activate(counselor)
    client = client_for(counselor)
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_reauthenticate"))
    session = client.session
    session_record_mfa(session, counselor)
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_staff_with_an_authenticator_must_give_the_code_at_login(client, counselor):
    secret = totp_activate(counselor)
    response = client.post(reverse("account_login"), {"login": counselor.email, "password": "a-long-test-pass"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not logged in yet

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert Authenticator.objects.filter(user=counselor).exists()


def test_mfa_is_required_outside_tests_by_default():
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HAVEN_"))}
    result = python_run(
        "from django.conf import settings; print(settings.HAVEN_REQUIRE_STAFF_MFA)",
        env={**env, "DJANGO_SETTINGS_MODULE": "website.settings"},
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stderr


def _code_form(page):
    """The form of a page that asks for the authenticator's code, as WebTest got it."""
    return next(form for form in page.forms.values() if "code" in form.fields)


def _code_sent(page, secret=None):
    """The authenticator's code typed into the page's code form and sent; the page she is sent on to. Without
    `secret`, the code of the authenticator the page itself offers to set up."""
    form = _code_form(page)
    form["code"] = totp_code(secret or page.html.find(id="authenticator_secret")["value"])
    return form.submit().maybe_follow()


# Transactional: the set-up's record that this session has passed the second factor is written once the
# authenticator is committed, as in a real request.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", STAFF)
def test_staff_set_up_their_authenticator_right_after_login_without_typing_the_password_again(
    django_app, make_user, role
):
    user = make_user(role)
    page = log_in_through_the_login_page(django_app, user)
    assert page.request.path == reverse("mfa_activate_totp")
    assert "please set up an authenticator app" in page.text

    page = _code_sent(page)
    assert page.request.path == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert django_app.get(reverse("home")).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("going_to", ["wagtailadmin_home", "home"])
def test_after_setting_up_her_authenticator_and_seeing_her_codes_she_goes_on_to_where_she_was_going(
    django_app, coordinator, going_to
):
    going_to = reverse(going_to)
    page = log_in_through_the_login_page(django_app, coordinator, next_url=going_to)
    assert page.request.path == reverse("mfa_activate_totp")
    page = _code_sent(page)

    assert page.request.path == reverse("mfa_view_recovery_codes")
    assert page.html.find(id="recovery_codes") is not None  # the codes first, then the way on
    page = page.click(description="Continue", href=re.escape(going_to))
    assert page.status_code == 200
    assert page.request.path == going_to


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_way_on_after_the_codes_never_leaves_the_site(django_app, coordinator, elsewhere):
    log_in_through_the_login_page(django_app, coordinator)
    page = django_app.get(reverse("mfa_activate_totp"), {"next": elsewhere})
    action = _code_form(page).action
    assert "evil" not in action and "javascript" not in action
    page = _code_sent(page)
    assert page.request.path == reverse("mfa_view_recovery_codes")
    assert not page.html.find("a", string=re.compile("Continue"))

    page = django_app.get(reverse("mfa_view_recovery_codes"), {"next": elsewhere})
    assert page.html.find(id="recovery_codes") is not None
    links = [link["href"] for link in page.html.find_all("a", href=True)]
    assert not [link for link in links if "evil" in link or link.startswith("javascript")], links


def test_her_password_is_asked_again_when_her_login_is_older_than_allauths_timeout(django_app, counselor, time_machine):
    from allauth.account import app_settings

    from core import dates

    log_in_through_the_login_page(django_app, counselor)
    time_machine.move_to(dates.now() + timedelta(seconds=app_settings.REAUTHENTICATION_TIMEOUT + 1))
    page = django_app.get(reverse("mfa_activate_totp")).maybe_follow()
    assert page.request.path == reverse("account_reauthenticate")
    assert not Authenticator.objects.filter(user=counselor).exists()


def test_a_session_made_without_the_login_page_is_asked_for_the_password(client_for, counselor):
    response = client_for(counselor).get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_turning_off_an_authenticator_still_asks_again_right_after_login(django_app, counselor):
    secret = totp_activate(counselor)
    page = log_in_through_the_login_page(django_app, counselor)
    assert page.request.path == reverse("mfa_authenticate")
    _code_sent(page, secret)
    # She has passed both factors moments ago; a change to the second factor is asked for again all the same.
    page = django_app.get(reverse("mfa_deactivate_totp")).maybe_follow()
    assert page.request.path in (reverse("account_reauthenticate"), reverse("mfa_reauthenticate"))
    assert Authenticator.objects.filter(user=counselor, type=Authenticator.Type.TOTP).exists()
