"""Tests that read the demo data, loaded once for all of them (see package_transaction); what a module adds on
top of it goes with that module (module_transaction)."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.helpers import outer_transaction_rolled_back


@pytest.fixture(scope="package")
def package_transaction(django_db_setup, django_db_blocker):
    """As module_transaction (tests/conftest.py), around the tests of this package. No test here may be
    transactional: its live server's connection would wait for this open transaction."""
    with outer_transaction_rolled_back(django_db_blocker):
        yield


@pytest.fixture(scope="package")
def demo_loaded(package_transaction, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())
