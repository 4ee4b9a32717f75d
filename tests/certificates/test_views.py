import io
import json
from datetime import timedelta
from html import escape

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.enums import Role
from certificates.enums import CertificateStatus
from certificates.models import Accreditation, Certificate
from certificates.services import certificate_issue, certificate_revoke
from core import dates

# Public verification ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_page_shows_valid_and_every_printed_field(client, certificate):
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid" in html
    for text in [
        certificate.serial,
        certificate.holder_name,
        certificate.holder_organisation,
        certificate.holder_job_title,
        certificate.programme_title,
        "153-02-00042/2025",
        escape(certificate.issuer.organisation_name),
    ]:
        assert text in html
    assert "no-cache" in response["Cache-Control"]
    assert certificate.holder.email not in html


@pytest.mark.django_db
def test_verify_json_shows_exactly_the_printed_fields(client, certificate):
    for url in [
        reverse("certificates:verify_json", args=[certificate.verification_code]),
        reverse("certificates:verify", args=[certificate.verification_code]) + "?format=json",
    ]:
        data = client.get(url).json()
        assert data["status"] == "valid"
        assert data["serial"] == certificate.serial
        assert data["holder_name"] == certificate.holder_name
        assert data["holder_organisation"] == "Test NGO"
        assert data["holder_job_title"] == "Social worker"
        assert data["points"] == "12.0"
        assert data["issuer"] == certificate.issuer.organisation_name
        assert data["accreditation_valid_until"] == certificate.accreditation_valid_until.isoformat()
        assert "email" not in data


