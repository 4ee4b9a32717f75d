"""The permission matrix and the forms found on its pages read one world and one visit of every page as every
role, made once for both. Each made its own: the demo data loaded twice, and the forms' pages asked again after
the matrix had asked for them (49 CPU-seconds for the two in one process, 37 now)."""

import pytest

from tests.helpers import package_transaction_fixture, users_maker
from tests.security.matrix import every_page_visited
from tests.security.matrix_world import world_build

package_transaction = package_transaction_fixture()


@pytest.fixture(scope="package")
def every_page(package_transaction, django_db_blocker):
    with django_db_blocker.unblock():
        return every_page_visited(world_build(users_maker()))
