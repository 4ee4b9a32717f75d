"""Every benchmark module runs on a small data set, so that none breaks unnoticed between `make bench` runs."""

import pytest

from bench import (
    bench_admin,
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


def _once(name, func, runs=5, note="", floor=None):
    getattr(func, "before", lambda: None)()
    func()
    floor = floor or getattr(func, "floor", None)
    if floor is not None:
        floor()  # a page's floor answers too, the size of the page
    return Measurement(name, 0.0, 0, 0, runs, note)


def test_slot_finder_runs_constant_queries(small_dataset, django_assert_max_num_queries):
    captured = {}

    def measure(name, func, runs=5, note="", floor=None):
        if name.startswith("counseling: slot finder,"):
            # Counselors, windows, absences, rooms, and one query per run of days searched (at most five); late
            # on a Sunday the bench's first day (the next Monday) is over for everyone by her notice: its
            # windows are read, and it gets no run.
            with django_assert_max_num_queries(4 + 5 + 1):
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
    for module in (
        bench_floor,
        bench_admin,
        bench_cases,
        bench_certificates,
        bench_groups,
        bench_reporting,
        bench_security,
    ):
        assert all(isinstance(m, Measurement) for m in module.run(_once)), module.__name__
    assert len(bench_trainings.run(_once)) == 9
    assert Certificate.objects.count() == certificates
    assert dataset_counts() == SIZES


def test_a_page_is_measured_against_a_floor_of_its_own_size_in_the_same_loop(small_dataset, monkeypatch):
    from bench import harness
    from bench.dataset import TRAINEE, dataset_user
    from bench.harness import logged_in, measure, page, print_table

    # A row with a floor is measured FLOORED_RUNS times at least, whatever fewer runs it asks for.
    monkeypatch.setattr(harness, "FLOORED_RUNS", 3)

    client = logged_in(dataset_user(TRAINEE))
    sizes = []
    original = client.get

    def get(url, *args, **kwargs):
        response = original(url, *args, **kwargs)
        sizes.append((url, len(response.content)))
        return response

    client.get = get
    from django.urls import reverse

    measured = measure("trainee dashboard", page(client, reverse("trainings:dashboard")), runs=2)
    assert measured.runs == 3
    pages = [size for url, size in sizes if not url.startswith("/_bench/")]
    floors = [size for url, size in sizes if url.startswith("/_bench/")]
    # Warm-up, three timed runs and the instrumented one; a floor before each timed run and one to warm up.
    assert len(pages) == 5 and len(floors) == 4
    assert all(abs(size - pages[0]) <= 64 for size in floors)
    assert measured.cpu_ms > 0 and measured.floor_cpu_ms > 0 and measured.ratio is not None
    lines = []
    print_table([measured], out=lines.append)
    assert f"{measured.ratio:.1f}" in lines[-1]


def test_the_change_before_a_first_view_is_made_before_every_run_and_neither_timed_nor_counted(db, monkeypatch):
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model

    from bench import harness

    clock = [0.0]  # seconds of CPU: a change costs one, a view a thousandth
    monkeypatch.setattr(harness, "time", SimpleNamespace(process_time=lambda: clock[0], perf_counter=lambda: clock[0]))
    changes, views = [], []

    def change():
        clock[0] += 1.0
        changes.append(get_user_model().objects.count())

    def view():
        clock[0] += 0.001
        views.append(len(changes))  # how many changes were made before this view
        return get_user_model().objects.exists()

    view.before = change
    measured = harness.measure("first view after a change", view, runs=3)
    assert views == [1, 2, 3, 4, 5]  # warm-up, three timed runs, the instrumented one: each after a change
    assert measured.cpu_ms == pytest.approx(1.0) and measured.median_ms == pytest.approx(1.0)
    assert measured.queries == 1  # the view's own query, not the change's


def test_a_workbook_is_measured_against_a_bare_workbook_of_its_cells_and_named_against_its_bytes(small_dataset):
    """A workbook is compressed XML: an HTML page of its bytes holds a fraction of its content. Its floor is
    the same sheets and cells written bare, and the row's note gives its ratio to the HTML page as well."""
    import io

    import openpyxl
    from django.urls import reverse

    from bench.harness import logged_in, measure, page
    from core import dates
    from trainings.models import Edition

    edition = Edition.objects.filter(start_date__lt=dates.today()).order_by("-start_date").first()
    workbook = page(logged_in(edition.trainers.get()), reverse("trainings:participants_xlsx", args=[edition.pk]))
    served = workbook()
    floor = workbook.floor()
    assert floor["Content-Type"] == served["Content-Type"]

    def cells(response):
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return [(sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book]

    assert cells(floor) == cells(served)
    assert len(floor.content) < len(served.content)  # no formats, widths, print setup
    assert workbook.bytes_floor().content.startswith(b"<!DOCTYPE html>")

    measured = measure("participants", workbook, runs=2)
    assert measured.floor_cpu_ms > 0
    assert "against an HTML page of its bytes: " in measured.note