@pytest.mark.django_db
def test_the_printed_code_is_accepted_as_typed(client, certificate):
    typed = certificate.code_display.lower().replace("0", "o")
    response = client.get(reverse("certificates:verify_serial"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:verify", args=[certificate.verification_code])


@pytest.mark.django_db
def test_an_old_qr_code_keeps_working(client, completed_enrollment, monkeypatch):
    # Certificates issued before the short codes carry a longer URL-safe code in their QR codes.
    old_code = "Zx8_-legacyCodeFromAnOldQrCode123"
    monkeypatch.setattr("certificates.services.code_new", lambda: old_code)
    certificate = certificate_issue(enrollment=completed_enrollment)
    response = client.get(reverse("certificates:verify", args=[old_code]))
    assert response.status_code == 200 and certificate.serial in response.content.decode()
    assert client.get(reverse("certificates:verify", args=[old_code.lower()])).status_code == 404


@pytest.mark.django_db
def test_a_serial_alone_says_only_that_it_exists(client, certificate):
    response = client.get(reverse("certificates:verify_serial"), {"serial": certificate.serial.lower()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "was issued" in html
    assert certificate.holder_name not in html and certificate.programme_title not in html
    response = client.get(reverse("certificates:verify_serial"), {"serial": "ORG-1999-99999"})
    assert response.status_code == 404
    # A right code with the wrong serial finds nothing.
    response = client.get(
        reverse("certificates:verify_serial"), {"serial": "ORG-1999-99999", "code": certificate.verification_code}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_revoked_and_replaced_certificates_name_nobody(client, certificate, coordinator):
    from certificates.services import certificate_reissue

    old_name = certificate.holder_name
    new = certificate_reissue(certificate=certificate, holder_name="Maja Šćekić", reason="New name", by=coordinator)
    data = client.get(reverse("certificates:verify_json", args=[certificate.verification_code])).json()
    assert data["status"] == "replaced"
    assert data["holder_name"] is None and data["holder_organisation"] is None and data["holder_job_title"] is None
    html = client.get(reverse("certificates:verify", args=[certificate.verification_code])).content.decode()
    assert "Replaced by a newer certificate" in html
    assert old_name not in html

    certificate_revoke(certificate=new, reason="Fraud", by=coordinator)
    response = client.get(reverse("certificates:verify", args=[new.verification_code]))
    html = response.content.decode()
    assert "Revoked" in html and "Fraud" not in html and "Maja Šćekić" not in html
    data = client.get(reverse("certificates:verify_json", args=[new.verification_code])).json()
    assert data["status"] == "revoked" and data["holder_name"] is None


@pytest.mark.django_db
def test_an_expired_certificate_says_expired_everywhere(clock, client_for, completed_enrollment, accreditation):
    accreditation.certificate_validity_months = 12
    accreditation.save()
    certificate = certificate_issue(enrollment=completed_enrollment)
    clock(certificate.expires_on + timedelta(days=1))
    client = client_for(completed_enrollment.user)
    data = client.get(reverse("certificates:verify_json", args=[certificate.verification_code])).json()
    assert data["status"] == "expired"
    mine = client.get(reverse("certificates:mine")).content.decode()
    assert ">Expired<" in mine and ">Valid<" not in mine


@pytest.mark.django_db
def test_unknown_code_is_a_plain_404(client, certificate):
    response = client.get(reverse("certificates:verify", args=["no-such-code"]))
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert client.get(reverse("certificates:verify_json", args=["no-such-code"])).status_code == 404


@pytest.mark.django_db
def test_lookup_form_renders_and_refuses_empty(client):
    form_page = client.get(reverse("certificates:verify_serial"))
    assert form_page.status_code == 200
    assert 'name="code"' in form_page.content.decode()
    response = client.get(reverse("certificates:verify_serial"), {"code": "", "serial": ""})
    assert response.status_code == 400
    assert "Enter the verification code" in response.content.decode()


@pytest.mark.django_db
def test_verification_is_rate_limited_per_address(client, certificate, clock):
    clock(dates.now(), tick=False)  # one fixed window, however slow the machine
    url = reverse("certificates:verify", args=[certificate.verification_code])
    for _ in range(30):
        assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert client.get(reverse("certificates:verify_json", args=["x"])).status_code == 429
    # Another address is not affected.
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.django_db
def test_verify_page_query_count_is_constant(client, certificate, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    with django_assert_max_num_queries(3):
        client.get(reverse("certificates:verify_json", args=[certificate.verification_code]))


# Download --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_trainee_downloads_her_own_certificate_with_no_cache_headers(client_for, certificate, trainee):
    response = client_for(trainee).get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert certificate.serial in response["Content-Disposition"]
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control and "no-store" in cache_control and "private" in cache_control


@pytest.mark.django_db
def test_another_trainees_certificate_is_404(client_for, certificate, make_user):
    other = make_user(Role.TRAINEE)
    assert client_for(other).get(reverse("certificates:download", args=[certificate.pk])).status_code == 404


@pytest.mark.django_db
def test_trainer_cannot_download_a_trainees_certificate(client_for, certificate, trainer):
    assert client_for(trainer).get(reverse("certificates:download", args=[certificate.pk])).status_code == 404


@pytest.mark.django_db
def test_coordinator_downloads_any_certificate(client_for, certificate, coordinator):
    response = client_for(coordinator).get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_revoked_certificate_cannot_be_downloaded_by_the_trainee(client_for, certificate, trainee, coordinator):
    certificate_revoke(certificate=certificate, reason="Attendance was recorded wrongly", by=coordinator)
    response = client_for(trainee).get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "revoked" in response.content.decode()


@pytest.mark.django_db
def test_download_needs_login(client, certificate):
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("count", [5, 40])
@pytest.mark.django_db
def test_my_certificates_page_query_count(client_for, trainee, make_edition, count, django_assert_max_num_queries):
    from trainings.enums import EnrollmentStatus
    from trainings.models import Enrollment

    for _ in range(count):
        enrollment = Enrollment.objects.create(edition=make_edition(), user=trainee, status=EnrollmentStatus.COMPLETED)
        certificate_issue(enrollment=enrollment)
    client = client_for(trainee)
    # Login, session, profile, groups and permissions, then the certificates in one query: as many for 40 as for 5.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("certificates:mine"))
    assert response.content.decode().count("Download certificate") == count
    with django_assert_max_num_queries(12):
        home = client.get(reverse("home"))
    assert "My certificates" in home.content.decode()


# Register --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 40])
@pytest.mark.django_db
def test_public_register_marks_expired_accreditations(client, programme, count, django_assert_max_num_queries):
    today = dates.today()
    for index in range(count):
        expired = index % 2 == 0
        accreditation = Accreditation.objects.create(
            body="Styrelsen for Social Service" if expired else "Republički zavod",
            decision_number=f"D-{index}",
            decision_date=today - timedelta(days=800),
            valid_from=today - timedelta(days=700),
            valid_until=today - timedelta(days=1) if expired else today + timedelta(days=100),
        )
        accreditation.programmes.add(programme)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("certificates:register"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(">Expired<") == (count + 1) // 2
    assert html.count(">Current<") == count // 2
    assert html.index(">Current<") < html.index(">Expired<")
    assert programme.title in html


@pytest.mark.django_db
def test_register_export_xlsx_for_coordinators(client_for, coordinator, certificate, accreditation, make_enrollment):
    certificate_issue(enrollment=make_enrollment(full_name="Åse Møller"), issued_on=dates.today() - timedelta(days=100))
    client = client_for(coordinator)
    form_page = client.get(reverse("certificates:register_xlsx"))
    assert 'name="accreditation"' in form_page.content.decode()
    response = client.get(
        reverse("certificates:register_xlsx"),
        {"accreditation": accreditation.pk, "date_from": (dates.today() - timedelta(days=10)).isoformat()},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Serial number", "Name", "Organisation", "Programme")
    assert [row[0] for row in rows[1:]] == [certificate.serial]
    assert rows[1][1] == certificate.holder_name and rows[1][2] == "Test NGO"
    assert rows[1][10] == "Valid"


@pytest.mark.django_db
def test_register_export_bad_range_is_refused(client_for, coordinator, accreditation):
    response = client_for(coordinator).get(
        reverse("certificates:register_xlsx"),
        {"accreditation": accreditation.pk, "date_from": "2026-05-01", "date_to": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "before its start" in response.content.decode()


@pytest.mark.django_db
def test_register_export_is_for_coordinators_only(client_for, trainee, accreditation):
    response = client_for(trainee).get(reverse("certificates:register_xlsx"), {"accreditation": accreditation.pk})
    assert response.status_code == 403


# Coordinator pages -----------------------------------------------------------------------------------------


def _form_to(page, action):
    """The page's form that posts to `action`."""
    return next(form for form in page.forms.values() if form.action == action)


@pytest.mark.django_db
def test_coordinator_issues_from_the_list(django_app, coordinator, completed_enrollment, accreditation):
    page = django_app.get(reverse("certificates:coordinator_list"), user=coordinator)
    form = _form_to(page, reverse("certificates:issue", args=[completed_enrollment.pk]))
    response = form.submit().follow()
    certificate = Certificate.objects.get(enrollment=completed_enrollment)
    assert certificate.issued_by == coordinator
    assert f"Certificate {certificate.serial} was issued." in response.text
    # The same button sent again (an old tab) finds nothing to issue: the enrolment left the list.
    assert form.submit(expect_errors=True).status_code == 404
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_coordinator_cannot_issue_for_an_enrolment_that_is_not_completed(client_for, coordinator, make_enrollment):
    from trainings.enums import EnrollmentStatus

    enrollment = make_enrollment(status=EnrollmentStatus.ENROLLED)
    # crafted: the list offers no issue button for an enrolment that is not completed.
    assert client_for(coordinator).post(reverse("certificates:issue", args=[enrollment.pk])).status_code == 404
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_coordinator_revokes_and_reissues_through_the_forms(django_app, coordinator, certificate):
    detail = django_app.get(reverse("certificates:detail", args=[certificate.pk]), user=coordinator)

    response = _form_to(detail, reverse("certificates:revoke", args=[certificate.pk])).submit().follow()
    assert "Give the reason" in response.text
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID

    form = _form_to(response, reverse("certificates:reissue", args=[certificate.pk]))
    form["holder_name"], form["reason"] = "Maja Šćekić Jensen", "Name changed"
    response = form.submit().follow()
    new = Certificate.objects.get(replaces=certificate)
    assert new.holder_name == "Maja Šćekić Jensen"
    assert "replaces the old one" in response.text

    form = _form_to(response, reverse("certificates:revoke", args=[new.pk]))
    form["reason"] = "Issued by mistake"
    form.submit()
    new.refresh_from_db()
    assert new.status == CertificateStatus.REVOKED and new.revoked_reason == "Issued by mistake"


@pytest.mark.django_db
def test_coordinator_pages_are_refused_to_trainees(client_for, trainee, certificate):
    client = client_for(trainee)
    assert client.get(reverse("certificates:coordinator_list")).status_code == 403
    assert client.get(reverse("certificates:detail", args=[certificate.pk])).status_code == 403
    # crafted: no page offers her the revoke form.
    assert client.post(reverse("certificates:revoke", args=[certificate.pk]), {"reason": "x"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


@pytest.mark.parametrize("count", [5, 40])
@pytest.mark.django_db
def test_coordinator_list_query_count(client_for, coordinator, make_enrollment, count, django_assert_max_num_queries):
    for index in range(count):
        enrollment = make_enrollment()
        if index % 2:
            certificate_issue(enrollment=enrollment)
    client = client_for(coordinator)
    # Of the twelve, three for the enrolments awaiting a certificate: the stamp their count is kept under, how
    # many there are, then the page's rows (on PostgreSQL the stamp is two).
    with django_assert_max_num_queries(12 + (connection.vendor == "postgresql")):
        response = client.get(reverse("certificates:coordinator_list"))
    assert response.content.decode().count("Issue certificate") == count - count // 2


@pytest.mark.django_db
def test_coordinator_pages_through_every_enrolment_awaiting_a_certificate(
    django_app, coordinator, make_enrollment, accreditation
):
    """More completed enrolments than a page holds: the list says how many, and its own page links reach the
    last one while keeping the search and the issued certificates' page."""
    waiting = [make_enrollment(full_name=f"Trainee {index:02}") for index in range(27)]
    certificate_issue(enrollment=waiting.pop(0))
    page = django_app.get(reverse("certificates:coordinator_list") + "?q=Trainee", user=coordinator)
    assert "26 completed enrolments have no certificate" in page.text
    issue_forms = [form for form in page.forms.values() if "/issue/" in form.action]
    assert len(issue_forms) == 25
    assert page.html.find(id="certificate-search")["value"] == "Trainee"

    nav = page.html.find("nav", attrs={"aria-label": "Pages of enrolments without a certificate"})
    assert nav.get_text(" ", strip=True) == "Page 1 of 2 Next"
    second = page.click(href="awaiting_page=2")
    assert second.html.find(id="certificate-search")["value"] == "Trainee"
    issue_forms = [form for form in second.forms.values() if "/issue/" in form.action]
    assert [form.action for form in issue_forms] == [reverse("certificates:issue", args=[waiting[-1].pk])]
    assert second.html.select("table")[0].tbody.th.get_text() == "Trainee 26"

    # The last one issued from the second page: the page it was on is out of range now, the nearest is shown.
    issue_forms[0].submit().follow()
    again = django_app.get(reverse("certificates:coordinator_list") + "?awaiting_page=2", user=coordinator)
    assert "25 completed enrolments have no certificate" in again.text
    assert again.html.find("nav", attrs={"aria-label": "Pages of enrolments without a certificate"}) is None


@pytest.mark.django_db
def test_coordinator_pages_through_a_search_of_issued_certificates(
    django_app, coordinator, make_enrollment, accreditation
):
    """The issued certificates' page links keep the search (they once dropped it: page 2 of a search was page 2
    of every certificate)."""
    for index in range(51):
        certificate_issue(enrollment=make_enrollment(full_name=f"Maja {index:02}"))
    for index in range(3):
        certificate_issue(enrollment=make_enrollment(full_name=f"Ana {index}"))
    page = django_app.get(reverse("certificates:coordinator_list"), user=coordinator)
    form = page.forms[next(key for key, form in page.forms.items() if "q" in form.fields)]
    form["q"] = "Maja"
    results = form.submit()
    assert len(results.html.select("table tbody tr")) == 50
    second = results.click(href="page=2")
    rows = second.html.select("table tbody tr")
    assert len(rows) == 1 and "Maja" in rows[0].get_text()
    assert second.html.find(id="certificate-search")["value"] == "Maja"


@pytest.mark.django_db
def test_reissue_sent_twice_makes_one_new_certificate(django_app, coordinator, certificate):
    """Reissuing needs no form token: the old certificate can be replaced only once."""
    page = django_app.get(reverse("certificates:detail", args=[certificate.pk]), user=coordinator)
    form = _form_to(page, reverse("certificates:reissue", args=[certificate.pk]))
    form["holder_name"], form["reason"] = "Maja Jensen", "Name corrected"
    form.submit()
    again = form.submit().follow()
    assert again.status_code == 200
    assert Certificate.objects.filter(replaces=certificate).count() == 1
    assert Certificate.objects.count() == 2


@pytest.mark.django_db
def test_coordinator_search_with_a_nul_character_lists_everything_instead_of_failing(
    client_for, coordinator, certificate
):
    """PostgreSQL cannot compare text holding NUL: the search form refuses it and the full list shows."""
    response = client_for(coordinator).get(reverse("certificates:coordinator_list"), {"q": "Maja\x00"})
    assert response.status_code == 200
    assert list(response.context["certificates"]) == [certificate]


# Credentials ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_trainee_downloads_her_credential_and_the_verification_page_checks_it(django_app, certificate, trainee):
    mine = django_app.get(reverse("certificates:mine"), user=trainee)
    credential = mine.click(href=reverse("certificates:credential", args=[certificate.pk]))
    assert credential.content_type == "application/ld+json"
    assert credential.body.decode() == certificate.credential

    page = django_app.get(reverse("certificates:verify_credential"))
    form = page.forms["credential-form"]
    form["credential"] = credential.body.decode()
    result = form.submit()
    text = result.text
    assert "The signature holds" in text
    assert "not revoked" in text
    assert certificate.holder_name in text

    form = page.forms["credential-form"]
    form["upload"] = ("credential.json", credential.body)
    assert "The signature holds" in form.submit().text


@pytest.mark.django_db
def test_a_doctored_or_revoked_credential_does_not_verify(django_app, certificate, coordinator):
    doctored = json.loads(certificate.credential)
    doctored["credentialSubject"]["creditsEarned"] = 99
    form = django_app.get(reverse("certificates:verify_credential")).forms["credential-form"]
    form["credential"] = json.dumps(doctored)
    assert "The signature does not hold" in form.submit().text

    certificate_revoke(certificate=certificate, reason="Forged attendance", by=coordinator)
    form = django_app.get(reverse("certificates:verify_credential")).forms["credential-form"]
    form["credential"] = certificate.credential
    result = form.submit()
    assert "The signature holds" in result.text and "says this credential is revoked" in result.text
    assert result.context["summary"]["holder"] is None


@pytest.mark.django_db
def test_credential_form_refuses_nothing_and_rubbish_with_a_message(django_app):
    form = django_app.get(reverse("certificates:verify_credential")).forms["credential-form"]
    response = form.submit(status=400)
    assert "Paste the credential or choose its file." in response.text
    form = response.forms["credential-form"]
    form["credential"] = "{not json"
    assert "This is not a digital credential we can read." in form.submit().text


@pytest.mark.django_db
def test_revoked_credential_cannot_be_downloaded_by_the_trainee(client_for, certificate, trainee, coordinator):
    certificate_revoke(certificate=certificate, reason="Wrong person", by=coordinator)
    assert client_for(trainee).get(reverse("certificates:credential", args=[certificate.pk])).status_code == 403


@pytest.mark.django_db
def test_issuer_profile_publishes_the_keys(client):
    from certificates import signing

    profile = client.get(reverse("certificates:issuer_profile")).json()
    assert [m["publicKeyMultibase"] for m in profile["verificationMethod"]] == signing.public_keys()
    assert profile["assertionMethod"] == [m["id"] for m in profile["verificationMethod"]]


@pytest.mark.django_db
def test_an_unknown_status_list_is_404(client):
    assert client.get(reverse("certificates:status_list", args=[7])).status_code == 404


# The trainee's record -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_record_lists_trainings_points_and_offers_renewal(
    clock, django_app, trainee, make_edition, make_enrollment, accreditation, programme, attend
):
    from trainings.enums import EditionStatus, EnrollmentStatus
    from trainings.models import Edition

    accreditation.certificate_validity_months = 12
    accreditation.save()
    done = make_enrollment(user=trainee)
    attend(done, hours=6)
    certificate = certificate_issue(enrollment=done)
    make_enrollment(user=trainee, edition=make_edition(start=dates.today() - timedelta(days=60)),
                    status=EnrollmentStatus.NOT_COMPLETED)  # fmt: skip
    clock(certificate.expires_on - timedelta(days=30))
    renewal = Edition.objects.create(
        programme=programme,
        start_date=dates.today() + timedelta(days=14),
        end_date=dates.today() + timedelta(days=15),
        municipality="Kikinda",
        enrolment_opens=dates.now() - timedelta(days=1),
        enrolment_closes=dates.now() + timedelta(days=10),
        status=EditionStatus.OPEN,
    )
    page = django_app.get(reverse("certificates:record"), user=trainee)
    text = page.text
    assert "Due for renewal" in text
    assert reverse("trainings:edition_detail", args=[renewal.pk]) in page.body.decode()
    assert "Republički zavod za socijalnu zaštitu: 12 points" in text
    assert "Not completed" in text
    pdf = page.click(href=reverse("certificates:record_pdf"))
    assert pdf.content_type == "application/pdf"
    pdf_text = PdfReader(io.BytesIO(pdf.body)).pages[0].extract_text()
    assert certificate.programme_title in pdf_text and "Kikinda" in pdf_text


@pytest.mark.parametrize("count", [3, 15])
@pytest.mark.django_db
def test_record_query_count(client_for, trainee, make_edition, make_enrollment, count, django_assert_max_num_queries):
    for _ in range(count):
        certificate_issue(enrollment=make_enrollment(user=trainee, edition=make_edition()))
    client = client_for(trainee)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("certificates:record"))
    assert response.status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(reverse("certificates:record_pdf")).status_code == 200


def test_her_own_data_download_carries_her_certificates(client_for, certificate, make_enrollment, make_user, issue):
    other = issue(enrollment=make_enrollment(user=make_user(Role.TRAINEE)))
    response = client_for(certificate.holder).get(reverse("accounts:my_data"))
    rows = json.loads(response.content)["records"]["certificates.Certificate"]
    assert [row["serial"] for row in rows] == [certificate.serial]
    assert other.serial not in response.content.decode()


@pytest.mark.django_db
def test_the_verification_page_gives_the_last_day_a_credential_is_valid(django_app, completed_enrollment, programme):
    """The credential's validUntil is the first moment after its last day (an exclusive end): the page names
    the day itself, as the PDF does."""
    from certificates.exports import certificate_date
    from tests.helpers import accreditation_of

    accreditation_of(programme, certificate_validity_months=60)
    certificate = certificate_issue(enrollment=completed_enrollment)
    assert certificate.expires_on is not None
    form = django_app.get(reverse("certificates:verify_credential")).forms["credential-form"]
    form["credential"] = certificate.credential
    page = form.submit()
    shown = page.html.find("dt", string="Valid until").find_next("dd").get_text(strip=True)
    assert shown == certificate_date(certificate.expires_on)


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.django_db
def test_the_training_record_pdf_breaks_no_word_of_its_table(
    client_for, trainee, completed_enrollment, programme, language
):
    """Each column of the record's table is wide enough for its heading's words and its dates: none is cut in
    two across lines (as "Decem / ber" and "attend / ed" were)."""
    from django.utils import translation

    from accounts.models import Profile
    from certificates.exports import certificate_date
    from tests.helpers import accreditation_of

    accreditation_of(programme, certificate_validity_months=60)
    certificate = certificate_issue(enrollment=completed_enrollment)
    Profile.objects.filter(user=trainee).update(preferred_language=language)
    pdf = client_for(trainee).get(reverse("certificates:record_pdf"))
    words = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split()
    with translation.override(language):
        expected = [gettext(label) for label in ("Hours attended", "Points", "Valid until", "Status")]
        expected.append(certificate_date(certificate.expires_on))
    for text in expected:
        for word in text.split():
            assert word in words, (word, words)
