"""A coordinator books a counseling session, and a second overlapping booking is refused with a clear message."""

import pytest
from django.conf import settings
from django.test import Client as BrowserSession
from django.urls import reverse

from counseling.models import Booking


def _fill_booking(page, *, client_label, day, start, end, room="Soba 1"):
    page.get_by_label("Client").select_option(label=client_label)
    page.get_by_label("Kind of session").select_option(label="Experiential counseling")
    page.get_by_label("Room").select_option(label=room)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("From").fill(start)
    page.get_by_label("Until").fill(end)
    page.get_by_role("button", name="Save").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_books_and_a_second_overlapping_booking_is_refused(
    live_server, page, coordinator, profile, make_client, room, monday, screenshot
):
    first, second = make_client(alias="Jasmina"), make_client(alias="Đurđa")
    web = BrowserSession()
    web.force_login(coordinator)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": web.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    page.get_by_role("link", name="New booking").click()
    page.get_by_label("Counselor").select_option(label=str(profile))
    _fill_booking(page, client_label=f"{first.alias} ({first.code})", day=monday, start="10:00", end="11:00")
    assert page.get_by_text("The booking was saved.").is_visible()
    assert page.get_by_role("link", name="Jasmina").is_visible()

    page.goto(live_server.url + reverse("counseling:booking_new"))
    page.get_by_label("Counselor").select_option(label=str(profile))
    _fill_booking(page, client_label=f"{second.alias} ({second.code})", day=monday, start="10:30", end="11:30")
    alert = page.get_by_role("alert")
    assert alert.is_visible()
    assert "already has a booking at this time" in alert.inner_text()
    screenshot(page)
    assert Booking.objects.count() == 1
