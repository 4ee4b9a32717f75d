"""`make bench` compares each row at 1x and 10x and fails on the targets the larger size misses."""

from bench.__main__ import database_url
from bench.harness import Measurement, growth_table, measurements_dump, measurements_load, row_key


def _row(name, cpu, queries, floor_cpu=0.0):
    return Measurement(name, cpu, queries, 0, 5, cpu_ms=cpu, floor_cpu_ms=floor_cpu)


def test_a_row_is_the_same_row_at_both_sizes_whatever_its_counts():
    assert row_key("cases: coordinator's case list (160 open, 50 a page)") == row_key(
        "cases: coordinator's case list (1,600 open, 50 a page)"
    )
    assert row_key("cases: counselor's case list") != row_key("cases: coordinator's case list")


def test_growth_fails_a_page_whose_queries_grow_or_that_costs_over_five_floors_and_the_slow_named_rows():
    small = [
        _row("groups: cohorts (2)", 5.0, 4, floor_cpu=2.0),
        _row("cases: list (16 open)", 10.0, 7, floor_cpu=4.0),
        _row("counseling: slot finder page, 4 weeks (first 200)", 20.0, 10, floor_cpu=10.0),
        _row("reporting: report page of Q3 2026 (live)", 200.0, 70, floor_cpu=60.0),
        _row("certificates: render one PDF", 12.0, 0),
        _row("reporting: live report Q3 2026 counted again after a change", 57.0, 61, floor_cpu=2.5),
        _row("reporting: live report Q4 2026 counted again after a change", 57.0, 61, floor_cpu=2.5),
    ]
    large = [
        _row("groups: cohorts (2)", 6.0, 4, floor_cpu=2.0),  # fine
        _row("cases: list (160 open)", 30.0, 9, floor_cpu=4.0),  # queries grow, 7.5 floors
        _row("counseling: slot finder page, 4 weeks (first 200)", 350.0, 10, floor_cpu=100.0),
        _row("reporting: report page of Q3 2026 (live)", 250.0, 70, floor_cpu=60.0),  # fine
        _row("certificates: render one PDF", 40.0, 0),  # a job: no floor, no target
        # Held to its CPU time, not to five floors: 84x its floor and fine, then 320 ms and not.
        _row("reporting: live report Q3 2026 counted again after a change", 267.0, 61, floor_cpu=3.2),
        _row("reporting: live report Q4 2026 counted again after a change", 320.0, 61, floor_cpu=3.2),
    ]
    lines = []
    missed = growth_table(small, large, out=lines.append)
    assert missed == [
        "cases: list (160 open): queries grow 7 -> 9",
        "cases: list (160 open): 7.5x its floor (target <= 5x)",
        "counseling: slot finder page, 4 weeks (first 200): 350 ms CPU (target < 300 ms)",
        "reporting: live report Q4 2026 counted again after a change: 320 ms CPU (target < 300 ms)",
    ]
    table = "\n".join(lines)
    assert "3.0x" in table  # the list's growth, 10 -> 30 ms
    assert table.count(" ok") == 4


def test_measurements_survive_the_trip_between_the_two_processes():
    rows = [_row("floor", 1.0, 1), _row("page", 3.0, 4, floor_cpu=1.5)]
    assert measurements_load(measurements_dump(rows)) == rows


def test_each_size_has_a_database_of_its_own(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("BENCH_DATABASE_URL_10X", raising=False)
    assert database_url(1).endswith("/var/bench.sqlite3") and database_url(10).endswith("/var/bench-10x.sqlite3")
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://haven@127.0.0.1:5432/haven_bench?sslmode=disable")
    assert database_url(10) == "postgres://haven@127.0.0.1:5432/haven_bench_10x?sslmode=disable"
