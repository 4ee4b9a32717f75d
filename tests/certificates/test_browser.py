import json
import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.enums import Role
from certificates.models import Certificate
from core import dates
from tests.certificates.test_openbadges import independently_verified, schema_errors
from trainings.enums import EditionStatus
from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingSession


def _logged_in_page(browser, live_server, user, *, javascript=True):
    client = Client()
    client.force_login(user)
    context = browser.new_context(java_script_enabled=javascript)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return context.new_page()


def _eventually(condition, seconds=20):
    """The browser answers before the live server's thread has finished: ask again until it holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_trainee_journey_to_a_signed_credential_that_verifies_until_revoked(
    live_server, page, make_user, programme, accreditation, screenshot, tmp_path, settings
):
    settings.WAGTAILADMIN_BASE_URL = live_server.url  # the site's URL, in credentials and the QR code
    now = dates.now()
    tomorrow = dates.local_date(now + timedelta(days=1))
    trainer = make_user(Role.TRAINER, full_name="Sofie Østergaard")
    coordinator = make_user(Role.COORDINATOR)
    edition = Edition.objects.create(
        programme=programme,
        start_date=tomorrow,
        end_date=tomorrow,
        venue="Cultural Centre",
        enrolment_opens=now - timedelta(days=10),
        enrolment_closes=now + timedelta(hours=6),
        status=EditionStatus.OPEN,
    )
    edition.trainers.add(trainer)
    start = dates.start_of_day(tomorrow) + timedelta(hours=9)
    session = TrainingSession.objects.create(edition=edition, start=start, end=start + timedelta(hours=8))

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

    # The training takes place: its one session ends before the trainer marks attendance.
    held = now - timedelta(hours=9)
    TrainingSession.objects.filter(pk=session.pk).update(start=held, end=held + timedelta(hours=8))
    Edition.objects.filter(pk=edition.pk).update(start_date=dates.local_date(held), end_date=dates.local_date(held))

    # The trainer marks her present.
    # Her phone's offline script is tried by the trainings offline tests; here the plain form is sent, so
    # the journey does not depend on when that script decides the connection is good enough.
    trainer_page = _logged_in_page(page.context.browser, live_server, trainer, javascript=False)
    trainer_page.goto(live_server.url + reverse("trainings:session_attendance", args=[session.pk]))
    trainer_page.locator(f"label.attendance-present:has(input[name=e-{enrollment.pk}])").click()
    with trainer_page.expect_navigation():
        trainer_page.get_by_role("button", name="Save attendance").click()
    _eventually(lambda: TrainingAttendance.objects.filter(enrollment=enrollment).exists())

    # The edition closes (the coordinator closes it); the certificate is issued by the completion task.
    coordinator_page = _logged_in_page(page.context.browser, live_server, coordinator)
    coordinator_page.goto(live_server.url + reverse("trainings:participants", args=[edition.pk]))
    coordinator_page.get_by_role("button", name="Close edition").click()
    _eventually(lambda: Certificate.objects.filter(enrollment=enrollment).exists())
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.holder_name == "Dušica Živković-Ærø"
    assert (certificate.holder_organisation, certificate.holder_job_title) == ("Dom zdravlja Kikinda", "Nurse")
    assert certificate.hours == Decimal("8")
    assert certificate.accreditation_points == Decimal("12.0")

    # She downloads the PDF from her page: her organisation and job title are on it.
    page.goto(live_server.url + reverse("home"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download certificate {certificate.serial} (PDF)").first.click()
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    text = PdfReader(pdf_path).pages[0].extract_text()
    assert "Dušica Živković-Ærø" in text and "Nurse, Dom zdravlja Kikinda" in text

    # The URL in the QR code (printed beside it too) leads to the verification page, which says valid.
    qr_url = re.search(r"Verify: (\S+)", text).group(1)
    assert qr_url == f"{live_server.url}/verify/{certificate.verification_code}/"
    page.goto(qr_url)
    assert page.locator(".certificate-state").inner_text().strip() == "Valid"
    expect(page.get_by_text(certificate.serial)).to_be_visible()

    # She downloads her signed credential: it validates against the official schema and its signature holds.
    page.goto(live_server.url + reverse("certificates:mine"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Digital credential {certificate.serial} (Open Badge)").click()
    credential_path = tmp_path / "credential.json"
    download_info.value.save_as(credential_path)
    credential_text = credential_path.read_text(encoding="utf-8")
    credential = json.loads(credential_text)
    assert schema_errors(credential) == []
    issuer_profile = json.loads(page.request.get(credential["issuer"]["id"]).text())
    assert independently_verified(credential, issuer_profile)

    # An employer checks it on the verification page: the signature holds, the status list says not revoked.
    employer = page.context.browser.new_context().new_page()
    employer.goto(live_server.url + reverse("certificates:verify_credential"))
    employer.locator("#credential-form input[type=file]").set_input_files(str(credential_path))
    employer.get_by_role("button", name="Check").click()
    employer.wait_for_load_state()
    assert employer.locator(".certificate-state").inner_text().strip() == "Valid"
    assert "Our status list says this credential is not revoked." in employer.locator(".check-status").inner_text()

    # The coordinator revokes it.
    coordinator_page.goto(live_server.url + reverse("certificates:detail", args=[certificate.pk]))
    coordinator_page.fill("#revoke_reason", "Attendance was recorded for the wrong person")
    coordinator_page.locator("summary", has_text="Revoke certificate").click()
    coordinator_page.get_by_role("button", name="Yes, revoke it").click()
    coordinator_page.wait_for_load_state()
    certificate.refresh_from_db()
    assert certificate.status == "revoked"

    # The same file no longer verifies as valid: the signature still holds, the status list says revoked.
    employer.goto(live_server.url + reverse("certificates:verify_credential"))
    employer.fill("#id_credential", credential_text)
    employer.get_by_role("button", name="Check").click()
    employer.wait_for_load_state()
    assert employer.locator(".certificate-state").inner_text().strip() == "Revoked"
    assert "Our status list says this credential is revoked." in employer.locator(".check-status").inner_text()
    assert "The signature holds" in employer.locator(".check-signature").inner_text()
    screenshot(employer)
