import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cases.models import ActionStep, RiskAssessment


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counselor_assesses_risk_and_plans_a_step(live_server, page, make_case, counselor, screenshot):
    case = make_case(counselor)
    # She is already logged in: reuse a session instead of typing a password.
    client = Client()
    client.force_login(counselor)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + reverse("cases:case_list"))
    page.get_by_role("link", name=case.client.alias, exact=False).first.click()
    page.get_by_role("link", name="Assess the risk").click()
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check()
    for code in ("q_strangled", "q_threat_to_kill", "q_weapon"):
        page.locator(f"input[name={code}][value=yes]").check()
    page.get_by_role("button", name="Save the assessment").click()
    assert page.get_by_text("Risk assessment saved").is_visible()
    assert RiskAssessment.objects.get(case=case).score == 6

    page.goto(live_server.url + reverse("cases:action_plan", args=[case.pk]))
    page.select_option("select[name=area]", "subsidies")
    page.fill("textarea[name=description]", "Zahtev za dečji dodatak")
    page.select_option("select[name=owner]", "client")
    page.get_by_role("button", name="Add the step").click()
    assert page.get_by_text("The step was added").is_visible()
    assert ActionStep.objects.get(plan__case=case).description == "Zahtev za dečji dodatak"
    screenshot(page)
