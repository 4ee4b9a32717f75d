"""Data built once for a module (module_transaction) that reads no reference index is not indexed.

A module of its own: the data stays in the module's transaction until its last test, which no transactional
test may share."""

import datetime as dt

import pytest
from django.urls import get_resolver
from wagtail.models import ReferenceIndex

from groups.models import Cohort, GroupProgramme
from tests.helpers import REFERENCE_INDEX

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _cohort_built_for_the_module(module_transaction, django_db_blocker):
    """Data built once for a module is made before any test's own switch: the module's switch holds then."""
    with django_db_blocker.unblock():
        get_resolver().url_patterns  # noqa: B018 - the admin's viewsets register their models for the index
        programme = GroupProgramme.objects.create(name="Majke zajedno")
        return Cohort.objects.create(programme=programme, name="Kikinda", start_date=dt.date(2026, 3, 2)).pk


@pytest.mark.skipif(REFERENCE_INDEX, reason="HAVEN_TEST_REFERENCE_INDEX=1 writes it in every test")
def test_data_built_once_for_a_module_that_does_not_read_the_index_is_not_indexed(_cohort_built_for_the_module):
    assert ReferenceIndex.is_indexed(Cohort)
    assert not ReferenceIndex.objects.filter(object_id=str(_cohort_built_for_the_module)).exists()
