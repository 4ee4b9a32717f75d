"""Public pages kept whole for visitors who are not logged in.

A public listing (the training catalogue) is the page most visitors open and the same for all of them,
yet building it reads and formats every card again. A page kept here is served from the cache only while
everything it was built from is unchanged:

- the page's own `stamp`, which its app derives from the database (a stamp that triggers move on any change
  of its tables, whatever made the change: a page, the Wagtail admin, a service, the ORM's bulk update);
- the moment it stops being true by the clock (`until`: the next opening or closing it shows, the next day);
- the language, the address (host and path) and its query (filters, page number).

A value is kept for the code that built it: its templates, translations and Python (`code_version`), so a release
that changes how a page is written is not answered with pages written the old way, even by a server of the
old release still running beside the new ones until it is restarted.

Only a visitor who is not logged in gets a kept page, and only a page that holds nothing of one visitor is
kept: none with a message for her (a message is shown once), none with a form token or a script nonce,
none that sets a cookie. For someone logged in, what such a page shows everyone alike may be kept the same
way as a value (`value_kept_while_unchanged`), and made hers on each request.
"""

import functools
import hashlib
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.utils.translation import get_language

from core import dates

# An upper bound on how long an unchanged page is kept, so the cache does not fill with pages nobody asks
# for again; the stamp and `until` decide when a kept page is out of date.
KEPT_SECONDS = 15 * 60
_NOT_KEPT = {"content-length", "set-cookie"}
# What a kept value may be written from, under the project's directory, and the directories holding none of it.
_CODE_SUFFIXES = frozenset({".py", ".html", ".txt", ".mo", ".css", ".js"})
_NOT_CODE = frozenset({"var", "media", "staticfiles", "tests", "bench", "node_modules", "test-artifacts"})


def code_version_of(root: Path) -> str:
    """A digest of the code under `root` that pages are written from (Python, templates, compiled
    translations, styles and scripts whose names a page carries), whatever the files' times: the same on
    every machine that serves the same release."""
    digest = hashlib.sha256()

    def walk(directory: Path):
        for path in sorted(directory.iterdir()):
            if path.is_dir():
                if path.name not in _NOT_CODE and not path.name.startswith((".", "_")) and path.suffix != ".egg-info":
                    walk(path)
            elif path.suffix in _CODE_SUFFIXES:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())

    walk(root)
    for package in ("django", "wagtail"):
        digest.update(f"{package} {version(package)}".encode())
    return digest.hexdigest()


@functools.cache
def code_version() -> str:
    """This process's code (`code_version_of` the project): worked out once, when the server starts."""
    return code_version_of(Path(settings.BASE_DIR))


def request_for_anyone(request) -> bool:
    """Whether the request may be answered with a page kept for everyone: a visitor's GET, not logged in,
    not a preview, with no message waiting for her."""
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    if getattr(request, "is_preview", False):  # Wagtail's preview of a draft: never the published page
        return False
    # len() reads the pending messages without marking them shown.
    return not len(get_messages(request))


def _holds_nothing_of_her(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not get_nonce(request)
    )


def page_kept_for_visitors(
    request,
    *,
    name: str,
    stamp: Callable[[], object],
    until: Callable[[], object],
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """The page `render()` builds, or the same page kept from an earlier visitor while nothing it shows changed
    (value_kept_while_unchanged, below, for its address and query).

    `stamp()` is asked only for a visitor who may get a kept page; when it returns None (a writer is at work),
    the page is built and not kept. `until()` is asked when a page is built to be kept: the next moment it
    stops being true.
    """
    if not request_for_anyone(request):
        return render()
    built = []

    def build():
        response = render()
        if callable(getattr(response, "render", None)):
            response = response.render()
        built.append(response)
        if not _holds_nothing_of_her(request, response):
            return None
        # What the view said of the page travels with it (its type, and any Cache-Control or Vary it set);
        # what the middleware adds is added again on the way out.
        headers = {header: value for header, value in response.headers.items() if header.lower() not in _NOT_KEPT}
        return {"content": response.content, "headers": headers}

    kept = value_kept_while_unchanged(
        name=f"page:{name}",
        identity=(request.get_host(), request.path, sorted(request.GET.lists())),
        stamp=stamp,
        until=until,
        build=build,
    )
    if built:
        return built[0]
    return HttpResponse(kept["content"], headers=kept["headers"])


def value_kept_while_unchanged(
    *,
    name: str,
    identity: object,
    stamp: Callable[[], object],
    build: Callable[[], object],
    until: Callable[[], object] | None = None,
):
    """What `build()` returns, or the same value kept from an earlier request while nothing it was built from
    changed: the `stamp()` it was built under is the current one (None: a writer is at work, it is built and
    not kept), `until()` has not come (without `until`, what the stamp alone decides is kept for
    KEPT_SECONDS), and it was asked in the same language for the same `identity` (a page's address, filters
    and number). A value of None is not kept. For what a page shows to everyone alike: nothing of one person
    may be in the value."""
    current = stamp()
    if current is None:
        return build()
    described = repr((code_version(), name, get_language(), identity, current))
    key = "kept:" + hashlib.sha256(described.encode()).hexdigest()
    kept = caches["kept"].get(key)
    if kept is not None and (kept["until"] is None or dates.now() < kept["until"]):
        return kept["value"]
    # Asked before the value is built: a moment that passes while it is built is then still ahead of it.
    moment = until() if until is not None else None
    value = build()
    if value is not None:
        caches["kept"].set(key, {"value": value, "until": moment}, KEPT_SECONDS)
    return value
