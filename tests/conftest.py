"""Shared fixtures. App-specific fixtures live in tests/<app>/conftest.py."""

import contextlib
import gc
import os
import shutil
from pathlib import Path

import pytest
from _pytest.runner import pytest_runtest_protocol as _pytest_own_protocol
from playwright.sync_api import Error as PlaywrightError

from accounts.enums import Role
from core.runtime import startup_heap_frozen
from tests import testdb
from tests.helpers import outer_transaction_rolled_back, reference_index_switched, users_maker

# Playwright drives the browser from the test thread, which Django would otherwise call async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# `HAVEN_TEST_NOW=2028-02-29T23:30` runs the whole suite as if it were that moment (organisation time):
# CI uses it to run the suite on awkward days (a leap day, a month end, the nights the clocks change).
TEST_NOW = os.environ.get("HAVEN_TEST_NOW", "")


def pytest_configure(config):
    if not TEST_NOW:
        return
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    moment = dt.datetime.fromisoformat(TEST_NOW)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(os.environ.get("DJANGO_TIME_ZONE", "Europe/Belgrade")))
    config._haven_traveller = time_machine.travel(moment, tick=True)
    config._haven_traveller.start()


@pytest.fixture(autouse=True)
def _browser_on_real_time(request, pytestconfig):
    """Under HAVEN_TEST_NOW the browser journeys run at the real time: Chromium's clock cannot be moved with
    the server's, and a server in 2028 talking to a browser in today is not a moment anyone lives through."""
    traveller = getattr(pytestconfig, "_haven_traveller", None)
    if traveller is None or request.node.get_closest_marker("browser") is None:
        yield
        return
    traveller.stop()
    try:
        yield
    finally:
        traveller.start()


def pytest_unconfigure(config):
    traveller = getattr(config, "_haven_traveller", None)
    if traveller is not None:
        traveller.stop()


@pytest.fixture
def today(time_machine):
    """Today's date, held for the whole test: the clock is set to this day's noon (organisation time) and
    keeps ticking from there, so a test that runs across midnight still sees one day."""
    import datetime as dt

    from core import dates

    day = dates.today()
    time_machine.move_to(dates.start_of_day(day) + dt.timedelta(hours=12), tick=True)
    return day


@pytest.fixture
def clock(time_machine):
    """clock(moment_or_date) sets the test's clock; a date means that day's noon, organisation time."""
    import datetime as dt

    from core import dates

    def _set(when, *, tick=True):
        if isinstance(when, dt.date) and not isinstance(when, dt.datetime):
            when = dates.start_of_day(when) + dt.timedelta(hours=12)
        elif when.tzinfo is None:
            from django.utils import timezone

            when = timezone.make_aware(when)
        time_machine.move_to(when, tick=tick)
        return when

    return _set


# Debian's Chromium headless shell, the build Playwright itself runs headless tests in: the browser tests took
# 40% less time than in the whole browser (`chromium`), which is taken when the shell is not installed.
CHROMIUM = shutil.which("chromium-headless-shell") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SCREENSHOTS = os.environ.get("HAVEN_TEST_SCREENSHOTS", "") not in ("", "0")


@pytest.fixture(autouse=True)
def _reference_index(request):
    """Wagtail's reference index is written in the tests marked `reference_index` only (tests/helpers.py)."""
    with reference_index_switched(on=request.node.get_closest_marker("reference_index") is not None):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request handled by the test client activates the page's
    language in the test's own thread, and reverse() in the next test would otherwise build /da/ addresses."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with empty caches: Wagtail caches site root paths and allauth its rate limits,
    and either would otherwise carry one test's state into the next; the admin's sidebar and shortcuts are kept
    per process for settings and hooks that a test may change."""
    from django.conf import settings
    from django.core.cache import caches

    from accounts.admin_tags import admin_tags_forget

    for alias in settings.CACHES:
        caches[alias].clear()
    admin_tags_forget()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()
    admin_tags_forget()


@pytest.fixture
def make_user(db):
    """make_user(role=Role.FACILITATOR, email=None, full_name=None) -> a verified, active user."""
    return users_maker()


@pytest.fixture
def demo_site(db, settings, tmp_path):
    """The public site with the website app's demo content (home, services, projects, news, contact), in every
    language."""
    import io

    from wagtail.models import Site

    from website import demo

    settings.MEDIA_ROOT = tmp_path
    demo.load(users={}, stdout=io.StringIO())
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR)


@pytest.fixture
def facilitator(make_user):
    return make_user(Role.FACILITATOR)


@pytest.fixture
def counselor(make_user):
    return make_user(Role.COUNSELOR)


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER)


@pytest.fixture
def project_manager(make_user):
    return make_user(Role.PROJECT_MANAGER)


@pytest.fixture
def trainee(make_user):
    return make_user(Role.TRAINEE)


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# Browser journeys (marked `browser`) use Debian's Chromium (CHROMIUM); browsers cannot be downloaded here.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-quic",
            "--no-first-run",
            "--disable-sync",
            # Tests never leave the machine: any other host is unknown to the browser. (A route per context
            # did this for the journeys, and made every request of theirs, styles and scripts included, a
            # round trip through Playwright: 12% of their time.) A test that follows a link out answers it
            # with a route of its own, which is asked before any address is looked up.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            # V8's optimising compilers off (its baseline compiler kept): a test's page lives for a second or
            # less, and compiling axe-core's hot functions again for each page, on a second thread, never paid
            # back. The accessibility crawl: 32.2 against 36.3 CPU-seconds of the machine (medians of six runs
            # taking turns). Which compiler runs a script changes nothing the page does.
            "--js-flags=--max-opt=1",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's own fixture, which newer pytest flags as deprecated (warnings are
    errors here); journeys build their URLs from live_server.url."""
    return None


