import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from reporting.enums import PeriodStatus, Transition
from reporting.services import period_transition


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_project_manager_opens_report_downloads_xlsx_and_locks(
    live_server, page, project, period, project_manager, coordinator, groups_data, target, screenshot
):
    target("women_in_groups", 40)
    groups_data("Novi Sad Wednesday", [date(2022, 4, 5), date(2022, 5, 10)], 12)
    period_transition(period=period, transition=Transition.SUBMIT_FOR_REVIEW, by=project_manager)
    period_transition(period=period, transition=Transition.APPROVE, by=coordinator)

    client = Client()
    client.force_login(project_manager)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(live_server.url + reverse("reporting:home"))
    page.get_by_role("link", name="Safe Together", exact=True).click()
    page.get_by_role("link", name="Q2 2022", exact=True).click()
    expect(page.get_by_role("heading", name="Donor report: Q2 2022")).to_be_visible()
    expect(page.get_by_text("30.0 % of the target (12 of 40)")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX").click()
    book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert book.sheetnames[0] == "Cover"

    # Locking asks once more before it is done.
    page.locator("summary", has_text="Lock").click()
    page.get_by_role("button", name="Lock").click()
    expect(page.get_by_text("is now: Locked")).to_be_visible()
    assert page.locator("#period-status").inner_text() == "Locked"
    expect(page.get_by_text("was locked by")).to_be_visible()
    period.refresh_from_db()
    assert period.status == PeriodStatus.LOCKED
    assert period.locked_by == project_manager
    screenshot(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_project_manager_adds_a_result_and_reads_its_chart(
    live_server, page, project, project_manager, groups_data, screenshot, width, height
):
    """Phone and laptop: a result and an indicator made on her pages, then the period's chart and table,
    with nothing wider than the screen."""
    groups_data("Novi Sad Wednesday", [date(2022, 4, 5), date(2022, 5, 10)], 12)
    client = Client()
    client.force_login(project_manager)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + reverse("reporting:project", args=[project.pk]))
    page.get_by_role("link", name="Add a result").click()
    page.locator("#id_result_type").select_option(label="Outcome")
    page.locator("#id_title").fill("Women feel safer")
    page.get_by_role("button", name="Save result").click()
    expect(page.get_by_text("The result was saved.")).to_be_visible()
    page.get_by_role("link", name="Add an indicator").click()
    page.locator("#id_title").fill("Women in groups")
    page.locator("#id_measure").select_option(value="women_in_groups")
    page.locator("#id_target").fill("40")
    page.get_by_label("Target for Q2 2022").fill("12")
    page.get_by_role("button", name="Save indicator").click()
    expect(page.get_by_text("The indicator was saved.")).to_be_visible()

    page.get_by_role("link", name="Q2 2022", exact=True).click()
    chart = page.locator("svg.chart").first
    assert chart.get_attribute("role") == "img"
    assert "Women in groups" in chart.locator("title").first.text_content()
    expect(page.get_by_role("table", name="Women in groups, period by period")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    screenshot(page, f"results-framework-{width}")
