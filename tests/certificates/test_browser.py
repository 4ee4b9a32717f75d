import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.enums import Role
from certificates.models import Certificate
from trainings.enums import EditionStatus
from trainings.models import Edition, Enrollment, TrainingSession


def _aware(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _logged_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_trainee_journey_to_a_verified_certificate(
    live_server, page, make_user, programme, accreditation, screenshot, tmp_path
):
    today = timezone.localdate()
    now = timezone.now()
    trainer = make_user(Role.TRAINER, full_name="Sofie Østergaard")
    coordinator = make_user(Role.COORDINATOR)
    edition = Edition.objects.create(
        programme=programme,
        start_date=today,
        end_date=today,
        venue="Cultural Centre",
        enrolment_opens=now - timedelta(days=10),
        enrolment_closes=now + timedelta(hours=6),
        status=EditionStatus.OPEN,
    )
    edition.trainers.add(trainer)
    session = TrainingSession.objects.create(edition=edition, start=_aware(today, 9), end=_aware(today, 17))

    # She signs up and confirms her email.
    page.goto(live_server.url + reverse("account_signup"))
    page.fill("input[name=email]", "dusica@example.org")
    page.fill("input[name=password1]", "a-long-journey-pass")
    page.fill("input[name=password2]", "a-long-journey-pass")
    page.fill("input[name=full_name]", "Dušica Živković-Ærø")
    page.fill("input[name=organisation]", "Dom zdravlja Kikinda")
    page.fill("input[name=job_title]", "Nurse")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    link = re.search(r"https?://\S+/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/login" in page.url:
        page.fill("input[name=login]", "dusica@example.org")
        page.fill("input[name=password]", "a-long-journey-pass")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

    # She enrols in the edition.
    page.goto(live_server.url + reverse("trainings:enrol", args=[edition.pk]))
    page.get_by_role("button", name="Enrol").click()
    page.wait_for_url("**" + reverse("trainings:dashboard"))
    enrollment = Enrollment.objects.get(edition=edition, user__email="dusica@example.org")

    # The trainer marks her present.
    trainer_page = _logged_in_page(page.context.browser, live_server, trainer)
    trainer_page.goto(live_server.url + reverse("trainings:session_attendance", args=[session.pk]))
    trainer_page.locator(f"label.attendance-present:has(input[name=e-{enrollment.pk}])").click()
    trainer_page.get_by_role("button", name="Save attendance").click()
    trainer_page.wait_for_load_state()

    # The edition closes (the coordinator closes it); the certificate is issued by the completion task.
    coordinator_page = _logged_in_page(page.context.browser, live_server, coordinator)
    coordinator_page.goto(live_server.url + reverse("trainings:participants", args=[edition.pk]))
    coordinator_page.get_by_role("button", name="Close edition").click()
    coordinator_page.wait_for_load_state()
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.holder_name == "Dušica Živković-Ærø"
    assert certificate.accreditation_points == Decimal("12.0")

    # She downloads it from her page.
    page.goto(live_server.url + reverse("home"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download certificate {certificate.serial} (PDF)").first.click()
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    text = PdfReader(pdf_path).pages[0].extract_text()
    assert "Dušica Živković-Ærø" in text

    # The URL in the QR code (printed beside it too) leads to the verification page, which says valid.
    qr_url = re.search(r"Verify: (\S+)", text).group(1)
    assert qr_url == f"{live_server.url}/verify/{certificate.verification_code}/"
    page.goto(qr_url)
    assert page.locator(".certificate-state").inner_text().strip() == "Valid"
    assert page.get_by_text(certificate.serial).is_visible()
    screenshot(page)
