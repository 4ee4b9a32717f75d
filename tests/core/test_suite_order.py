"""The tests that need no database are one group, handed out first (tests/conftest.py): one worker runs them
while a first run builds the migrated template the others wait for."""

import pytest


def _groups(node):
    return [mark.args[0] for mark in node.iter_markers("xdist_group")]


def test_a_test_without_a_database_is_in_the_group_of_its_kind(request):
    assert _groups(request.node) == ["without_a_database"]
    # pytest-xdist hands the largest groups out first only with its reordering on (its default).
    assert request.config.getoption("loadscopereorder") is True


@pytest.mark.django_db
def test_a_test_marked_for_the_database_is_not(request):
    assert _groups(request.node) == []


def test_a_test_asking_for_the_database_is_not(request, db):
    assert _groups(request.node) == []
