"""After the rules said no, a name no permission row carries is not asked further (accounts/backends.py):
the answers stay the same, the two queries for her permission rows go."""

import pytest
import rules
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Permission

from accounts.backends import RuleNamesEndHereBackend, model_permission_names
from accounts.enums import Role

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
