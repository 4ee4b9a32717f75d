import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.enums import Role
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment

PHONE_WIDTHS = (360, 375, 390)


def _no_sideways_scroll(page):
    """Nothing on the page is wider than the screen: the phone never scrolls sideways."""
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('main *')]
                .filter(el => el.getBoundingClientRect().right > width + 0.5)
                .map(el => el.tagName + '.' + el.className);
            return {scroll: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5)};
        }"""
    )
    assert overflow["scroll"] <= 0 and not overflow["wide"], overflow


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_trainee_finds_a_training_and_enrols(live_server, page, make_user, make_edition, screenshot):
    edition = make_edition(capacity=5)
    trainee = make_user(Role.TRAINEE, email="maja@example.org", full_name="Maja Šćekić")

    # She is already logged in: reuse a session instead of typing a password.
    client = Client()
    client.force_login(trainee)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip

    page.goto(live_server.url + reverse("trainings:catalogue"))
    expect(page.get_by_text("5 seats left")).to_be_visible()
    page.get_by_role("link", name="Enrol").first.click()
    page.get_by_role("button", name="Enrol").click()
    page.wait_for_url("**" + reverse("trainings:dashboard"))
    expect(page.get_by_text("You are enrolled").first).to_be_visible()
    expect(page.get_by_role("heading", name=edition.programme.title)).to_be_visible()
    screenshot(page)
    assert Enrollment.objects.get(user=trainee).status == EnrollmentStatus.ENROLLED
    # Back in the catalogue the edition says where she stands, and offers no second "Enrol".
    page.goto(live_server.url + reverse("trainings:catalogue"))
    expect(page.get_by_text("You are enrolled")).to_be_visible()
    assert page.get_by_role("link", name="Enrol").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_signed_out_visitor_enrols_through_sign_up_on_a_phone(live_server, page, make_edition, screenshot):
    edition = make_edition(capacity=5)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + reverse("trainings:edition_detail", args=[edition.pk]))
    page.get_by_role("link", name="Enrol").first.click()
    page.get_by_role("link", name="Create an account").click()
    page.fill("input[name=email]", "tijana@example.org")
    page.fill("input[name=password1]", "a-long-journey-pass")
    page.fill("input[name=password2]", "a-long-journey-pass")
    page.fill("input[name=full_name]", "Tijana Ćirić")
    page.fill("input[name=organisation]", "Centre for Social Work Pančevo")
    page.fill("input[name=job_title]", "Social worker")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    link = re.search(r"https?://\S+/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/login" in page.url:
        page.fill("input[name=login]", "tijana@example.org")
        page.fill("input[name=password]", "a-long-journey-pass")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    # She lands on the confirmation of the edition she chose, not on an empty "My trainings".
    assert page.url.endswith(reverse("trainings:enrol", args=[edition.pk]))
    page.get_by_role("button", name="Enrol").click()
    page.wait_for_url("**" + reverse("trainings:dashboard"))
    screenshot(page)
    assert Enrollment.objects.get(user__email="tijana@example.org").status == EnrollmentStatus.ENROLLED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_edition_cards_fit_a_phone(live_server, page, make_edition, programme, screenshot, language):
    programme.title = "Nasilje u porodici i njegove posledice za decu-svedoke: procena roditeljskih kapaciteta"
    programme.save()
    make_edition(capacity=12, municipality="Novi Bečej-Kumane-Bočar", venue="Kulturni centar „Vuk Karadžić“")
    make_edition(capacity=1, start_in=20)
    make_edition(start_in=25, venue="", municipality="", online_link="https://meet.example.org/a-very-long-room")
    prefix = "" if language == "en" else f"/{language}"
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}{prefix}{reverse('trainings:catalogue')}")
        _no_sideways_scroll(page)
    screenshot(page, f"trainings-catalogue-phone-{language}")
