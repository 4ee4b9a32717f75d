"""A facilitator on a phone takes attendance for a session in under 10 taps and sees it in the overview."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.enums import AttendanceStatus
from groups.models import Attendance


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_facilitator_takes_attendance_on_a_phone_and_sees_the_overview(
    live_server, page, facilitator, cohort, add_members, add_session, screenshot
):
    memberships = add_members(cohort, 4, children_count=1)
    add_session(cohort, timezone.now() - timedelta(minutes=5), topic="Contact with the children")
    aliases = [m.member.alias for m in memberships]

    # She is already logged in on her phone: reuse a session instead of typing a password.
    client = Client()
    client.force_login(facilitator)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(live_server.url + reverse("home"))

    taps = 0

    def tap(locator):
        nonlocal taps
        locator.click()
        taps += 1

    tap(page.get_by_role("navigation", name="Main").get_by_role("link", name="My groups"))
    tap(page.get_by_role("link", name=cohort.name))
    tap(page.get_by_role("link", name="Take attendance for the next session"))
    expected = ["Present", "Present", "Absent", "Excused"]
    for alias, choice in zip(aliases, expected, strict=True):
        tap(page.get_by_role("group", name=alias).get_by_role("radio", name=choice, exact=True))
    tap(page.get_by_role("button", name="Save attendance"))
    # With JavaScript the marks go through the same service as the form, then the page reloads.
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    tap(page.get_by_role("link", name="Attendance overview"))

    expect(page.get_by_role("heading", name="Attendance overview")).to_be_visible()
    grid = page.locator("table.attendance-grid")
    assert grid.locator("td.cell-present").count() == 2
    assert grid.locator("td.cell-absent").count() == 1
    assert grid.locator("td.cell-excused").count() == 1
    screenshot(page)

    assert taps <= 10, f"{taps} taps"
    statuses = sorted(Attendance.objects.values_list("status", flat=True))
    assert statuses == sorted([AttendanceStatus.PRESENT] * 2 + [AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