@pytest.fixture
def screenshot(request):
    """screenshot(page) keeps the journey's last screen in test-artifacts/ (git-ignored): when the test fails,
    or always with HAVEN_TEST_SCREENSHOTS=1. Nothing is checked on it, and a full-page screenshot of every
    journey was 7 s of every run."""
    shown = []

    def _save(page, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name or request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def _take(page, name=None):
        if SCREENSHOTS:
            return _save(page, name)
        shown.append((page, name))
        return None

    yield _take
    report = getattr(request.node, "report_of_call", None)
    if shown and report is not None and report.failed and not shown[-1][0].is_closed():
        with contextlib.suppress(PlaywrightError):  # a browser that broke with the test: its failure says why
            _save(*shown[-1])


def _roomy_frame_call():
    """roomy(call) -> call(), made from a frame of some 33,000 (unused) local variables.

    CPython keeps its frames on a stack of 16 KB chunks and frees a chunk, with munmap, as soon as the frame
    at its start returns: a call stack that goes up and down across a chunk's edge (Django answering a
    request, a template's nodes) maps and unmaps a chunk each time, some 2,000 times a test, each with its
    page faults. A frame too big for a 16 KB chunk gets a chunk of its own, sized to the next power of two
    (512 KB here): the frames called from it fill the rest of that chunk, which lives as long as it does."""
    names = " = ".join(f"_{n}" for n in range(33_000))
    source = f"def roomy(call):\n    if False:\n        {names} = None\n    return call()\n"
    namespace = {}
    exec(compile(source, "<roomy>", "exec"), namespace)  # noqa: S102 # nosec B102 - a source made here
    return namespace["roomy"]


_roomy = _roomy_frame_call()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """pytest's own protocol for a test (set-up, call, teardown, reports), run inside a roomy frame."""
    return _roomy(lambda: _pytest_own_protocol(item, nextitem))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_of_call = report  # for fixtures that keep something when the test failed (screenshot)
    return report


@pytest.hookimpl(tryfirst=True)  # before pytest-django's own sort, which must have the last word
def pytest_collection_modifyitems(config, items):
    _transactional_tests_restore_migrated_data(items)
    _module_data_built_on_one_worker(items)
    _tests_without_a_database_together(items)
    _longest_first(items)
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium-headless-shell or chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _module_data_built_on_one_worker(items):
    """A module's tests that share data built once for the module (module_transaction) run on one worker, and
    a package's that share data built once for the package (package_transaction).

    pytest-xdist hands tests out one by one: the tests of such a module would be split across both workers,
    and each worker would build the module's data (the whole demo, seconds) for its share."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "package_transaction" in fixtures:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__.rpartition(".")[0]))
        elif "module_transaction" in fixtures:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def _tests_without_a_database_together(items):
    """The tests that need no database are one group, which pytest-xdist hands out first (it sends the
    largest groups first, and at some 350 tests this is the largest): one worker runs them while the first run
    after a migration changed builds the template.

    In that first run one process migrates for some 20 s while the others wait for its template
    (tests/testdb.py): with a database test first on both workers, one core stood idle all that time. The same
    rule as pytest-django's: no `django_db` mark and no database fixture (the suite has no Django TestCase)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        uses_a_database = item.get_closest_marker("django_db") is not None or fixtures & DATABASE_FIXTURES
        if not uses_a_database and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group("without_a_database"))


