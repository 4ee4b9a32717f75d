import pytest

from bench import dataset

# Small enough to build in a few seconds, large enough that every benchmark finds what it measures.
SMALL = {
    "cohorts": 4,
    "members": 8,
    "counselors": 4,
    "bookings": 40,
    "editions": 10,
    "trainees": 60,
    "attendance_rows": 2000,
}


@pytest.fixture
def small_dataset(db, monkeypatch, settings):
    monkeypatch.setattr(dataset, "SIZES", SMALL)
    settings.ROOT_URLCONF = "bench.urls"  # as `make bench` serves it: the site and the floor page
    return dataset.dataset_ensure()
