"""A public page kept whole for visitors (core.pagecache): kept only for someone not logged in, only while its
stamp and the clock say it still holds, and never when it holds something of one visitor."""

from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.csrf import get_token
from django.test import RequestFactory

from core import dates, pagecache
from core.pagecache import code_version_of, page_kept_for_visitors

pytestmark = pytest.mark.django_db


def _request(path="/list/", user=None, method="get", **query):
    request = getattr(RequestFactory(), method)(path, query)
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    ContentSecurityPolicyMiddleware(lambda r: None).process_request(request)
    request.user = user or AnonymousUser()
    return request


class Page:
    """A page that counts how often it was built; `stamp` and `until` as a test sets them."""

    def __init__(self, build=None):
        self.built = 0
        self.stamp = 1
        self.until = dates.now() + timedelta(hours=1)
        self.build = build

    def __call__(self, request):
        def render():
            self.built += 1
            if self.build:
                self.build(request)
            return HttpResponse(f"page {self.built}", content_type="text/html; charset=utf-8")

        return page_kept_for_visitors(
            request, name="list", stamp=lambda: self.stamp, until=lambda: self.until, render=render
        )


def test_a_visitor_gets_the_page_kept_from_the_first_one():
    page = Page()
    assert page(_request()).content == b"page 1"
    kept = page(_request())
    assert kept.content == b"page 1" and kept["Content-Type"] == "text/html; charset=utf-8"
    assert page.built == 1


def test_what_the_view_said_of_its_page_travels_with_the_kept_page():
    class Said(Page):
        def __call__(self, request):
            def render():
                self.built += 1
                response = HttpResponse("page", content_type="text/html; charset=utf-8")
                response["Cache-Control"] = "private"
                response["Vary"] = "Accept-Language"
                return response

            return page_kept_for_visitors(
                request, name="said", stamp=lambda: 1, until=lambda: self.until, render=render
            )

    page = Said()
    page(_request())
    kept = page(_request())
    assert page.built == 1
    assert kept["Cache-Control"] == "private" and kept["Vary"] == "Accept-Language"
    assert kept["Content-Type"] == "text/html; charset=utf-8"


def test_another_address_query_or_language_is_another_page_and_the_order_of_the_query_is_not(settings):
    settings.ALLOWED_HOSTS = ["testserver", "example.org"]
    page = Page()
    page(_request(month="2027-03", place="Pančevo"))
    page(_request(place="Pančevo", month="2027-03"))
    assert page.built == 1
    page(_request(month="2027-04", place="Pančevo"))
    page(_request("/other/"))
    other_site = _request()
    other_site.META["HTTP_HOST"] = "example.org"
    page(other_site)
    from django.utils import translation

    with translation.override("da"):
        page(_request())
    page(_request())
    assert page.built == 6


def test_a_moved_stamp_or_the_clock_past_its_moment_builds_it_again(clock):
    clock(dates.now(), tick=False)
    page = Page()
    page(_request())
    page.stamp = 2
    assert page(_request()).content == b"page 2"
    page.until = dates.now() + timedelta(minutes=1)
    page.stamp = 3
    page(_request())
    assert page(_request()).content == b"page 3"
    clock(dates.now() + timedelta(minutes=1), tick=False)
    assert page(_request()).content == b"page 4"


def test_a_page_kept_by_one_release_is_not_served_by_another(monkeypatch):
    # A server of the old release still running beside the new one keeps its pages for its own code alone.
    page = Page()
    monkeypatch.setattr(pagecache, "code_version", lambda: "old")
    page(_request())
    monkeypatch.setattr(pagecache, "code_version", lambda: "new")
    assert page(_request()).content == b"page 2"
    monkeypatch.setattr(pagecache, "code_version", lambda: "old")
    assert page(_request()).content == b"page 1"


def _release(root, **files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode() if isinstance(text, str) else text)
    return code_version_of(root)


