import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment


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
    assert page.get_by_text("5 seats left").is_visible()
    page.get_by_role("link", name="Enrol").first.click()
    page.get_by_role("button", name="Enrol").click()
    page.wait_for_url("**" + reverse("trainings:dashboard"))
    assert page.get_by_text("You are enrolled").is_visible()
    assert page.get_by_role("heading", name=edition.programme.title).is_visible()
    screenshot(page)
    assert Enrollment.objects.get(user=trainee).status == EnrollmentStatus.ENROLLED
