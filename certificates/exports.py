"""The certificate PDF and the accrediting body's register (XLSX, on the shared export base)."""

import io
from functools import cache
from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _

from core.exports import Sheet, xlsx_response

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
SHIPPED_FONTS = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "HavenSans", "HavenSans-Bold"


def _font_path(filename: str) -> Path:
    system = SYSTEM_FONTS / filename
    return system if system.exists() else SHIPPED_FONTS / filename


@cache
def _fonts_register() -> None:
    # The 14 standard PDF fonts lack č, ć and đ: embed a TTF that has them (registered once per process).
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(_font_path("DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_font_path("DejaVuSans-Bold.ttf"))))


def _image_reader(image):
    """A Wagtail image as a reportlab ImageReader, or None when it is unset or its file is gone."""
    if image is None:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        with image.file.open("rb") as handle:
            return ImageReader(io.BytesIO(handle.read()))
    except (OSError, ValueError):
        return None


def _number(value) -> str:
    if value is None:
        return ""
    return formats.number_format(value.normalize() if value == value.to_integral() else value)


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _draw_qr(canvas, url, *, x, y, size):
    """Draw the QR code as vector squares: sharp at any zoom, no raster image to embed.

    The path is drawn in module units (integers) and scaled once: far fewer digits to format per page.
    """
    import segno

    matrix = segno.make(url, error="m", micro=False).matrix
    border = 2
    count = len(matrix) + 2 * border
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / count, size / count)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(0, 0, count, count, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = count - border - row_index - 1
        column, length = 0, len(row)
        while column < length:
            if row[column]:
                start = column
                while column < length and row[column]:
                    column += 1
                path.rect(start + border, top, column - start, 1)
            else:
                column += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def certificate_pdf(*, certificate, verification_url: str, certificate_settings=None, images=None) -> bytes:
    """One A4 landscape certificate. `images` may carry preloaded ImageReaders (the benchmark reuses them)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas as pdf_canvas

    _fonts_register()
    s = certificate_settings
    if images is None:
        images = certificate_images(s)
    width, height = landscape(A4)
    buffer = io.BytesIO()
    canvas = pdf_canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"{certificate.serial} {certificate.holder_name}")
    canvas.setAuthor(getattr(s, "organisation_name", "") or "")
    centre = width / 2
    ink = (0.11, 0.11, 0.15)
    accent = (0.36, 0.16, 0.53)

    canvas.setStrokeColorRGB(*accent)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(0.8)
    canvas.rect(32, 32, width - 64, height - 64)

    top = height - 60
    if images.get("logo"):
        canvas.drawImage(
            images["logo"], centre - 60, top - 60, width=120, height=60, preserveAspectRatio=True, mask="auto"
        )
        top -= 72
    canvas.setFillColorRGB(*ink)
    if getattr(s, "organisation_name", ""):
        canvas.setFont(FONT, 13)
        canvas.drawCentredString(centre, top - 10, s.organisation_name)
        top -= 24
    canvas.setFillColorRGB(*accent)
    canvas.setFont(FONT_BOLD, 34)
    canvas.drawCentredString(centre, top - 36, (getattr(s, "title", "") or _("Certificate")).upper())
    top -= 80

    canvas.setFillColorRGB(*ink)
    canvas.setFont(FONT, 14)
    canvas.drawCentredString(centre, top, _("This certifies that"))
    canvas.setFont(FONT_BOLD, 28)
    canvas.drawCentredString(centre, top - 38, certificate.holder_name)
    canvas.setFont(FONT, 14)
    canvas.drawCentredString(centre, top - 66, getattr(s, "completion_text", "") or _("has completed the training"))
    canvas.setFont(FONT_BOLD, 18)
    canvas.drawCentredString(centre, top - 94, certificate.programme_title)
    canvas.setFont(FONT, 12)
    dates = _("held from %(start)s to %(end)s") % {
        "start": _date(certificate.edition_start),
        "end": _date(certificate.edition_end),
    }
    canvas.drawCentredString(centre, top - 118, dates)

    facts = []
    if certificate.hours is not None:
        facts.append(_("Hours: %(hours)s") % {"hours": _number(certificate.hours)})
    if certificate.accreditation_points is not None:
        facts.append(_("Points: %(points)s") % {"points": _number(certificate.accreditation_points)})
    if certificate.accreditation_number:
        facts.append(
            _("Accreditation: %(body)s, no. %(number)s")
            % {"body": certificate.accreditation_body, "number": certificate.accreditation_number}
        )
    if facts:
        canvas.drawCentredString(centre, top - 140, " · ".join(facts))

    # Bottom band: signatures left and centre, QR and serial right.
    base = 70
    for index, (image_key, name, title) in enumerate(
        [
            ("first_signature", getattr(s, "first_signatory_name", ""), getattr(s, "first_signatory_title", "")),
            ("second_signature", getattr(s, "second_signatory_name", ""), getattr(s, "second_signatory_title", "")),
        ]
    ):
        if not (name or images.get(image_key)):
            continue
        x = 80 + index * 230
        if images.get(image_key):
            canvas.drawImage(
                images[image_key], x, base + 34, width=160, height=48, preserveAspectRatio=True, mask="auto"
            )
        canvas.setLineWidth(0.6)
        canvas.setStrokeColorRGB(*ink)
        canvas.line(x, base + 30, x + 170, base + 30)
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(x, base + 16, name)
        canvas.setFont(FONT, 9)
        canvas.drawString(x, base + 4, title)

    qr_size = 96
    qr_x = width - 80 - qr_size
    _draw_qr(canvas, verification_url, x=qr_x, y=base + 20, size=qr_size)
    canvas.setFont(FONT, 9)
    right = width - 80
    canvas.drawRightString(right, base + 8, _("Serial number: %(serial)s") % {"serial": certificate.serial})
    canvas.drawRightString(right, base - 4, _("Issued: %(date)s") % {"date": _date(certificate.issued_on)})
    if certificate.expires_on:
        canvas.drawRightString(right, base - 16, _("Valid until: %(date)s") % {"date": _date(certificate.expires_on)})
    canvas.setFont(FONT, 7.5)
    canvas.drawCentredString(centre, 44, _("Verify: %(url)s") % {"url": verification_url})
    if getattr(s, "footer_text", ""):
        canvas.drawCentredString(centre, 54, s.footer_text)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificate_images(certificate_settings) -> dict:
    if certificate_settings is None:
        return {}
    return {
        "logo": _image_reader(certificate_settings.logo),
        "first_signature": _image_reader(certificate_settings.first_signature),
        "second_signature": _image_reader(certificate_settings.second_signature),
    }


def register_header() -> list[str]:
    return [
        _("Serial number"),
        _("Name"),
        _("Organisation"),
        _("Programme"),
        _("First day"),
        _("Last day"),
        _("Issued"),
        _("Expires"),
        _("Hours"),
        _("Points"),
        _("Status"),
        _("Verification"),
    ]


def register_xlsx_response(*, accreditation, rows, filename):
    sheet = Sheet(
        title=str(accreditation.decision_number),
        header=register_header(),
        rows=rows,
        widths=[18, 28, 28, 36, 12, 12, 12, 12, 8, 8, 12, 14],
        number_formats={4: "DD.MM.YYYY", 5: "DD.MM.YYYY", 6: "DD.MM.YYYY", 7: "DD.MM.YYYY"},
    )
    return xlsx_response([sheet], filename=filename)
