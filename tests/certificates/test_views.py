import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from certificates.enums import CertificateStatus
from certificates.models import Accreditation, Certificate
from certificates.services import certificate_issue, certificate_revoke

# Public verification ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_page_shows_valid_and_every_printed_field(client, certificate):
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid" in html
    for text in [certificate.serial, certificate.holder_name, certificate.programme_title, "153-02-00042/2025"]:
        assert text in html
    assert "no-cache" in response["Cache-Control"]
    # Nothing more than what the certificate prints: no email, no organisation.
    assert certificate.holder.email not in html
    assert "Test NGO" not in html


@pytest.mark.django_db
def test_verify_json_for_machines(client, certificate):
    for url in [
        reverse("certificates:verify_json", args=[certificate.verification_code]),
        reverse("certificates:verify", args=[certificate.verification_code]) + "?format=json",
    ]:
        data = client.get(url).json()
        assert data["status"] == "valid"
        assert data["serial"] == certificate.serial
        assert data["holder_name"] == certificate.holder_name
        assert data["points"] == "12.0"
        assert "email" not in data and "organisation" not in data


@pytest.mark.django_db
def test_verify_shows_revoked_replaced_and_expired(client, certificate, coordinator):
    from certificates.services import certificate_reissue

    new = certificate_reissue(certificate=certificate, holder_name="Maja Šćekić", by=coordinator)
    assert client.get(reverse("certificates:verify_json", args=[certificate.verification_code])).json()["status"] == (
        "replaced"
    )
    html = client.get(reverse("certificates:verify", args=[certificate.verification_code])).content.decode()
    assert "Replaced by a newer certificate" in html

    certificate_revoke(certificate=new, reason="Fraud", by=coordinator)
    response = client.get(reverse("certificates:verify", args=[new.verification_code]))
    assert "Revoked" in response.content.decode()
    assert "Fraud" not in response.content.decode()

    Certificate.objects.filter(pk=new.pk).update(
        status=CertificateStatus.VALID, revoked_reason="", expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert client.get(reverse("certificates:verify_json", args=[new.verification_code])).json()["status"] == "expired"


@pytest.mark.django_db
def test_unknown_code_or_serial_is_a_plain_404(client, certificate):
    response = client.get(reverse("certificates:verify", args=["no-such-code"]))
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert client.get(reverse("certificates:verify_json", args=["no-such-code"])).status_code == 404
    response = client.get(reverse("certificates:verify_serial"), {"serial": "ORG-1999-99999"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_serial_form_finds_the_certificate(client, certificate):
    form_page = client.get(reverse("certificates:verify_serial"))
    assert form_page.status_code == 200
    assert 'name="serial"' in form_page.content.decode()
    response = client.get(reverse("certificates:verify_serial"), {"serial": certificate.serial.lower()})
    assert response.status_code == 200
    assert certificate.holder_name in response.content.decode()


@pytest.mark.django_db
def test_empty_serial_shows_the_form_with_an_error(client):
    response = client.get(reverse("certificates:verify_serial"), {"serial": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


@pytest.mark.django_db
def test_verification_is_rate_limited_per_address(client, certificate):
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
    with django_assert_max_num_queries(8):
        response = client.get(reverse("certificates:mine"))
    assert response.content.decode().count("Download certificate") == count
    with django_assert_max_num_queries(12):
        home = client.get(reverse("home"))
    assert "My certificates" in home.content.decode()


# Register --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 40])
@pytest.mark.django_db
def test_public_register_marks_expired_accreditations(client, programme, count, django_assert_max_num_queries):
    today = timezone.localdate()
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
    other = certificate_issue(enrollment=make_enrollment(full_name="Åse Møller"))
    Certificate.objects.filter(pk=other.pk).update(issued_on=timezone.localdate() - timedelta(days=100))
    client = client_for(coordinator)
    form_page = client.get(reverse("certificates:register_xlsx"))
    assert 'name="accreditation"' in form_page.content.decode()
    response = client.get(
        reverse("certificates:register_xlsx"),
        {"accreditation": accreditation.pk, "date_from": (timezone.localdate() - timedelta(days=10)).isoformat()},
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


@pytest.mark.django_db
def test_coordinator_issues_from_the_list(client_for, coordinator, completed_enrollment, accreditation):
    client = client_for(coordinator)
    page = client.get(reverse("certificates:coordinator_list")).content.decode()
    issue_url = reverse("certificates:issue", args=[completed_enrollment.pk])
    assert issue_url in page
    response = client.post(issue_url, follow=True)
    certificate = Certificate.objects.get(enrollment=completed_enrollment)
    assert certificate.issued_by == coordinator
    assert f"Certificate {certificate.serial} was issued." in response.content.decode()
    # A second post finds nothing to issue: the enrolment left the list.
    assert client.post(issue_url).status_code == 404
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_coordinator_cannot_issue_for_an_enrolment_that_is_not_completed(client_for, coordinator, make_enrollment):
    from trainings.enums import EnrollmentStatus

    enrollment = make_enrollment(status=EnrollmentStatus.ENROLLED)
    assert client_for(coordinator).post(reverse("certificates:issue", args=[enrollment.pk])).status_code == 404
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_coordinator_revokes_and_reissues_through_the_forms(client_for, coordinator, certificate):
    client = client_for(coordinator)
    detail = client.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    assert 'name="reason"' in detail and 'name="holder_name"' in detail

    response = client.post(reverse("certificates:revoke", args=[certificate.pk]), {"reason": ""}, follow=True)
    assert "Give the reason" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID

    response = client.post(
        reverse("certificates:reissue", args=[certificate.pk]), {"holder_name": "Maja Šćekić Jensen"}, follow=True
    )
    new = Certificate.objects.get(replaces=certificate)
    assert new.holder_name == "Maja Šćekić Jensen"
    assert "replaces the old one" in response.content.decode()

    client.post(reverse("certificates:revoke", args=[new.pk]), {"reason": "Issued by mistake"})
    new.refresh_from_db()
    assert new.status == CertificateStatus.REVOKED and new.revoked_reason == "Issued by mistake"


@pytest.mark.django_db
def test_coordinator_pages_are_refused_to_trainees(client_for, trainee, certificate):
    client = client_for(trainee)
    assert client.get(reverse("certificates:coordinator_list")).status_code == 403
    assert client.get(reverse("certificates:detail", args=[certificate.pk])).status_code == 403
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
    with django_assert_max_num_queries(10):
        response = client.get(reverse("certificates:coordinator_list"))
    assert response.content.decode().count("Issue certificate") == count - count // 2


def test_reissue_sent_twice_makes_one_new_certificate(client_for, coordinator, certificate):
    """Reissuing needs no form token: the old certificate can be replaced only once."""
    client = client_for(coordinator)
    url = reverse("certificates:reissue", args=[certificate.pk])
    client.post(url, {"holder_name": "Maja Jensen"})
    again = client.post(url, {"holder_name": "Maja Jensen"}, follow=True)
    assert again.status_code == 200
    assert Certificate.objects.filter(replaces=certificate).count() == 1
    assert Certificate.objects.count() == 2


def test_coordinator_search_with_a_nul_character_lists_everything_instead_of_failing(
    client_for, coordinator, certificate
):
    """PostgreSQL cannot compare text holding NUL: the search form refuses it and the full list shows."""
    response = client_for(coordinator).get(reverse("certificates:coordinator_list"), {"q": "Maja\x00"})
    assert response.status_code == 200
    assert list(response.context["certificates"]) == [certificate]
