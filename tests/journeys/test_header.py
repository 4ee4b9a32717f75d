"""The quick exit never covers a header control, at any width, for a visitor and for a signed-in coordinator,
and Log out and the language switcher do what they say."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.journeys.conftest import log_in, overlapping_header_controls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 360, 768, 1024, 1280, 1366, 1440, 1920]


def test_nothing_in_the_header_is_covered_for_a_visitor_and_the_language_links_work(
    journey_page, live_server, demo_site, screenshot
):
    page = journey_page({"width": 1280, "height": 800})
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/")
        if found := overlapping_header_controls(page):
            problems[width] = found
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.hasAttribute('data-quick-exit')"), width
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('skip-link')"), width
        if found := overlapping_header_controls(page):  # the skip link, now shown, takes its own place
            problems[f"{width} skip link"] = found
        if width in (360, 1366):
            screenshot(page, f"header-visitor-{width}")
    assert not problems, problems

    for width in (360, 1280, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/")
        page.locator(".language-switcher a[hreflang=da]").click()
        page.wait_for_url(f"{live_server.url}/da/**")
        assert page.locator("html").get_attribute("lang") == "da"


def test_nothing_in_the_header_is_covered_for_a_coordinator_and_log_out_works(
    journey_page, live_server, demo_site, coordinator, screenshot
):
    page = journey_page({"width": 1280, "height": 800})
    log_in(page, live_server.url, coordinator)
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}{reverse('home')}")
        expect(page.locator("header").get_by_role("link", name="Administration")).to_be_visible()
        if found := overlapping_header_controls(page):
            problems[width] = found
        if width in (360, 1280, 1366):
            screenshot(page, f"header-coordinator-{width}")
    assert not problems, problems

    for width in (1280, 1366, 1600):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}{reverse('home')}")
        page.locator("#language-select").select_option("da")
        page.locator(".language-switcher button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "da", width
        page.locator("#language-select").select_option("en")
        page.locator(".language-switcher button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en", width

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}{reverse('home')}")
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    # Clear-Site-Data on the log-out answer clears the browser's storage; a navigation started meanwhile is aborted.
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(live_server.url)
    page.goto(f"{live_server.url}{reverse('home')}")
    assert reverse("account_login") in page.url  # signed out for real
