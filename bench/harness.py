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


def logged_in(user):
    """A test client with the user logged in, as after a completed second-factor login: the MFA middleware
    still runs on every request, it just lets her through."""
    from django.test import Client

    from accounts.middleware import session_record_mfa

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session_record_mfa(session, user)
    session.save()
    return client


def page(client, url, status=200):
    """A callable that requests the URL and fails loudly on any other status: a redirect to the login page
    would otherwise be measured as a fast page."""

    def _get():
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code, response.get("Location"))
        return response

    return _get


def print_table(measurements, *, floor=None, out=print):
    width = max([52, *(len(m.name) for m in measurements)])
    out(f"{'benchmark':<{width}} {'median ms':>10} {'x floor':>8} {'queries':>8} {'peak KiB':>9}")
    out("-" * (width + 39))
    for m in measurements:
        ratio = f"{m.median_ms / floor.median_ms:.1f}" if floor and floor.median_ms else "-"
        out(f"{m.name:<{width}} {m.median_ms:>10.1f} {ratio:>8} {m.queries:>8} {m.peak_kib:>9}")
        if m.note:
            out(f"    {m.note}")
