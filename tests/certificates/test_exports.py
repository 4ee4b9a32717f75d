import io

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape

from accounts.services import profile_save
from certificates import exports
from certificates.exports import certificate_pdf
from certificates.models import CertificateSettings
from certificates.services import certificate_issue

NAME = "Đurđica Čačić-Šćepanović Žižić Sæther Ærø Østergård Åse"


@pytest.fixture
def certificate_with_accents(completed_enrollment, accreditation):
    profile_save(user=completed_enrollment.user, full_name=NAME)
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
        "Hours: 16",
        "Points: 12",
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


def test_font_falls_back_to_the_copy_shipped_in_the_repository(monkeypatch, tmp_path):
    monkeypatch.setattr(exports, "SYSTEM_FONTS", tmp_path)
    path = exports._font_path("DejaVuSans.ttf")
    assert path == exports.SHIPPED_FONTS / "DejaVuSans.ttf"
    assert path.exists()
    assert (exports.SHIPPED_FONTS / "DejaVuSans-Bold.ttf").exists()


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
def test_pdf_prints_the_site_settings_texts(certificate, client_for, trainee):
    from wagtail.models import Site

    settings_obj = CertificateSettings.for_site(Site.objects.get(is_default_site=True))
    settings_obj.organisation_name = "Ženski centar Haven"
    settings_obj.title = "Sertifikat"
    settings_obj.first_signatory_name = "Milica Jovanović"
    settings_obj.first_signatory_title = "Direktorka"
    settings_obj.footer_text = "Akreditovani program obuke"
    settings_obj.save()
    response = client_for(trainee).get(reverse("certificates:download", args=[certificate.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in ["Ženski centar Haven", "SERTIFIKAT", "Milica Jovanović", "Direktorka", "Akreditovani program"]:
        assert expected in text
    # The QR/printed URL points at the public verification page of this certificate.
    assert f"/verify/{certificate.verification_code}/" in text.replace("\n", "")


@pytest.mark.django_db
def test_pdf_prints_logo_and_signature_images(certificate, settings, tmp_path):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    settings.MEDIA_ROOT = tmp_path

    def image(title, colour):
        buffer = io.BytesIO()
        PILImage.new("RGB", (120, 60), colour).save(buffer, "PNG")
        return Image.objects.create(title=title, file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.png"))

    settings_obj = CertificateSettings(
        logo=image("logo", (91, 42, 134)), first_signature=image("signature", (0, 0, 0)), first_signatory_name="J. P."
    )
    pdf = certificate_pdf(certificate=certificate, verification_url="https://x/v/", certificate_settings=settings_obj)
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 2
