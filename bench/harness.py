"""Shared measuring tools for the benchmarks: time, CPU time, SQL query count and peak memory of a callable,
each run of it measured right after a run of its floor.

A page's floor is a bare view that renders a page of the same size, requested by the same client through
the same middleware (bench/urls.py): what any page of that size costs here anyway. Measured in the same loop,
run for run, the two see the same machine: the ratio holds when the machine is busy, where two separate
measurements swing."""

import dataclasses
import json
import re
import statistics
import time
import tracemalloc
from dataclasses import dataclass

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from core.exports import XLSX_CONTENT_TYPE


@dataclass
class Measurement:
    name: str
    median_ms: float  # wall clock
    queries: int
    peak_kib: int
    runs: int
    note: str = ""
    cpu_ms: float = 0.0  # CPU time of this process (SQLite's work included; a PostgreSQL server's not)
    floor_cpu_ms: float = 0.0  # its floor's, measured in the same loop (0: compared with the bare floor)
    target_missed: str = ""

    @property
    def ratio(self) -> float | None:
        return self.cpu_ms / self.floor_cpu_ms if self.floor_cpu_ms else None


# A row judged by its ratio to its floor is measured at least this many times: with ten, a few slow runs
# among them moved a listing's median by up to 0.8 of a floor between two runs of the bench (the audit log's
# listing 5.1x in one, 4.3x and 4.4x in the next two), more than the target leaves most pages.
FLOORED_RUNS = 30


def measure(name, func, *, runs=5, note="", floor=None) -> Measurement:
    """Run `func` `runs` times (FLOORED_RUNS at least when it has a floor), each run right after one of its
    floor (`floor`, or the one a page() carries); queries and peak memory come from one extra, instrumented
    run. What `func.before` does (the change after_a_change() makes) is done before each run, untimed and
    uncounted: it is not the page's work."""
    before = getattr(func, "before", None) or (lambda: None)
    before()
    func()  # warm-up: imports, caches, compiled templates
    floor = floor or getattr(func, "floor", None)
    if floor is not None:
        runs = max(runs, FLOORED_RUNS)
        floor()
    # A workbook's row also shows its ratio to an HTML page of its bytes (the floor of the other pages).
    bytes_floor = getattr(func, "bytes_floor", None)
    if bytes_floor is not None:
        bytes_floor()
    walls, cpus, floors, bytes_floors = [], [], [], []
    for _ in range(runs):
        if floor is not None:
            started = time.process_time()
            floor()
            floors.append((time.process_time() - started) * 1000)
        if bytes_floor is not None:
            started = time.process_time()
            bytes_floor()
            bytes_floors.append((time.process_time() - started) * 1000)
        before()
        started, started_cpu = time.perf_counter(), time.process_time()
        func()
        cpus.append((time.process_time() - started_cpu) * 1000)
        walls.append((time.perf_counter() - started) * 1000)
    before()
    reset_queries()
    tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if bytes_floors:
        against = statistics.median(cpus) / statistics.median(bytes_floors)
        note = "; ".join(filter(None, [note, f"against an HTML page of its bytes: {against:.1f}x"]))
    return Measurement(
        name,
        statistics.median(walls),
        len(captured),
        peak // 1024,
        runs,
        note,
        cpu_ms=statistics.median(cpus),
        floor_cpu_ms=statistics.median(floors) if floors else 0.0,
    )


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
    """A callable that requests the URL and fails loudly on any other status (a redirect to the login page
    would otherwise be measured as a fast page). Its `floor` requests, with the same client, a bare page of
    the size this one answered with; for a workbook, a bare workbook of the same cells (bench/urls.py), and
    its `bytes_floor` the HTML page of the same bytes, measured beside it and named in the row's note."""
    answered = {}

    def _get():
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code, response.get("Location"))
        if "bytes" not in answered:
            answered["bytes"] = len(response.content)
            if response.get("Content-Type") == XLSX_CONTENT_TYPE:
                from bench.urls import floor_workbook_register

                answered["workbook"] = floor_workbook_register(response.content)
                _get.bytes_floor = _bytes_floor
        return response

    def _bytes_floor():
        from bench.urls import floor_url

        response = client.get(floor_url(answered.get("bytes", 1024)))
        assert response.status_code == 200, response.status_code
        return response

    def _floor():
        if "workbook" not in answered:
            return _bytes_floor()
        from bench.urls import floor_workbook_url

        response = client.get(floor_workbook_url(answered["workbook"]))
        assert response.status_code == 200, response.status_code
        return response

    _get.floor = _floor
    _get.bytes_floor = None
    return _get


def after_a_change(view):
    """The page `view` (a page() above) as the first request after a change to a table its figures or its
    kept copy are built from: before each run every stamp is moved, as the database's triggers move it on any
    write (reporting.inputs), so nothing kept under the old one is served. Measured against the page's own
    floor; the change itself, a writer's work, is made outside the measured run (measure(): `before`)."""
    from reporting.inputs import figures_inputs_touch

    def _after():
        return view()

    _after.floor = view.floor
    _after.before = figures_inputs_touch
    return _after


