import pytest

from bench import bench_counseling
from bench.harness import Measurement

pytestmark = pytest.mark.django_db


def test_bench_slot_finder_for_20_counselors_over_4_weeks_runs_constant_queries(django_assert_max_num_queries):
    bench_counseling._data()  # the same data the benchmark builds
    captured = {}

    def fake_measure(name, func, runs=5, note=""):
        with django_assert_max_num_queries(5):
            captured["slots"] = func()
        return Measurement(name, 0.0, 0, 0, runs, note)

    (measurement,) = bench_counseling.run(fake_measure)
    assert "20 counselors x 28 days" in measurement.name
    assert len(captured["slots"]) > 500
