"""A coordinator books a counseling session, and a second overlapping booking is refused with a clear message."""

import pytest
from django.conf import settings
from django.test import Client as BrowserSession
from django.urls import reverse
from playwright.sync_api import expect

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
    expect(page.get_by_text("The booking was saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Jasmina")).to_be_visible()

    page.goto(live_server.url + reverse("counseling:booking_new"))
    page.get_by_label("Counselor").select_option(label=str(profile))
    _fill_booking(page, client_label=f"{second.alias} ({second.code})", day=monday, start="10:30", end="11:30")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert "already has a booking at this time" in alert.inner_text()
    screenshot(page)
    assert Booking.objects.count() == 1
    # Each field in a box of its own: the last, a checkbox, sat on the line of the button below it.
    checkbox = page.get_by_label("Book outside her availability").bounding_box()
    button = page.locator("main form button[type=submit]").bounding_box()
    assert button["y"] >= checkbox["y"] + checkbox["height"], (checkbox, button)


def _signed_in(page, live_server, user):
    web = BrowserSession()
    web.force_login(user)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": web.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_week_stands_in_columns_on_a_laptop_and_is_a_list_of_days_on_a_phone(
    live_server, page, counselor, profile, her_client, room, monday, screenshot
):
    from tests.counseling.conftest import booked_at_ten

    booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=counselor)
    _signed_in(page, live_server, counselor)
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}{reverse('counseling:my_bookings')}?view=week&date={monday.isoformat()}")
        boxes = [page.locator("li.week-day").nth(n).bounding_box() for n in range(7)]
        if width >= 1024:
            assert len({round(box["y"]) for box in boxes}) == 1  # one row of seven columns
            assert all(a["x"] + a["width"] <= b["x"] for a, b in zip(boxes, boxes[1:], strict=False))
        else:
            assert all(a["y"] + a["height"] <= b["y"] for a, b in zip(boxes, boxes[1:], strict=False))
            assert max(box["x"] + box["width"] for box in boxes) <= width  # nothing runs off the phone
        expect(page.get_by_role("link", name=her_client.alias)).to_be_visible()
        screenshot(page, name=f"counseling-week-{width}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refused_form_opens_on_its_error_summary_whose_links_lead_to_the_fields(
    live_server, page, counselor, profile, screenshot
):
    _signed_in(page, live_server, counselor)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("counseling:booking_new"))
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    summary.get_by_role("link", name="Date").click()
    assert page.evaluate("document.activeElement.id") == "id_date"
    screenshot(page, name="counseling-error-summary")
