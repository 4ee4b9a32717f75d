"""The Wagtail admin as a door: accreditations go through the services, certificates are read-only there."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.roles import role_permissions_sync
from certificates.models import Accreditation, Certificate
from certificates.services import certificate_issue
from core import dates
from trainings.models import TrainingProgramme

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = pytest.mark.reference_index


@pytest.fixture(autouse=True)
def _coordinator_permissions(db, default_site):
    role_permissions_sync()  # what migrate does for the Coordinator group


def _form(page, field):
    """The page's form that holds `field` (the admin's edit form, not its search or logout forms)."""
    return next(form for form in page.forms.values() if field in form.fields)


@pytest.mark.django_db
def test_coordinator_creates_an_accreditation_through_the_admin_form(django_app, coordinator, programme):
    page = django_app.get(reverse("accreditations:add"), user=coordinator)
    form = _form(page, "decision_number")
    today = dates.today()
    form["body"] = "Socialstyrelsen"
    form["decision_number"] = "SST-2026-7"
    form["decision_date"] = today.isoformat()
    form["valid_from"] = today.isoformat()
    form["valid_until"] = (today + timedelta(days=365)).isoformat()
    form["programmes"] = [str(programme.pk)]
    form.submit().follow()
    accreditation = Accreditation.objects.get(decision_number="SST-2026-7")
    assert list(accreditation.programmes.all()) == [programme]


@pytest.mark.django_db
def test_an_accreditation_that_ends_before_it_starts_is_refused_in_the_admin(django_app, coordinator, accreditation):
    page = django_app.get(reverse("accreditations:edit", args=[accreditation.pk]), user=coordinator)
    form = _form(page, "decision_number")
    form["valid_until"] = (accreditation.valid_from - timedelta(days=1)).isoformat()
    response = form.submit()
    assert response.status_code == 200
    assert "cannot end before it starts" in response.text
    accreditation.refresh_from_db()
    assert accreditation.valid_until > accreditation.valid_from


def _post_forms(page):
    return [form for form in page.forms.values() if form.method.lower() == "post"]


@pytest.mark.django_db
def test_a_cited_accreditation_cannot_be_deleted_in_the_admin(django_app, coordinator, certificate, accreditation):
    url = reverse("accreditations:delete", args=[accreditation.pk])
    page = django_app.get(url, user=coordinator)
    response = next(form for form in _post_forms(page) if form.action == url).submit().follow()
    assert "Certificates cite this accreditation, so it cannot be deleted" in response.text
    assert Accreditation.objects.filter(pk=accreditation.pk).exists()


@pytest.mark.django_db
def test_an_uncited_accreditation_is_deleted_through_the_service(django_app, coordinator, accreditation):
    url = reverse("accreditations:delete", args=[accreditation.pk])
    page = django_app.get(url, user=coordinator)
    next(form for form in _post_forms(page) if form.action == url).submit().follow()
    assert not Accreditation.objects.filter(pk=accreditation.pk).exists()


@pytest.mark.django_db
def test_certificates_have_no_add_edit_or_delete_screen(django_app, coordinator, certificate):
    for name in ("issued_certificates:add", "issued_certificates:edit", "issued_certificates:delete"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[certificate.pk] if not name.endswith("add") else [])
    for path in (
        f"/admin/issued_certificates/edit/{certificate.pk}/",
        f"/admin/issued_certificates/delete/{certificate.pk}/",
    ):
        django_app.get(path, user=coordinator, status=404)
    inspect = django_app.get(reverse("issued_certificates:inspect", args=[certificate.pk]), user=coordinator)
    assert certificate.holder_name in inspect.text
    assert not [form for form in inspect.forms.values() if form.method.lower() == "post" and "status" in form.fields]


@pytest.mark.django_db
def test_certificate_settings_preview_shows_a_sample_certificate(django_app, coordinator, default_site):
    site = default_site
    edit = django_app.get(reverse("wagtailsettings:edit", args=["certificates", "certificatesettings", site.pk]),
                          user=coordinator)  # fmt: skip
    assert "preview" in edit.text.lower()
    form = _form(edit, "organisation_name")
    form["organisation_name"] = "Ženski centar Preview"
    preview_url = reverse("wagtailsettings:preview_on_edit", args=["certificates", "certificatesettings", site.pk])
    posted = django_app.post(preview_url, dict(form.submit_fields()), user=coordinator)
    assert posted.json["is_valid"]
    pdf = django_app.get(preview_url, user=coordinator)
    assert pdf.content_type == "application/pdf"
    from io import BytesIO

    from pypdf import PdfReader

    assert "Ženski centar Preview" in PdfReader(BytesIO(pdf.body)).pages[0].extract_text()


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.django_db
def test_admin_certificate_list_has_no_n_plus_one(django_app, coordinator, make_enrollment, count,
                                                   django_assert_max_num_queries):  # fmt: skip
    for _ in range(count):
        certificate_issue(enrollment=make_enrollment())
    django_app.get(reverse("issued_certificates:index"), user=coordinator)  # warm caches (site, menu)
    with django_assert_max_num_queries(25):
        page = django_app.get(reverse("issued_certificates:index"), user=coordinator)
    assert page.text.count("ORG-") >= count
    with django_assert_max_num_queries(25):
        django_app.get(reverse("accreditations:index"), user=coordinator)


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.django_db
def test_the_accreditation_listing_runs_a_constant_number_of_queries(
    size, django_app, coordinator, make_edition, make_enrollment, django_assert_max_num_queries
):
    # Each accreditation has its own programme and a certificate that cites it: a row that fetched its
    # programmes or its certificates would add queries with every accreditation.
    today = dates.today()
    for n in range(size):
        programme = TrainingProgramme.objects.create(title=f"Programme {n}", hours=Decimal("8.0"))
        Accreditation.objects.create(
            body="Republički zavod za socijalnu zaštitu",
            decision_number=f"153-02-{n:05d}/2025",
            decision_date=today - timedelta(days=400),
            valid_from=today - timedelta(days=365),
            valid_until=today + timedelta(days=365),
            points=Decimal("12.0"),
        ).programmes.add(programme)
        certificate_issue(enrollment=make_enrollment(edition=make_edition(programme=programme)))
    url = reverse("accreditations:index")
    django_app.get(url, user=coordinator)  # warm the session and Wagtail's caches (site, menu, permissions)
    # Measured on SQLite: 12 queries at 2 and at 12 accreditations.
    with django_assert_max_num_queries(13):
        page = django_app.get(url, user=coordinator)
    assert page.text.count("153-02-") >= size


@pytest.mark.django_db
def test_admin_certificate_screens_are_for_coordinators(django_app, trainer, certificate):
    response = django_app.get(reverse("issued_certificates:index"), user=trainer, expect_errors=True)
    assert response.status_code in (302, 403)
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.django_db
def test_the_certificates_status_column_is_named_and_filled_in_her_language(
    language, django_app, coordinator, certificate
):
    from django.utils import translation
    from wagtail.users.models import UserProfile

    UserProfile.objects.update_or_create(user=coordinator, defaults={"preferred_language": language})
    page = django_app.get(reverse("issued_certificates:index"), user=coordinator)
    headers = [th.get_text(" ", strip=True) for th in page.html.select("thead th")]
    with translation.override(language):
        status = str(Certificate._meta.get_field("status").verbose_name).capitalize()
        shown = certificate.get_status_display()
    assert status in headers, headers
    assert not [header for header in headers if "display" in header.lower()], headers
    assert shown in [td.get_text(strip=True) for td in page.html.select("tbody td")]
