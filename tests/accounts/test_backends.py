"""After the rules said no, a name no permission row carries is not asked further (accounts/backends.py):
the answers stay the same, the two queries for her permission rows go. Her permission rows, when they are
asked, come in one query compiled once, the same set as Django's model backend reads."""

import pytest
import rules
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts.backends import PermissionsInOneQueryBackend, RuleNamesEndHereBackend, model_permission_names
from accounts.enums import Role
from accounts.roles import role_grant, user_roles

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The person as a request loads her: nothing about her roles or permissions cached yet."""
    return get_user_model().objects.get(pk=user.pk)


def test_the_names_are_those_of_the_permission_rows_migrate_made():
    rows = set(Permission.objects.values_list("content_type__app_label", "codename"))
    assert model_permission_names() == {f"{app_label}.{codename}" for app_label, codename in rows}


def test_a_rule_that_says_no_costs_her_roles_only(make_user, django_assert_num_queries):
    trainer = _fresh(make_user(Role.TRAINER))
    with django_assert_num_queries(1):  # her roles, which the rule asks; not her permission rows
        assert not trainer.has_perm("trainings.manage_all_editions")
        assert not trainer.has_perm("trainings.close_edition")
    assert not trainer.has_perm("trainings.no_such_rule")


def test_the_rules_still_say_yes(make_user):
    coordinator, trainer = _fresh(make_user(Role.COORDINATOR)), _fresh(make_user(Role.TRAINER))
    assert coordinator.has_perm("trainings.manage_all_editions")
    assert trainer.has_perm("trainings.view_trainer_pages")


def test_model_permissions_are_still_granted_through_her_groups_and_to_her_alone(make_user):
    coordinator, trainer = _fresh(make_user(Role.COORDINATOR)), make_user(Role.TRAINER)
    assert not rules.perm_exists("groups.change_cohort")  # a model permission only
    assert coordinator.has_perm("groups.change_cohort")
    assert coordinator.has_perm("wagtailadmin.access_admin")
    assert not _fresh(trainer).has_perm("groups.change_cohort")
    trainer.user_permissions.add(Permission.objects.get(content_type__app_label="groups", codename="change_cohort"))
    assert _fresh(trainer).has_perm("groups.change_cohort")


def test_a_name_both_a_rule_and_a_model_permission_is_still_asked_of_the_permission_rows(make_user):
    """`cases.view_case` is a rule (on a case) and a model permission (the admin's, without one): a permission
    row of that name, given to her alone, still says yes where the rule says no."""
    trainee = make_user(Role.TRAINEE)
    assert rules.perm_exists("cases.view_case")
    assert not _fresh(trainee).has_perm("cases.view_case")
    trainee.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="view_case"))
    assert _fresh(trainee).has_perm("cases.view_case")


def test_it_signs_no_one_in(client, make_user):
    assert RuleNamesEndHereBackend().authenticate(None, username="anyone", password="anything") is None
    assert not hasattr(RuleNamesEndHereBackend, "get_user")
    client.force_login(make_user(Role.TRAINER))
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert settings.AUTHENTICATION_BACKENDS.index("accounts.backends.RuleNamesEndHereBackend") == 1


def _django_permissions(user):
    """What Django's model backend alone answers for her, on a fresh copy (nothing cached)."""
    return ModelBackend().get_all_permissions(_fresh(user))


def test_her_permissions_in_one_query_are_django_s_own(make_user, django_assert_num_queries):
    coordinator, trainer, nobody = make_user(Role.COORDINATOR), make_user(Role.TRAINER), make_user()
    given = Permission.objects.get(content_type__app_label="groups", codename="change_cohort")
    trainer.user_permissions.add(given)
    coordinator.user_permissions.add(given)  # hers twice: through her group and to her alone
    for person in (coordinator, trainer, nobody):
        fresh = _fresh(person)
        with django_assert_num_queries(1):
            found = fresh.get_all_permissions()
            assert fresh.has_perm("groups.change_cohort") == (person != nobody)
            fresh.has_module_perms("groups")
        assert found == _django_permissions(person)
        assert found == PermissionsInOneQueryBackend().get_all_permissions(_fresh(person))
    assert len(_django_permissions(coordinator)) > 100
    assert _django_permissions(trainer) == {"groups.change_cohort"}
    assert _django_permissions(nobody) == set()


def test_a_permission_taken_away_through_any_door_is_gone_on_her_next_request(make_user):
    coordinator = make_user(Role.COORDINATOR)
    assert _fresh(coordinator).has_perm("groups.change_cohort")
    Group.permissions.through.objects.filter(
        group__name=Role.COORDINATOR, permission__codename="change_cohort"
    ).delete()  # the ORM's bulk delete: no signal, nothing told
    assert not _fresh(coordinator).has_perm("groups.change_cohort")
    assert _fresh(coordinator).has_perm("groups.view_cohort")
    coordinator.groups.clear()
    assert _fresh(coordinator).get_all_permissions() == set()


def test_no_permission_for_someone_inactive_and_every_one_for_a_superuser(make_user):
    coordinator = make_user(Role.COORDINATOR)
    get_user_model().objects.filter(pk=coordinator.pk).update(is_active=False)
    assert _fresh(coordinator).get_all_permissions() == set()
    assert not _fresh(coordinator).has_perm("groups.change_cohort")
    root = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-pass")
    assert PermissionsInOneQueryBackend().get_all_permissions(_fresh(root)) == set()  # left to Django's
    assert _fresh(root).get_all_permissions() == {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }


def test_the_one_query_backend_signs_no_one_in_and_comes_before_django_s(client, make_user):
    assert PermissionsInOneQueryBackend().authenticate(None, username="anyone", password="anything") is None
    assert not hasattr(PermissionsInOneQueryBackend, "get_user")
    backends = settings.AUTHENTICATION_BACKENDS
    assert backends.index("accounts.backends.PermissionsInOneQueryBackend") < backends.index(
        "django.contrib.auth.backends.ModelBackend"
    )
    client.force_login(make_user(Role.COORDINATOR))
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"


def test_her_roles_are_her_groups_names(make_user, django_assert_num_queries):
    coordinator = make_user(Role.COORDINATOR)
    role_grant(user=coordinator, role=Role.COUNSELOR)
    fresh = _fresh(coordinator)
    with django_assert_num_queries(1):
        assert user_roles(fresh) == {Role.COORDINATOR, Role.COUNSELOR}
    assert user_roles(fresh) == set(fresh.groups.values_list("name", flat=True))
    coordinator.groups.clear()
    assert user_roles(_fresh(coordinator)) == frozenset()
