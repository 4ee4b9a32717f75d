"""The admin's sidebar is written once per person and per state of what it shows (accounts.admin_sidebar):
always Wagtail's own, and a change to what it shows, through any door, on the very next page."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from wagtail.admin.templatetags import wagtailadmin_tags as wagtail_tags
from wagtail.models import GroupCollectionPermission, GroupPagePermission
from wagtail.users.models import UserProfile

from accounts import admin_sidebar
from accounts.enums import Role
from accounts.models import Profile

SIDEBAR = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">.*?</script>', re.S)


@pytest.fixture
def written(monkeypatch):
    """How many times Wagtail wrote the sidebar."""
    calls = []
    wagtails = wagtail_tags.sidebar_props

    def counted(context):
        calls.append(context["request"].path)
        return wagtails(context)

    monkeypatch.setattr(wagtail_tags, "sidebar_props", counted)
    return calls


def _shown(admin, url_name="wagtailadmin_home"):
    return SIDEBAR.search(admin(reverse(url_name)).text).group(0)


def _wagtails_own(user, language="en"):
    """The sidebar as Wagtail writes it for her, from the database as it is now."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(pk=user.pk)
    with translation.override(language):
        return str(wagtail_tags.sidebar_props({"request": request}))


def test_the_sidebar_is_wagtails_own_and_written_once_for_her_pages(admin, coordinator, written):
    first = _shown(admin)
    assert _shown(admin, "case_admin:index") == _shown(admin, "audit_log:index") == first
    assert written == [reverse("wagtailadmin_home")]
    assert first == _wagtails_own(coordinator)
    assert "Audit log" in first and "Log out" in first


def test_no_page_of_the_admin_asks_gravatar_for_her_avatar(admin):
    """A digest of a staff member's e-mail address would reach a third party with every admin page."""
    page = admin(reverse("wagtailadmin_home"))
    assert "gravatar" not in page.text.lower()
    assert "default-user-avatar" in _shown(admin)


def test_each_person_has_her_own(django_app, make_user, coordinator_permissions, written):
    one = make_user(Role.COORDINATOR, full_name="Ana Anić")
    other = make_user(Role.COORDINATOR, full_name="Vera Verić")
    get_user_model().objects.filter(pk=one.pk).update(first_name="Ana")
    get_user_model().objects.filter(pk=other.pk).update(first_name="Vera")
    home = reverse("wagtailadmin_home")
    ana = SIDEBAR.search(django_app.get(home, user=one.username).text).group(0)
    vera = SIDEBAR.search(django_app.get(home, user=other.username).text).group(0)
    assert '"name": "Ana"' in ana and '"name": "Vera"' in vera
    assert len(written) == 2


def _rename_with_sql(user):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET first_name = %s WHERE id = %s", ["Milica", user.pk])


def _superuser(user):
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=True)


def _group_permission(user):
    Group.objects.get(name=Role.COORDINATOR).permissions.add(Permission.objects.get(codename="add_site"))


def _own_permission(user):
    user.user_permissions.add(Permission.objects.get(codename="add_redirect"))


def _no_page_permissions(user):
    GroupPagePermission.objects.filter(group__user=user).delete()


def _no_collection_permissions(user):
    GroupCollectionPermission.objects.filter(group__user=user).delete()


def _tips_dismissed(user):
    profile = UserProfile.get_for_user(user)
    profile.dismissibles = {"help": True, "editor-guide": True}
    profile.save()


CHANGES = {
    "her name, in raw SQL": (_rename_with_sql, "Milica"),
    "made a superuser": (_superuser, "Users"),
    "a permission given to her group": (_group_permission, "Sites"),
    "a permission given to her": (_own_permission, "Redirects"),
    "her page permissions taken away": (_no_page_permissions, None),
    "her collection permissions taken away": (_no_collection_permissions, None),
    "the tips dismissed": (_tips_dismissed, None),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_what_it_shows_is_on_the_next_page(admin, coordinator, change):
    before = _shown(admin)
    changed, now_shown = CHANGES[change]
    changed(coordinator)
    after = _shown(admin, "case_admin:index")
    assert after != before
    assert after == _wagtails_own(coordinator)
    if now_shown:
        assert now_shown not in before
        assert now_shown in after


def test_her_language_is_on_the_next_page(django_app, admin, coordinator):
    before = _shown(admin)
    Profile.objects.filter(user=coordinator).update(preferred_language="da")
    django_app.reset()  # her next login: the session takes the language of her profile
    after = _shown(admin)
    assert after == _wagtails_own(coordinator, "da")
    assert "Log out" in before and "Log ud" in after


def test_kept_sidebars_are_few_and_written_again_after_a_while(admin, coordinator, written, monkeypatch):
    moment = [1000.0]
    monkeypatch.setattr(admin_sidebar, "_now", lambda: moment[0])
    monkeypatch.setattr(admin_sidebar, "KEPT", 1)
    _shown(admin)
    _shown(admin)
    assert len(written) == 1
    moment[0] += admin_sidebar.KEPT_SECONDS
    _shown(admin)
    assert len(written) == 2
    _rename_with_sql(coordinator)
    _shown(admin)
    assert len(written) == 3
    assert len(admin_sidebar._kept) == 1


@pytest.mark.parametrize(
    ("language", "created", "show_filters", "search", "toggle_sidebar"),
    [
        ("da", "oprettet i", "Vis filtre", "Søg…", "Vis eller skjul sidebjælken"),
        ("sr-latn", "napravljen", "Prikaži filtere", "Pretraga…", "Prikaži ili sakrij bočnu traku"),
    ],
)
def test_the_administration_is_in_her_language_with_wagtails_own_strings_too(
    admin, coordinator, language, created, show_filters, search, toggle_sidebar
):
    """Her Wagtail profile exists (Wagtail makes one as she uses the admin) and names no language of its own:
    Wagtail's screens follow hers, and its own strings that its catalogs leave in English are translated."""
    UserProfile.get_for_user(coordinator)
    Profile.objects.filter(user=coordinator).update(preferred_language=language)

    dashboard = admin(reverse("wagtailadmin_home"))
    assert dashboard.html.html["lang"] == language
    assert created in dashboard.text and "created in" not in dashboard.text
    assert "JavaScript is required" not in dashboard.text
    explorer = admin(reverse("wagtailadmin_explore_root"))
    assert "Exploring" not in explorer.text and " pages<" not in explorer.text
    account = admin(reverse("wagtailadmin_account"))
    assert not {"Approved notifications", "Admin theme", "Updated comments notifications"} & {
        " ".join(label.get_text(" ").split()).rstrip(" *") for label in account.html.select("label")
    }
    listing = admin(reverse("enrolments:index"))
    assert show_filters in listing.text and "Show filters" not in listing.text
    assert f'placeholder="{search}"' in listing.text
    # Its scripts' strings (the sidebar, the page editor) come from the admin's script catalog.
    assert json.dumps(toggle_sidebar) in admin(reverse("wagtailadmin_javascript_catalog")).text
