import pytest

from bench import dataset
from tests.helpers import package_transaction_fixture

# Small enough to build in a few seconds, large enough that every benchmark finds what it measures.
SMALL = {
    "cohorts": 4,
    "members": 8,
    "counselors": 4,
    "bookings": 40,
    "editions": 10,
    "trainees": 60,
    "attendance_rows": 2000,
    "audit_entries": 500,
}


package_transaction = package_transaction_fixture()


@pytest.fixture(scope="package")
def _small_sizes():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dataset, "SIZES", SMALL)
        yield


@pytest.fixture(scope="package")
def _small_dataset_once(_small_sizes, package_transaction, django_db_blocker):
    """Built once for the benchmarks' tests, whichever module they are in (see package_transaction): its 140
    signed certificates take seconds, which each of three modules spent again."""
    with django_db_blocker.unblock():
        return dataset.dataset_ensure().pk


@pytest.fixture
def small_dataset(_small_dataset_once, db, settings):
    from reporting.models import DonorProject

    settings.ROOT_URLCONF = "bench.urls"  # as `make bench` serves it: the site and the floor page
    return DonorProject.objects.get(pk=_small_dataset_once)
