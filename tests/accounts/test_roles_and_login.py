import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.enums import Role
from accounts.roles import has_role, user_roles

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_with_email_and_reaches_its_home(client, make_user, role):
    user = make_user(role, email=f"{role.value.replace(' ', '').lower()}@example.org", password="a-long-test-pass")
    response = client.post(reverse("account_login"), {"login": user.email, "password": "a-long-test-pass"}, follow=True)
    assert response.status_code == 200
    assert response.resolver_match.view_name == "home"
    assert response.wsgi_request.user == user
    assert has_role(user, role)


def test_wrong_password_does_not_log_in(client, make_user):
    user = make_user(Role.TRAINEE)
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-x"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize("url_name", ["home", "accounts:profile", "mfa_index", "account_change_password"])
def test_anonymous_users_are_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_coordinator_reaches_wagtail_admin_and_others_do_not(client_for, coordinator, make_user):
    assert client_for(coordinator).get("/admin/").status_code == 200
    for role in [Role.FACILITATOR, Role.COUNSELOR, Role.TRAINER, Role.PROJECT_MANAGER, Role.TRAINEE]:
        client = client_for(make_user(role))
        response = client.get("/admin/")
        assert response.status_code in (302, 403), role


def test_wagtail_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sign_up_makes_a_trainee_with_profile_and_sends_verification(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.trainee@example.org",
            "password1": "Sunflower-Harbour-91",
            "password2": "Sunflower-Harbour-91",
            "full_name": "  Ivana   Marković ",
            "organisation": "Centre for Social Work",
            "job_title": "Psychologist",
            "municipality": "Subotica",
            "preferred_language": "sr-latn",
        },
    )
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email="new.trainee@example.org")
    assert user_roles(user) == {Role.TRAINEE}
    assert user.profile.full_name == "Ivana Marković"
    assert user.profile.preferred_language == "sr-latn"
    assert len(mail.outbox) == 1
    assert "new.trainee@example.org" in mail.outbox[0].to


def test_sign_up_with_bad_input_saves_nothing(client):
    from django.contrib.auth import get_user_model

    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "password1": "short", "password2": "other", "full_name": "", "job_title": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not get_user_model().objects.exists()


def test_profile_edit_saves_and_confirms(client_for, trainee):
    client = client_for(trainee)
    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": "Marija Nikolić",
            "organisation": "NGO Sigurna",
            "job_title": "Lawyer",
            "municipality": "Niš",
            "preferred_language": "da",
        },
        follow=True,
    )
    assert response.status_code == 200
    trainee.profile.refresh_from_db()
    assert trainee.profile.full_name == "Marija Nikolić"
    assert any("saved" in str(m) for m in response.context["messages"])


def test_navigation_shows_each_role_its_own_places(client_for, make_user):
    from accounts.navigation import nav_entries_for

    trainee_entries = {e["name"] for e in nav_entries_for(make_user(Role.TRAINEE))}
    coordinator_entries = {e["name"] for e in nav_entries_for(make_user(Role.COORDINATOR))}
    assert "wagtailadmin_home" in coordinator_entries
    assert "wagtailadmin_home" not in trainee_entries


def test_coordinators_permissions_are_put_back_whole_by_a_sync_that_adds_only_what_is_missing(
    django_assert_max_num_queries,
):
    from django.contrib.auth.models import Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    from accounts.roles import COORDINATOR_APPS, role_permissions_sync

    coordinator = Group.objects.get(name=Role.COORDINATOR)
    domain = Permission.objects.filter(content_type__app_label__in=COORDINATOR_APPS)
    admin = Permission.objects.filter(content_type__app_label__in=["wagtailadmin", "wagtailsettings", "accounts"])
    audit = Permission.objects.filter(content_type__app_label="audit")
    log_written = audit.filter(codename__in=["add_auditentry", "change_auditentry", "delete_auditentry"])
    pages = Permission.objects.filter(
        content_type__app_label="wagtailcore",
        codename__in=["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    )
    files = Permission.objects.filter(
        content_type__model__in=["document", "image"], codename__regex=r"^(add|change|choose|delete)_(document|image)$"
    )
    # Lost since migrate: a domain permission, a page permission and an image permission.
    coordinator.permissions.remove(domain.first())
    GroupPagePermission.objects.filter(group=coordinator, permission__codename="publish_page").delete()
    GroupCollectionPermission.objects.filter(group=coordinator, permission__codename="choose_image").delete()

    role_permissions_sync()

    held = set(coordinator.permissions.all())
    assert held >= set(domain) | set(admin)
    assert held & set(audit) == set(audit) - set(log_written)  # the log is read, never written
    root = Page.objects.get(depth=1)
    assert set(Permission.objects.filter(grouppagepermission__group=coordinator, grouppagepermission__page=root)) == (
        set(pages)
    )
    assert set(
        Permission.objects.filter(
            groupcollectionpermission__group=coordinator,
            groupcollectionpermission__collection=Collection.get_first_root_node(),
        )
    ) == set(files)
    counts = (
        coordinator.permissions.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
    )
    with django_assert_max_num_queries(12):
        role_permissions_sync()
    assert (
        coordinator.permissions.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
    ) == counts


def test_the_signed_in_message_is_in_her_language_when_the_login_page_was_not(django_app, make_user):
    from django.utils import translation

    from accounts.models import Profile
    from tests.helpers import login_form

    user = make_user(Role.TRAINEE)
    Profile.objects.filter(user=user).update(preferred_language="da")
    page = django_app.get(reverse("account_login"))
    assert page.html.html["lang"] == "en"
    form = login_form(page)
    form["login"] = user.email
    form["password"] = "a-long-test-pass"
    page = form.submit().maybe_follow()
    assert page.html.html["lang"] == "da"
    with translation.override("da"):
        greeting = translation.gettext("Successfully signed in as %(name)s.") % {"name": user.email}
    assert not greeting.startswith("Successfully")  # allauth has it in Danish, so this test can fail
    assert greeting in page.text
    assert "Successfully signed in" not in page.text
