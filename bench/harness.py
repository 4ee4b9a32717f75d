"""Shared measuring tools for the benchmarks: median time, SQL query count and peak memory of a callable."""

import statistics
import time
import tracemalloc
from dataclasses import dataclass

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


@dataclass
class Measurement:
    name: str
    median_ms: float
    queries: int
    peak_kib: int
    runs: int
    note: str = ""


def measure(name, func, *, runs=5, note="") -> Measurement:
    """Run `func` `runs` times; queries and peak memory come from one extra, instrumented run."""
    func()  # warm-up: imports, caches, compiled templates
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        timings.append((time.perf_counter() - started) * 1000)
    reset_queries()
    tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measurement(name, statistics.median(timings), len(captured), peak // 1024, runs, note)


def print_table(measurements, *, floor=None, out=print):
    out(f"{'benchmark':<52} {'median ms':>10} {'x floor':>8} {'queries':>8} {'peak KiB':>9}")
    out("-" * 91)
    for m in measurements:
        ratio = f"{m.median_ms / floor.median_ms:.1f}" if floor and floor.median_ms else "-"
        out(f"{m.name:<52} {m.median_ms:>10.1f} {ratio:>8} {m.queries:>8} {m.peak_kib:>9}")
        if m.note:
            out(f"    {m.note}")
