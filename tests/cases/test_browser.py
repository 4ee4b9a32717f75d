import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.enums import Role
from cases import services
from cases.enums import CaseEventKind, DataCategory
from cases.models import ActionStep, CaseEvent, ConsentRecord, RiskAssessment
from core import dates


def sign_in(page, live_server, user):
    """She is already logged in: reuse a session instead of typing a password."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counselor_assesses_risk_and_plans_a_step(live_server, page, make_case, counselor, screenshot):
    case = make_case(counselor)
    sign_in(page, live_server, counselor)
    page.goto(live_server.url + reverse("cases:case_list"))
    page.get_by_role("link", name=case.client.alias, exact=False).first.click()
    page.get_by_role("link", name="Assess the risk").click()
    # `all()` does not wait: asked before the form's page has come, it found no radio to check.
    expect(page.get_by_role("heading", level=1, name="New risk assessment")).to_be_visible()
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check()
    for code in ("q_strangled", "q_threat_to_kill", "q_weapon"):
        page.locator(f"input[name={code}][value=yes]").check()
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text("Risk assessment saved")).to_be_visible()
    assert RiskAssessment.objects.get(case=case).score == 6

    page.goto(live_server.url + reverse("cases:action_plan", args=[case.pk]))
    page.select_option("select[name=area]", "subsidies")
    page.fill("textarea[name=description]", "Zahtev za dečji dodatak")
    page.select_option("select[name=owner]", "client")
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_text("The step was added")).to_be_visible()
    assert ActionStep.objects.get(plan__case=case).description == "Zahtev za dečji dodatak"
    screenshot(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_from_her_caseload_through_a_handover_and_a_consent_withdrawal(
    live_server, page, make_case, make_user, make_profile, counselor, coordinator, csw, screenshot
):
    today = dates.today()
    case = make_case(counselor)
    consent = services.consent_record(
        case=case,
        recipient=csw,
        categories=[DataCategory.RISK],
        purpose="Koordinacija zaštite",
        given_how="written",
        valid_from=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=20),
        by=counselor,
    )
    services.disclosure_record(case=case, recipient=csw, categories=[DataCategory.RISK], format="print", by=counselor)
    successor = make_user(Role.COUNSELOR, full_name="Jovana Nova")
    make_profile(successor)

    # Her caseload shows the case and the consent that ends within a month.
    sign_in(page, live_server, counselor)
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="My caseload").first.click()
    expect(page.get_by_text("Consent ends: Centar za socijalni rad Test")).to_be_visible()
    expect(page.get_by_role("link", name=f"{case.client.alias} ({case.client.code})").first).to_be_visible()
    screenshot(page, "caseload-before-handover")

    # The coordinator hands the case over from the team caseload.
    sign_in(page, live_server, coordinator)
    page.goto(live_server.url + reverse("cases:team"))
    page.get_by_role("link", name=f"{case.client.alias} ({case.client.code})").first.click()
    page.get_by_role("link", name="Hand the case over").click()
    page.get_by_label("Lead counselor").select_option(label="Jovana Nova")
    page.get_by_label("Why the case is handed over").fill("Savetnica odlazi na porodiljsko odsustvo.")
    page.get_by_role("button", name="Hand the case over").click()
    expect(page.get_by_text("The case was handed over")).to_be_visible()
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.REASSIGNED).exists()
    screenshot(page, "case-after-handover")

    # She no longer has it; her successor finds it on her caseload and records the withdrawal.
    sign_in(page, live_server, counselor)
    page.goto(live_server.url + reverse("cases:caseload"))
    assert page.get_by_text(case.client.code).count() == 0
    sign_in(page, live_server, successor)
    page.goto(live_server.url + reverse("cases:caseload"))
    page.get_by_role("link", name=f"{case.client.alias} ({case.client.code})").first.click()
    page.locator("nav.case-nav").get_by_role("link", name="Consents").click()
    page.get_by_role("link", name="Withdraw…").click()
    expect(page.get_by_text("Print view")).to_be_visible()  # what was shared under it
    page.get_by_label("Why she withdrew her consent").fill("Ne želi da centar više dobija podatke o njoj.")
    page.get_by_label("She asks that the recipient is told").check()
    page.get_by_label("Nothing more may be shared on the ground of this consent.").check()
    page.get_by_role("button", name="Withdraw the consent").click()
    expect(page.get_by_text("The consent was withdrawn")).to_be_visible()
    consent.refresh_from_db()
    assert consent.withdrawn_on == today and consent.withdrawn_by == successor

    page.goto(live_server.url + reverse("cases:caseload"))
    expect(page.get_by_text("Tell a recipient of a withdrawal: Centar za socijalni rad Test")).to_be_visible()
    screenshot(page, "caseload-task-to-tell")
    page.get_by_role("button", name="Told").click()
    expect(page.get_by_text("the recipient was told")).to_be_visible()
    assert ConsentRecord.objects.get(pk=consent.pk).recipient_told_on == today
    screenshot(page, "caseload-after-withdrawal")