def print_table(measurements, *, floor=None, out=print):
    """Each row against its own floor where it has one (CPU time, same loop); else against the bare floor
    row's median (marked *)."""
    width = max([52, *(len(m.name) for m in measurements)])
    columns = f"{'median ms':>10} {'CPU ms':>8} {'floor CPU':>10} {'x floor':>8} {'queries':>8} {'peak KiB':>9}"
    out(f"{'benchmark':<{width}} {columns}")
    out("-" * (width + 59))
    for m in measurements:
        if m.ratio is not None:
            ratio, floor_cpu = f"{m.ratio:.1f}", f"{m.floor_cpu_ms:.1f}"
        else:
            ratio = f"{m.median_ms / floor.median_ms:.1f}*" if floor and floor.median_ms else "-"
            floor_cpu = "-"
        out(
            f"{m.name:<{width}} {m.median_ms:>10.1f} {m.cpu_ms:>8.1f} {floor_cpu:>10} {ratio:>8} {m.queries:>8} "
            f"{m.peak_kib:>9}"
        )
        if m.note:
            out(f"    {m.note}")


# Targets that hold at the larger size (the "done when"): a page's CPU time at most this many times
# its floor's, its queries no more than at the smaller size, and these rows under these CPU times.
PAGE_FLOOR_RATIO = 5.0
# The live report twice: as read again (its figures kept) and as first read after a change (counted again).
CPU_TARGETS_MS = {
    "counseling: slot finder": 300.0,
    "reporting: report page of (live)": 300.0,
    "reporting: live report": 300.0,
}


# Rows held to their CPU time above instead of the floor's bound: the live report counted again after a change
# is the "live report under 300 ms CPU at 10x", the work of counting its figures, which no page of
# its size without them does (a bound of five floors, 15 ms, would leave that target nothing to say). The
# same report read again, its figures kept, is a page like the others, held to the bound (its own row).
CPU_TARGET_INSTEAD_OF_FLOOR = ("reporting: live report",)


def row_key(name: str) -> str:
    """A row's name without its counts, so that the same row matches at both sizes ("(160 open)" at 1x is
    "(1600 open)" at 10x)."""
    return re.sub(r"\s+", " ", re.sub(r"[0-9][0-9,.]*", "#", name))


def _cpu_target(name: str) -> float | None:
    for pattern, target in CPU_TARGETS_MS.items():
        words = pattern.split(" (")
        if name.startswith(words[0]) and all(f"({w}" in name for w in words[1:]):
            return target
    return None


def measurements_dump(measurements) -> str:
    return json.dumps([dataclasses.asdict(m) for m in measurements], indent=1)


def measurements_load(text: str) -> list[Measurement]:
    return [Measurement(**row) for row in json.loads(text)]


def growth_table(small, large, *, small_size=1, large_size=10, out=print) -> list[str]:
    """The rows of both sizes side by side with the growth of CPU time and queries; returns the targets
    missed at the larger size."""
    at_small = {row_key(m.name): m for m in small}
    missed = []
    width = max([52, *(len(m.name) for m in large)])
    out(f"\ngrowth from {small_size}x to {large_size}x (CPU ms and queries; x floor at {large_size}x)")
    out(
        f"{'benchmark (as named at ' + str(large_size) + 'x)':<{width}} {f'CPU {small_size}x':>8} "
        f"{f'CPU {large_size}x':>8} {'growth':>7} {f'q {small_size}x':>5} {f'q {large_size}x':>6} "
        f"{'x floor':>8}  target"
    )
    out("-" * (width + 62))
    for m in large:
        before = at_small.get(row_key(m.name))
        problems = []
        if before is not None and m.ratio is not None and m.queries > before.queries:
            problems.append(f"queries grow {before.queries} -> {m.queries}")
        if m.ratio is not None and m.ratio > PAGE_FLOOR_RATIO and not m.name.startswith(CPU_TARGET_INSTEAD_OF_FLOOR):
            problems.append(f"{m.ratio:.1f}x its floor (target <= {PAGE_FLOOR_RATIO:.0f}x)")
        target = _cpu_target(m.name)
        if target is not None and m.cpu_ms > target:
            problems.append(f"{m.cpu_ms:.0f} ms CPU (target < {target:.0f} ms)")
        missed.extend(f"{m.name}: {problem}" for problem in problems)
        growth = f"{m.cpu_ms / before.cpu_ms:.1f}x" if before is not None and before.cpu_ms else "-"
        ratio = f"{m.ratio:.1f}" if m.ratio is not None else "-"
        out(
            f"{m.name:<{width}} {before.cpu_ms if before else 0:>8.1f} {m.cpu_ms:>8.1f} {growth:>7} "
            f"{before.queries if before else 0:>5} {m.queries:>6} {ratio:>8}  {'; '.join(problems) or 'ok'}"
        )
    return missed
