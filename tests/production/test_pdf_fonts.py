"""Every PDF embeds the fonts shipped with Haven, so č, ć and đ survive on a server without font packages."""

from types import SimpleNamespace

from pypdf import PdfReader

from cases.exports import case_summary_pdf
from core.fonts import FONTS_DIR


def fonts_of(pdf: bytes):
    import io

    reader = PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            fonts[str(font["/BaseFont"])] = descriptor is not None and "/FontFile2" in descriptor.get_object()
    return fonts, "".join(page.extract_text() for page in reader.pages)


def test_the_case_summary_embeds_the_shipped_font():
    assert (FONTS_DIR / "DejaVuSans.ttf").exists()
    summary = {
        "recipient": SimpleNamespace(name="Centar za socijalni rad Đurđevo"),
        "categories": ["identity"],
        "identity": SimpleNamespace(alias="Ljiljana Šćekić", code="C-ĐŽ-1"),
    }
    fonts, text = fonts_of(case_summary_pdf(summary))
    assert fonts and all(fonts.values()), fonts  # every font embedded
    assert all("DejaVuSans" in name for name in fonts), fonts  # none of the 14 standard ones
    assert "Đurđevo" in text and "Šćekić" in text