def pytest_collection_finish(session):
    """pytest-xdist marks a grouped test by its id; a pytest whose ids it cannot mark would let every module's
    data be built on both workers again, without a word (pyproject.toml pins pytest for that): say so."""
    _collector_spared()
    _webtest_listeners_dropped()
    _search_index_tasks_dropped()
    _live_server_connections_passed_on()
    if not getattr(session.config.option, "loadgroup", False):  # set in pytest-xdist's workers only
        return
    lost = [item.nodeid for item in session.items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(f"pytest-xdist did not group {len(lost)} tests (first: {lost[0]}): see pyproject.toml")


def _collector_spared():
    """What a test process holds from its start (Django, Wagtail, the apps, the collected tests) is put out
    of the garbage collector's sight, and young objects are collected after 50,000 new ones, not 700.

    Each full collection walked that whole heap again, about fifty times a worker in a run: a tenth of the
    suite's CPU time went to the collector (44 of 388 CPU-seconds over the SQLite suite on two workers); 23
    and 28 s in two runs after. Nothing a test sees changes: cycles are still collected, only less often."""
    startup_heap_frozen()
    gc.set_threshold(50_000, 20, 10)


def _webtest_listeners_dropped():
    """A WebTest request stops keeping the templates it rendered once it is answered.

    django_webtest connects a listener that copies the context of every template rendered during its request
    and leaves it connected, held only weakly: gone once the request is over, unless the request raised
    (a status the test did not expect, a refusal it tests for), whose traceback keeps it until the garbage
    collector reaches the cycle, which _collector_spared makes rare. Those listeners piled up in a worker
    (26 after the case views' tests), each copying every context of every later request's templates, form
    widgets included: 1.4 million copies over a quarter of the suite, a tenth of its time. The response
    keeps what it recorded; later requests are no longer recorded into it."""
    import functools
    import weakref

    from django.test.client import store_rendered_templates
    from django.test.signals import template_rendered
    from django_webtest import DjangoTestApp

    request = DjangoTestApp.do_request

    def do_request(self, req, status, expect_errors):
        before = {entry[0] for entry in template_rendered.receivers}
        try:
            return request(self, req, status, expect_errors)
        finally:
            for key, receiver, *_rest in list(template_rendered.receivers):
                if isinstance(receiver, weakref.ReferenceType):
                    receiver = receiver()
                if (
                    key not in before
                    and isinstance(receiver, functools.partial)
                    and receiver.func is store_rendered_templates
                ):
                    template_rendered.disconnect(receiver)

    DjangoTestApp.do_request = do_request


def _live_server_connections_passed_on():
    """The live server's request threads pass their SQLite connection on to the next request's thread.

    Django's live server answers each request in a thread of its own, which closes its connection when it is
    done, so the next request opened a new one, and SQLite read the whole schema again (900 tables, indexes
    and triggers): 5 ms of CPU for each page a browser test opened, 3 s of the suite's CPU. A connection
    is still one thread's at a time, as in production, where each worker keeps its own (CONN_MAX_AGE); it is
    handed on outside any transaction, and the server closes what it kept when it stops."""
    import threading

    from django.db.backends.sqlite3.base import DatabaseWrapper
    from django.test.testcases import LiveServerThread, ThreadedWSGIServer

    free = {}  # database file -> open connections no request is using
    lock = threading.Lock()
    request_thread = threading.local()
    connect, close = DatabaseWrapper.get_new_connection, DatabaseWrapper._close

    def get_new_connection(self, conn_params):
        if getattr(request_thread, "serving", False):
            with lock:
                if kept := free.get(conn_params["database"]):
                    return kept.pop()
        return connect(self, conn_params)

    def _close(self):
        serving = getattr(request_thread, "serving", False)
        if not serving or self.connection is None or self.in_atomic_block or self.is_in_memory_db():
            return close(self)
        if self.connection.in_transaction:
            self.connection.rollback()
        with lock:
            free.setdefault(self.settings_dict["NAME"], []).append(self.connection)
        return None

    class PassingOnServer(ThreadedWSGIServer):
        def process_request_thread(self, request, client_address):
            request_thread.serving = True
            super().process_request_thread(request, client_address)

        def server_close(self):
            super().server_close()
            with lock:
                for kept in free.values():
                    while kept:
                        kept.pop().close()

    DatabaseWrapper.get_new_connection = get_new_connection
    DatabaseWrapper._close = _close
    LiveServerThread.server_class = PassingOnServer


def _search_index_tasks_dropped():
    """No search-index task is queued after a save when the test settings keep the index as it is.

    The test settings switch the search index's automatic updates off (website/settings.py), yet each saved
    page, image or document still queued a task that read the record again only to find no index to update:
    a tenth of building the demo site, which dozens of tests do. Under HAVEN_TEST_SEARCH_INDEX=1 the index is
    updated and the tasks stay."""
    from django.conf import settings
    from django.db.models.signals import post_save
    from modelsearch import index
    from modelsearch.signal_handlers import post_save_signal_handler

    if any(backend.get("AUTO_UPDATE", True) for backend in settings.WAGTAILSEARCH_BACKENDS.values()):
        return
    for model in index.get_indexed_models():
        post_save.disconnect(post_save_signal_handler, sender=model)


def _longest_first(items):
    """The long tests (marked `slow`, then the browser journeys) first.

    pytest-xdist hands tests out one at a time, in this order: a long test handed out last keeps one worker
    busy after the other has run out of work, a minute and more of the whole run. pytest-django sorts the
    items afterwards into database tests, transactional tests and the rest (a transactional test leaves the
    database empty behind it), keeping this order within each.
    """
    items.sort(key=lambda item: 0 if item.get_closest_marker("slow") else 1 if "browser" in item.keywords else 2)


def _transactional_tests_restore_migrated_data(items):
    """Every transactional test (browser journeys, races) gets serialized_rollback.

    A transactional test empties the database when it ends; data made by migrations (the Wagtail site and
    home page, roles, locales) would then be missing for the next one, or recreated with new ids that
    clash with a serialized copy. Restoring the migrated state for all of them keeps each test's start
    identical to a fresh `migrate`.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", [])
        transactional = (marker is not None and marker.kwargs.get("transaction")) or (
            "live_server" in fixtures or "transactional_db" in fixtures
        )
        if not transactional or (marker is not None and marker.kwargs.get("serialized_rollback")):
            continue
        kwargs = dict(marker.kwargs) if marker is not None else {}
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(**kwargs), append=False)


_SERIALIZED_CONTENTS = {}
_TEMPLATE = {"copied": False}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """Start from a copy of the migrated template when the migrations have not changed (tests/testdb.py)."""
    if testdb.enabled(request.config):
        with django_db_blocker.unblock():
            _TEMPLATE["copied"] = testdb.copy_template_or_build()


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings):
    # A copied template is kept by Django (nothing to create or migrate); the copy goes at the end.
    return request.config.getvalue("reuse_db") or _TEMPLATE["copied"]


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Keep the serialized migrated state made when the test database was created.

    Django stores it on the connection object; the browser journeys run inside Playwright's greenlet,
    where Django hands out a different connection object without it, and the restore would silently
    not happen. Re-attaching it before each test keeps the restore working everywhere.
    """
    from django.db import connections

    if testdb.enabled(request.config):
        with django_db_blocker.unblock():
            if not _TEMPLATE["copied"]:
                testdb.keep_as_template()
            elif not request.config.getvalue("reuse_db"):

                def remove_copy():
                    with django_db_blocker.unblock():
                        testdb.remove_copy()

                request.addfinalizer(remove_copy)

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            _SERIALIZED_CONTENTS[connection.alias] = contents


@pytest.fixture(scope="session", autouse=True)
def _migrated_rows_copied_from_the_template(request):
    """Transactional tests get the migrated rows back from the template rather than from Django's JSON copy
    of them (tests/testdb.py, `restore_migrated_rows`); only that copy, and Django's way when it cannot."""
    from django.db.backends.sqlite3.creation import DatabaseCreation

    if not testdb.enabled(request.config):
        yield
        return
    deserialize = DatabaseCreation.deserialize_db_from_string

    def deserialize_db_from_string(self, data):
        migrated = data is _SERIALIZED_CONTENTS.get(self.connection.alias)
        if not (migrated and testdb.restore_migrated_rows(self.connection)):
            deserialize(self, data)

    DatabaseCreation.deserialize_db_from_string = deserialize_db_from_string
    yield
    DatabaseCreation.deserialize_db_from_string = deserialize


@pytest.fixture
def _serialized_contents_attach(django_db_setup):
    from django.db import connections

    for alias, contents in _SERIALIZED_CONTENTS.items():
        connections[alias]._test_serialized_contents = contents


@pytest.fixture
def _django_db_helper(_serialized_contents_attach, _django_db_helper):
    """pytest-django's own helper, after the serialized state is attached to this context's connection."""
    return _django_db_helper


@pytest.fixture(scope="module")
def module_transaction(request, django_db_setup, django_db_blocker):
    """One transaction around a module's database tests, rolled back when the module ends.

    Data built once for a whole module (the demo site, the demo data) is made inside it; each test's own
    transaction is then a savepoint within it, so a test still sees the data as it was built and leaves no
    trace for the next. Only for tests without `transaction=True` (those commit, and would commit this too)."""
    marked = request.node.get_closest_marker("reference_index") is not None
    with outer_transaction_rolled_back(django_db_blocker, reference_index=marked):
        yield


@pytest.fixture
def coordinator_permissions(db):
    """The Coordinator group's permissions, as migrate gives them (the admin's screens check them)."""
    from accounts.roles import role_permissions_sync

    role_permissions_sync()


@pytest.fixture
def admin(django_app, coordinator, coordinator_permissions):
    """admin(url) -> the admin's page, opened as a coordinator."""

    def _open(url, **kwargs):
        return django_app.get(url, user=coordinator, **kwargs)

    return _open
