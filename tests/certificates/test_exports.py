import io

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape

from accounts.services import profile_save
from certificates import exports
from certificates.exports import certificate_pdf
from certificates.services import certificate_issue

NAME = "Đurđica Čačić-Šćepanović Žižić Sæther Ærø Østergård Åse"


@pytest.fixture
def certificate_with_accents(completed_enrollment, accreditation, attend):
    attend(completed_enrollment, hours=8)
    profile_save(
        user=completed_enrollment.user, full_name=NAME, organisation="Sigurna kuća Šabac", job_title="Socijalna radnica"
    )
    return certificate_issue(enrollment=completed_enrollment)


@pytest.mark.django_db
def test_pdf_is_a4_landscape_and_its_text_reads_back(certificate_with_accents):
    certificate = certificate_with_accents
    pdf = certificate_pdf(certificate=certificate, verification_url="https://haven.example.org/verify/abc/")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = landscape(A4)
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (round(width), round(height))
    text = page.extract_text()
    assert NAME in text
    for letter in "čćšžđæøåĐČŠŽÆØÅ":
        assert letter in text
    for expected in [
        certificate.serial,
        certificate.programme_title,
        "153-02-00042/2025",
        "Hours attended: 8",
        "Points: 12",
        "Socijalna radnica, Sigurna kuća Šabac",
        "Haven Women's Centre",
        certificate.code_display,
        "https://haven.example.org/verify/abc/",
    ]:
        assert expected in text


@pytest.mark.django_db
def test_pdf_embeds_the_font(certificate):
    pdf = certificate_pdf(certificate=certificate, verification_url="https://x/verify/abc/")
    embedded = set()
    for font in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            embedded.add(str(font["/BaseFont"]))
    assert any("DejaVu" in name for name in embedded), embedded


def test_pdf_fonts_are_the_ones_shipped_with_the_project():
    _fonts = exports.FONTS
    assert (_fonts / "DejaVuSans.ttf").exists() and (_fonts / "DejaVuSans-Bold.ttf").exists()
    assert "/usr/share" not in str(_fonts)


@pytest.mark.parametrize(
    ("language", "printed"),
    [("en", "29 February 2028"), ("da", "29. februar 2028"), ("sr-latn", "29.02.2028.")],
)
def test_dates_print_in_each_languages_own_form(language, printed):
    from datetime import date

    from django.utils import translation

    with translation.override(language):
        assert exports.certificate_date(date(2028, 2, 29)) == printed


@pytest.mark.django_db
def test_a_long_name_shrinks_or_wraps_and_stays_on_the_page(make_enrollment):
    long_name = "Aleksandra-Katarina Đorđević-Šćepanović-Østergaard-Ærøskøbing von Hohenzollern-Sigmaringen " * 2
    certificate = certificate_issue(enrollment=make_enrollment(full_name=long_name))
    pdf = certificate_pdf(certificate=certificate, verification_url="https://x/verify/abc/")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    right_edge = float(page.mediabox.width) - 32
    positions = []

    def visitor(text, cm, tm, font_dict, font_size):
        if text.strip():
            positions.append((tm[4], text))

    page.extract_text(visitor_text=visitor)
    words = page.extract_text().replace("\n", " ")
    assert "Hohenzollern-Sigmaringen" in words
    assert all(x < right_edge for x, _text in positions)
    lines, size = exports.fitted_lines(long_name.strip(), font=exports.FONT_BOLD, size=28, min_size=14, width=660)
    assert size == 14 and 1 < len(lines) <= 3


def test_qr_code_draws_every_dark_module_of_the_url():
    calls = []

    class FakePath:
        def rect(self, x, y, w, h):
            calls.append(w)

    class FakeCanvas:
        def setFillColorRGB(self, *args):
            pass

        def saveState(self):
            pass

        restoreState = saveState

        def translate(self, *args):
            pass

        scale = translate

        def rect(self, *args, **kwargs):
            pass

        def beginPath(self):
            return FakePath()

        def drawPath(self, *args, **kwargs):
            pass

    url = "https://haven.example.org/verify/code/"
    exports._draw_qr(FakeCanvas(), url, x=0, y=0, size=100)
    dark = sum(sum(1 for cell in row if cell) for row in segno.make(url, error="m", micro=False).matrix)
    assert sum(calls) == dark


@pytest.mark.django_db
def test_pdf_prints_the_issuer_frozen_at_issue(completed_enrollment, client_for, certificate_settings):
    settings_obj = certificate_settings
    settings_obj.organisation_name = "Ženski centar Haven"
    settings_obj.title = "Sertifikat"
    settings_obj.first_signatory_name = "Milica Jovanović"
    settings_obj.first_signatory_title = "Direktorka"
    settings_obj.footer_text = "Akreditovani program obuke"
    settings_obj.save()
    certificate = certificate_issue(enrollment=completed_enrollment)
    settings_obj.organisation_name = "Someone else"
    settings_obj.first_signatory_name = "A later director"
    settings_obj.save()
    response = client_for(completed_enrollment.user).get(reverse("certificates:download", args=[certificate.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in ["Ženski centar Haven", "SERTIFIKAT", "Milica Jovanović", "Direktorka", "Akreditovani program"]:
        assert expected in text
    assert "Someone else" not in text and "A later director" not in text
    # The QR/printed URL points at the public verification page of this certificate.
    assert f"/verify/{certificate.verification_code}/" in text.replace("\n", "")


@pytest.mark.django_db
def test_pdf_prints_logo_and_signature_images_frozen_at_issue(
    completed_enrollment, settings, tmp_path, certificate_settings
):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    settings.MEDIA_ROOT = tmp_path

    def image(title, colour):
        buffer = io.BytesIO()
        PILImage.new("RGB", (120, 60), colour).save(buffer, "PNG")
        return Image.objects.create(title=title, file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.png"))

    settings_obj = certificate_settings
    settings_obj.logo = image("logo", (91, 42, 134))
    settings_obj.first_signature = image("signature", (0, 0, 0))
    settings_obj.first_signatory_name = "J. P."
    settings_obj.save()
    certificate = certificate_issue(enrollment=completed_enrollment)
    # Deleting the images afterwards changes nothing: the certificate froze its own copies.
    Image.objects.all().delete()
    certificate.refresh_from_db()
    pdf = certificate_pdf(certificate=certificate, verification_url="https://x/v/")
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 2
