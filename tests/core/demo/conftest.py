"""Tests that read the demo data, loaded once for all of them (see package_transaction); what a module adds on
top of it goes with that module (module_transaction)."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.helpers import package_transaction_fixture

package_transaction = package_transaction_fixture()


@pytest.fixture(scope="package")
def demo_loaded(package_transaction, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())
