import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

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
    assert page.get_by_role("heading", name="Donor report: Q2 2022").is_visible()
    assert page.get_by_text("30.0 % of the target (12 of 40)").is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX").click()
    book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert book.sheetnames[0] == "Cover"

    # Locking asks once more before it is done.
    page.locator("summary", has_text="Lock").click()
    page.get_by_role("button", name="Lock").click()
    assert page.get_by_text("is now: Locked").is_visible()
    assert page.locator("#period-status").inner_text() == "Locked"
    assert page.get_by_text("was locked by").is_visible()
    period.refresh_from_db()
    assert period.status == PeriodStatus.LOCKED
    assert period.locked_by == project_manager
    screenshot(page)
