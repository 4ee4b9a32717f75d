"""Browser journeys: quick exit, and WCAG 2.2 AA checked with axe-core (vendored, MPL-2.0)."""

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.enums import Role
from tests.axe import axe_in_every_document, axe_problems, reflow_problem

NEUTRAL = "https://www.google.com/"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _neutral_site(page):
    """Stand in for the neutral site: tests never leave the machine."""
    page.context.route(
        f"{NEUTRAL}**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><p>Sunny"),
    )
    page.context.route(
        "https://start.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Start</title><p>Start"),
    )


def test_quick_exit_works_from_a_public_page_and_back_does_not_return(live_server, page, demo_site, screenshot):
    _neutral_site(page)
    page.goto("https://start.example/")
    page.goto(f"{live_server.url}/case-based-counseling/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-quick-exit')")  # first in keyboard order
    page.keyboard.press("Enter")
    page.wait_for_url(f"{NEUTRAL}**")

    page.go_back()
    page.wait_for_load_state()
    assert not page.url.startswith(live_server.url)
    assert page.url.startswith("https://start.example/")
    screenshot(page)


def test_shift_three_times_leaves_but_typing_capitals_does_not(live_server, page):
    _neutral_site(page)
    page.goto("https://start.example/")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").first.click()
    page.keyboard.type("ABC")  # Shift with letters is not the signal
    assert page.url.startswith(live_server.url)

    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(f"{NEUTRAL}**")
    page.go_back()
    page.wait_for_load_state()
    assert not page.url.startswith(live_server.url)


def test_quick_exit_works_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _neutral_site(page)
    page.goto(f"{live_server.url}/")
    page.locator("[data-quick-exit]").click()
    page.wait_for_url(f"{NEUTRAL}**")
    context.close()


def test_page_resets_when_she_comes_back(live_server, page):
    page.goto(f"{live_server.url}/")
    page.evaluate("document.documentElement.style.visibility = 'hidden'")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert page.evaluate("document.documentElement.style.visibility") == ""


def _reverse_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def test_public_pages_have_no_serious_accessibility_violations(live_server, browser, demo_site):
    context = browser.new_context()
    axe_in_every_document(context)
    page = context.new_page()
    problems = {}
    for path in [
        "/",
        "/case-based-counseling/",
        "/projects/safe-at-home/",
        "/news/",
        "/contact/",
        "/da/",
        reverse("website:leave_safely"),
        reverse("account_login"),
    ]:
        page.goto(f"{live_server.url}{path}")
        if violations := axe_problems(page):
            problems[path] = violations
    context.close()
    assert not problems, problems


def _logged_in(browser, live_server, user, **context_options):
    """(context, page): a browser context given axe-core, logged in as `user` through the login page."""
    context = browser.new_context(**context_options)
    axe_in_every_document(context)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('account_login')}")
    page.get_by_label("Email").first.fill(user.email)
    page.get_by_label("Password").first.fill("a-long-test-pass")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    return context, page


def test_her_account_pages_fit_a_phone_and_have_no_serious_accessibility_violations(live_server, browser, make_user):
    """The account pages are allauth's, in the site's frame: on a phone they scroll up and down only (her
    sessions' table, with a browser's long name in it, scrolls sideways inside its own box)."""
    context, page = _logged_in(browser, live_server, make_user(Role.TRAINEE), viewport={"width": 390, "height": 844})
    problems = {}
    for name in ["accounts:profile", "account_email", "account_change_password", "usersessions_list", "mfa_index"]:
        path = reverse(name)
        page.goto(f"{live_server.url}{path}")
        assert page.url.endswith(path), f"{name} redirected to {page.url}"
        found = [*axe_problems(page), *filter(None, [reflow_problem(page)])]
        if found:
            problems[path] = found
    context.close()
    assert not problems, problems


@pytest.mark.parametrize(
    ("role", "url_names"),
    [
        (Role.FACILITATOR, ["groups:my_cohorts", "home", "website:calendar_settings"]),
        (Role.TRAINEE, ["trainings:dashboard", "home", "website:calendar_settings"]),
    ],
)
def test_logged_in_pages_have_no_serious_accessibility_violations(live_server, browser, make_user, role, url_names):
    context, page = _logged_in(browser, live_server, make_user(role))
    problems = {}
    for name in url_names:
        path = _reverse_or_none(name)
        if path is None:
            continue
        page.goto(f"{live_server.url}{path}")
        assert page.url.endswith(path), f"{name} redirected to {page.url}"
        if violations := axe_problems(page):
            problems[path] = violations
    context.close()
    assert not problems, problems
