"""One login door (allauth) and the second factor in every staff session, tried through every login URL.

Each attack of the report is reproduced: Wagtail's private-page login under every language prefix, the
admin's own login and password reset, a session that only ever gave a password, unconfirmed sign-ups,
Wagtail's default groups, and the admin's redirect loop for people who may not use it.
"""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.enums import Role
from core import dates
from tests.helpers import totp_activate, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-pass"
STAFF = [Role.COORDINATOR, Role.COUNSELOR, Role.FACILITATOR]
NOT_COORDINATORS = [Role.COUNSELOR, Role.FACILITATOR, Role.TRAINER, Role.PROJECT_MANAGER, Role.TRAINEE]
WAGTAIL_LOGINS = ["/_util/login/", "/da/_util/login/", "/sr-latn/_util/login/", "/admin/login/"]
SAFETY_PLAN_TEXT = "Spare keys are with her neighbour"


@pytest.fixture(autouse=True)
def _mfa_required():
    with override_settings(HAVEN_REQUIRE_STAFF_MFA=True):
        yield


@pytest.fixture
def safety_plan_url(make_user):
    """A case whose safety plan holds text, led by a counselor; coordinators see every case."""
    from cases import services
    from counseling.enums import SessionKind
    from counseling.models import Client, CounselorProfile

    def _make(lead):
        profile, _created = CounselorProfile.objects.get_or_create(
            user=lead, defaults={"trained_for_violence": True, "session_kinds": [SessionKind.CASE_BASED]}
        )
        client = Client.objects.create(alias="Zorica", code="T-DOOR-1")
        client.counselors.add(profile)
        case = services.case_open(
            client=client, lead_counselor=profile, opened_on=dates.today() - dt.timedelta(days=3), by=lead
        )
        services.safety_plan_save(case=case, sections={"safe_places": SAFETY_PLAN_TEXT}, expected_version=0, by=lead)
        return reverse("cases:safety_plan", args=[case.pk])

    return _make


@pytest.mark.parametrize("url", WAGTAIL_LOGINS)
def test_wagtails_login_forms_are_allauths(client, counselor, url):
    response = client.get(f"{url}?next=/cases/1/safety-plan/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert (
        "next=%2Fcases%2F1%2Fsafety-plan%2F" in response["Location"]
        or "next=/cases/1/safety-plan/" in (response["Location"])
    )
    # Posting a password to the old form logs nobody in.
    client.post(url, {"username": counselor.email, "password": PASSWORD})
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_the_admins_password_reset_is_allauths(client, coordinator):
    for url in ("/admin/password_reset/", "/admin/password_reset/done/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reset_password"))
    client.post("/admin/password_reset/", {"email": coordinator.email})
    assert mail.outbox == []


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("url", WAGTAIL_LOGINS)
def test_no_staff_role_reaches_a_safety_plan_through_any_login_url_without_the_code(
    client, make_user, safety_plan_url, role, url
):
    user = make_user(role)
    secret = totp_activate(user)
    lead = user if role == Role.COUNSELOR else make_user(Role.COUNSELOR)
    target = safety_plan_url(lead)

    login_page = client.get(f"{url}?next={target}", follow=True)
    assert login_page.resolver_match.url_name == "account_login"
    login_form = login_page.redirect_chain[-1][0]
    response = client.post(login_form, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    page = client.get(target)
    assert page.status_code == 302
    assert SAFETY_PLAN_TEXT not in page.content.decode()
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == target
    page = client.get(target)
    if role == Role.FACILITATOR:
        assert page.status_code == 404  # her role never sees a case, with or without the code
    else:
        assert page.status_code == 200
        assert SAFETY_PLAN_TEXT in page.content.decode()


@pytest.mark.parametrize("role", STAFF)
def test_a_session_that_gave_only_a_password_is_asked_for_the_code_everywhere(client, make_user, safety_plan_url, role):
    """Any door that logs in with a password alone (an old session, a login form found tomorrow) meets
    the same check on every URL: having an authenticator is not having entered its code."""
    user = make_user(role)
    secret = totp_activate(user)
    lead = user if role == Role.COUNSELOR else make_user(Role.COUNSELOR)
    target = safety_plan_url(lead)
    client.force_login(user)
    for url in (target, reverse("home"), "/admin/", "/admin/pages/", reverse("accounts:profile")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_reauthenticate")), url
        assert SAFETY_PLAN_TEXT not in response.content.decode()

    page = client.get(response["Location"])
    assert page.status_code == 200
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    if role == Role.COORDINATOR:
        assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", STAFF)
def test_a_wrong_code_lets_nobody_in_and_is_recorded(client, make_user, role):
    from audit.enums import AuditAction
    from audit.selectors import audit_security_events_for

    user = make_user(role)
    totp_activate(user)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
    assert audit_security_events_for(user).filter(action=AuditAction.MFA_FAILED).exists()


@pytest.mark.django_db(transaction=True)
def test_setting_up_the_authenticator_counts_as_passing_it_for_this_session(client, counselor):
    client.post(reverse("account_login"), {"login": counselor.email, "password": PASSWORD})
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    page = client.get(response["Location"])
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_unconfirmed_sign_ups_cannot_log_in_through_any_door(client, make_user):
    user = make_user(None, email="unconfirmed@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    for url in [*WAGTAIL_LOGINS, reverse("account_login")]:
        client.post(url, {"username": user.email, "login": user.email, "password": PASSWORD}, follow=True)
        assert not client.get(reverse("home")).wsgi_request.user.is_authenticated, url


def test_wagtails_default_groups_are_gone():
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()


def logged_in_past_the_second_factor(client, user):
    from accounts.middleware import session_record_mfa

    client.force_login(user)
    session = client.session
    session_record_mfa(session, user)
    session.save()
    return client


@pytest.mark.parametrize("role", NOT_COORDINATORS)
def test_the_admin_gives_other_roles_a_clear_page_not_a_loop(client, make_user, role):
    client = logged_in_past_the_second_factor(client, make_user(role))
    for url in ("/admin/", "/admin/pages/", "/admin/audit_log/", "/admin/account/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "The administration is for coordinators" in response.content.decode()
    # A Django permission given by mistake does not open it either: only the coordinator's rule does.
    from django.contrib.auth.models import Permission

    user = make_user(role)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert logged_in_past_the_second_factor(client, user).get("/admin/").status_code == 403


def test_the_refusal_is_in_her_language(client_for, trainee):
    from accounts.models import Profile

    Profile.objects.filter(user=trainee).update(preferred_language="da")
    response = client_for(trainee).get("/admin/")
    assert response.status_code == 403
    assert "Administrationen er for koordinatorer" in response.content.decode()


def test_anonymous_visitors_of_the_admin_go_to_allauths_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
