"""Every benchmark module runs on a small data set, so that none breaks unnoticed between `make bench` runs."""

from bench import (
    bench_cases,
    bench_certificates,
    bench_counseling,
    bench_floor,
    bench_groups,
    bench_reporting,
    bench_security,
    bench_trainings,
)
from bench.harness import Measurement


def _once(name, func, runs=5, note=""):
    func()
    return Measurement(name, 0.0, 0, 0, runs, note)


def test_slot_finder_runs_constant_queries(small_dataset, django_assert_max_num_queries):
    captured = {}

    def measure(name, func, runs=5, note=""):
        if name.startswith("counseling: slot finder,"):
            # Counselors, windows, absences, rooms, and one query per run of days searched (at most five).
            with django_assert_max_num_queries(4 + 5):
                captured["slots"] = func()
        return _once(name, func, runs, note)

    names = [m.name for m in bench_counseling.run(measure)]
    assert "counseling: slot finder, 4 counselors x 28 days" in names
    assert captured["slots"]


def test_every_benchmark_module_runs_and_leaves_the_data_set_as_it_was(small_dataset, monkeypatch):
    from bench.dataset import SIZES, dataset_counts
    from certificates.models import Certificate

    monkeypatch.setattr(bench_certificates, "COUNT", 3)
    # The concurrent enrolments need committed data and threads of their own; tests/trainings covers the race.
    monkeypatch.setattr(bench_trainings, "_load", lambda: Measurement("load", 0.0, 0, 0, 0))
    certificates = Certificate.objects.count()
    for module in (bench_floor, bench_cases, bench_certificates, bench_groups, bench_reporting, bench_security):
        assert all(isinstance(m, Measurement) for m in module.run(_once)), module.__name__
    assert len(bench_trainings.run(_once)) == 6
    assert Certificate.objects.count() == certificates
    assert dataset_counts() == SIZES
