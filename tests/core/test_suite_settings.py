"""What the suite sets up for its own speed (tests/conftest.py) leaves the tests' meaning as it was."""

import datetime as dt
import weakref

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.signals import template_rendered
from django.urls import get_resolver
from wagtail.models import ReferenceIndex
from webtest import AppError

from groups.models import Cohort, GroupProgramme
from tests import testdb
from tests.helpers import REFERENCE_INDEX, reference_index_switched

pytestmark = pytest.mark.django_db


def _listening() -> int:
    """Receivers of template_rendered still alive (held weakly, or strongly)."""
    return sum(
        1
        for _key, receiver, *_rest in template_rendered.receivers
        if not isinstance(receiver, weakref.ReferenceType) or receiver() is not None
    )


def test_a_webtest_request_that_raised_leaves_no_listener_behind(django_app):
    before = _listening()
    with pytest.raises(AppError) as raised:  # kept: its traceback holds the request's frame, as in a test
        django_app.get("/no-such-page-here/")
    assert "404" in str(raised.value)
    assert _listening() == before
    page = django_app.get("/no-such-page-here/", status=404)
    assert page.templates  # what the request rendered is still on its response
    assert _listening() == before


def _cohort_referenced(django_capture_on_commit_callbacks) -> bool:
    get_resolver().url_patterns  # noqa: B018 - the admin's viewsets register their models for the index
    assert ReferenceIndex.is_indexed(Cohort)
    with django_capture_on_commit_callbacks(execute=True):
        cohort = Cohort.objects.create(
            programme=GroupProgramme.objects.create(name="Majke zajedno"),
            name="Sombor",
            start_date=dt.date(2026, 3, 2),
        )
    return ReferenceIndex.objects.filter(object_id=str(cohort.pk), model_path="programme").exists()


@pytest.mark.skipif(REFERENCE_INDEX, reason="HAVEN_TEST_REFERENCE_INDEX=1 writes it in every test")
def test_the_reference_index_is_left_unwritten_in_a_test_that_does_not_read_it(django_capture_on_commit_callbacks):
    assert not _cohort_referenced(django_capture_on_commit_callbacks)


@pytest.mark.reference_index
def test_the_reference_index_is_written_in_a_test_that_reads_it(django_capture_on_commit_callbacks):
    assert _cohort_referenced(django_capture_on_commit_callbacks)


@pytest.mark.skipif(REFERENCE_INDEX, reason="HAVEN_TEST_REFERENCE_INDEX=1 writes it in every test")
def test_the_reference_index_switch_nests_and_puts_back_what_it_found():
    from wagtail.signal_handlers import reference_index_auto_update_disabled as switched_off

    with reference_index_switched(on=False):
        with reference_index_switched(on=True):
            assert not getattr(switched_off, "value", False)
            with reference_index_switched(on=False):
                assert switched_off.value
            assert not getattr(switched_off, "value", False)
        assert switched_off.value
    assert switched_off.value  # this test's own switch (it is not marked) is as it was


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the template's rows are copied on SQLite only")
@pytest.mark.parametrize("the_templates", [True, False], ids=["rows-of-the-template", "rows-of-its-own"])
def test_a_transactional_test_gets_back_exactly_the_rows_migrate_made(request, monkeypatch, the_templates):
    """Whether this worker's database is a copy of the template, or migrated beside the one whose database
    became the template (which one run's processes no longer do: they wait for the one migrating): its rows
    carry values of their own then (the root page's random translation key), and Django's copy puts them back."""
    if not testdb.enabled(request.config):
        pytest.skip("no template of the migrations with a fresh test database")
    if the_templates and not testdb.rows_are_the_templates():
        pytest.skip("this worker migrated beside the one whose database became the template")
    monkeypatch.setitem(testdb._ROWS, "the_templates", the_templates)
    migrated = connection._test_serialized_contents
    assert not testdb.restore_migrated_rows(connection)  # the rows are still there: left to Django
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    assert not ContentType.objects.exists()
    copied = []
    restore = testdb.restore_migrated_rows
    monkeypatch.setattr(
        testdb, "restore_migrated_rows", lambda connection: copied.append(restore(connection)) or copied[-1]
    )
    connection.creation.deserialize_db_from_string(migrated)  # what Django calls before a transactional test
    assert copied == [the_templates]
    assert connection.creation.serialize_db_to_string() == migrated


@pytest.mark.django_db(databases=[])
def test_with_no_template_one_process_migrates_and_the_others_wait_for_its_copy(monkeypatch, tmp_path):
    """The first run after the migrations changed: the first to ask builds the template, the next waits until
    it is kept, then copies it instead of migrating beside it."""
    import threading

    monkeypatch.setattr(testdb, "BUILDING", tmp_path / "building.lock")
    kept, events = threading.Event(), []
    monkeypatch.setattr(testdb, "copy_template", lambda: kept.is_set())
    monkeypatch.setattr(testdb, "_keep_as_template", lambda: kept.set())

    assert testdb.copy_template_or_build() is False  # this one builds
    second = threading.Thread(target=lambda: events.append(("second copied", testdb.copy_template_or_build())))
    second.start()
    second.join(timeout=0.5)
    assert second.is_alive() and not events  # it waits while the first migrates
    events.append(("template kept", None))
    testdb.keep_as_template()
    second.join(timeout=10)
    assert events == [("template kept", None), ("second copied", True)]
    assert testdb.copy_template_or_build() is True  # and any later one copies at once


@pytest.mark.django_db(databases=[])
def test_a_stale_template_goes_with_its_journal_files_and_a_recent_one_stays(tmp_path):
    import os
    import time

    def template(name, *, age):
        paths = [tmp_path / f"haven-test-template-{name}.sqlite3{suffix}" for suffix in ("", "-wal", "-shm")]
        for path in paths:
            path.write_bytes(b"")
            moment = time.time() - age
            os.utime(path, (moment, moment))
        return paths

    current = template("current", age=3 * testdb.STALE_AFTER_SECONDS)
    stale = template("stale", age=testdb.STALE_AFTER_SECONDS + 60)
    recent = template("recent", age=60)
    testdb.stale_templates_removed(current[0])
    assert [path.exists() for path in current + stale + recent] == [True] * 3 + [False] * 3 + [True] * 3


@pytest.mark.django_db(databases=[])
def test_the_old_postgresql_templates_dropped_are_this_test_databases_only():
    import re

    pattern = testdb._pg_templates_of("test_haven_gw1")
    names = ["tpl_0123abcd_test_haven", "tpl_0123abcd_test_haven_gw0", "tpl_0123abcd_test_haven_load", "test_haven"]
    assert [name for name in names if re.search(pattern, name)] == names[:2]


def test_a_test_runs_in_a_frame_whose_chunk_holds_the_frames_it_calls():
    """A test's own frames and every frame it calls, down to a depth far beyond a 16 KB chunk of CPython's
    frame stack, sit in the chunk of the roomy frame around it (tests/conftest.py, `_roomy_frame_call`)."""
    import sys

    frame, outer = sys._getframe(), []
    while frame is not None:
        outer.append(frame.f_code)
        frame = frame.f_back
    roomy = [code for code in outer if code.co_name == "roomy"]
    assert len(roomy) == 1
    # Its frame (8 bytes a variable) is too big for a 16 KB chunk; its own, of 512 KB, keeps over 200 KB for
    # the frames inside it.
    size = roomy[0].co_nlocals * 8
    assert size > 16 * 1024
    assert 512 * 1024 - size > 200 * 1024
