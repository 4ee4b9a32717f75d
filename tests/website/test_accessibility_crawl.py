"""axe-core over every page of the project, not a sample: each URL of the permission matrix is opened once,
as the first role that may see it, and checked against WCAG 2.2 AA (serious and critical findings fail)
and for sideways scrolling at a phone's width (Reflow).

The pages and roles come from the permission matrix (tests/security/matrix.py), so a new page is crawled
as soon as it has its row there. Files (XLSX, PDF, calendars, JSON) and the service worker are not pages.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from tests.axe import axe_in_every_document, axe_problems, reflow_problem
from tests.security.matrix import MATRIX, matrix_url, project_urls
from tests.security.matrix_world import ROLES, world_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Answers that are files or machine-readable: what a browser downloads, not a page a person reads.
NOT_PAGES = ("text/calendar", "application/", "image/", "text/javascript", "text/csv", "text/plain")


@pytest.mark.slow
def test_every_page_any_role_reaches_has_no_serious_accessibility_violation(live_server, browser, make_user):
    world = world_build(make_user)
    pages_by_role = {role: [] for role in ROLES}
    for name in sorted(project_urls()):
        seen_by = next((role for role in ROLES if MATRIX.get(name, {}).get(role) == "200"), None)
        if seen_by is not None:
            pages_by_role[seen_by].append(name)

    problems, checked = {}, 0
    answers = {}  # address -> its answer's headers, a download's too (goto raises for those)
    for role in ROLES:
        if not pages_by_role[role]:
            continue
        # At a phone's size: wide tables scroll there, and a box that scrolls must be reachable by keyboard.
        context = browser.new_context(viewport={"width": 390, "height": 844})
        user = world.users.get(role)
        client = Client()
        if user is not None:
            client.force_login(user)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        axe_in_every_document(context)
        page = context.new_page()
        page.on("response", lambda response: answers.__setitem__(response.url, response.headers))
        for name in pages_by_role[role]:
            address = f"{live_server.url}{matrix_url(name, world.objects)}"
            try:
                page.goto(address)
            except PlaywrightError as error:
                # A file starts a download instead of a page. (Asking each address with the test client
                # first, to know, was 2 s of the crawl's 23.)
                assert "Download is starting" in error.message, (name, error.message)
            headers = answers.pop(address, {})
            content_type = headers.get("content-type", "").lower()
            if not content_type.startswith("text/html") or "attachment" in headers.get("content-disposition", ""):
                assert content_type.startswith(NOT_PAGES), (name, content_type)
                continue
            checked += 1
            found = [*axe_problems(page), *filter(None, [reflow_problem(page)])]
            if found:
                problems[f"{name} as {role}"] = found
        context.close()
    assert checked > 60, checked  # the crawl really reached the project's pages
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())