def test_the_code_version_follows_what_pages_are_written_from_and_nothing_else(tmp_path):
    code = {
        "app/models.py": "x = 1",
        "templates/page.html": "<p>{{ x }}</p>",
        "locale/da/LC_MESSAGES/django.mo": b"\x00mo",
        "static/css/site.css": "p {}",
    }
    first = _release(tmp_path / "one", **code)
    # The same release on another machine (another directory, other file times): the same version.
    assert _release(tmp_path / "two", **code) == first
    for name in code:
        assert _release(tmp_path / "two", **{name: "changed"}) != first, name
        _release(tmp_path / "two", **{name: code[name]})
    assert _release(tmp_path / "two") == first
    # What no page is written from: data, tests, compiled Python, caches, the collected static files.
    unread = {
        "var/bench.sqlite3": "data",
        "tests/test_page.py": "assert True",
        "app/__pycache__/models.cpython-312.pyc": b"\x00",
        ".git/HEAD": "ref",
        "staticfiles/css/site.css": "p { color: red }",
        "media/photo.html": "upload",
        "README.md": "words",
    }
    assert _release(tmp_path / "two", **unread) == first


def test_no_stamp_while_a_writer_is_at_work_builds_it_every_time():
    page = Page()
    page.stamp = None
    page(_request())
    page(_request())
    assert page.built == 2


def test_someone_logged_in_a_post_or_a_preview_always_gets_it_built(trainee):
    page = Page()
    page(_request())
    page(_request(user=trainee))
    page(_request(method="post"))
    preview = _request()
    preview.is_preview = True
    page(preview)
    assert page.built == 4
    # Nor was her page kept for the next visitor.
    assert page(_request()).content == b"page 1"


def test_a_visitor_with_a_message_waiting_gets_it_built_and_her_message_is_neither_kept_nor_lost():
    page = Page()
    page(_request())
    request = _request()
    messages.info(request, "You have logged out.")
    assert page(request).content == b"page 2"
    assert [str(message) for message in messages.get_messages(request)] == ["You have logged out."]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(get_token, id="a form token"),
        pytest.param(lambda request: str(request._csp_nonce), id="a script nonce"),
    ],
)
def test_a_page_holding_something_of_her_is_never_kept(build):
    page = Page(build=build)
    page(_request())
    page(_request())
    assert page.built == 2


def test_a_page_that_is_not_found_or_sets_a_cookie_is_never_kept():
    def not_found():
        return HttpResponse("gone", status=404)

    def with_cookie():
        response = HttpResponse("hello")
        response.set_cookie("seen", "yes")
        return response

    for render in (not_found, with_cookie):
        built = []

        def counted(render=render, built=built):
            built.append(1)
            return render()

        for _ in range(2):
            page_kept_for_visitors(
                _request(), name="x", stamp=lambda: 1, until=lambda: dates.now() + timedelta(hours=1), render=counted
            )
        assert len(built) == 2


def test_filling_the_kept_pages_never_drops_a_rate_limits_count(clock):
    """A visitor may have as many filtered pages kept as she asks for; a full cache drops entries to make room,
    and a rate limit's count dropped would let her try again at once (core.ratelimit)."""
    from django.conf import settings

    from core.ratelimit import rate_limit_hit

    clock(dates.now(), tick=False)  # one window of the limiter throughout
    limit = 3
    for _ in range(limit):
        assert not rate_limit_hit(scope="login", key="203.0.113.7", limit=limit)
    room = settings.CACHES["kept"]["OPTIONS"]["MAX_ENTRIES"]
    for number in range(room + 300):  # beyond the kept cache's room, and the default cache's (300)
        page_kept_for_visitors(
            _request(page=str(number)),
            name="catalogue",
            stamp=lambda: 1,
            until=lambda: dates.now() + timedelta(hours=1),
            render=lambda: HttpResponse("a page"),
        )
    assert rate_limit_hit(scope="login", key="203.0.113.7", limit=limit)  # still counted: refused
