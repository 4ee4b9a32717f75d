"""The certificate PDF and the accrediting body's register (XLSX, on the shared export base)."""

import io
from functools import cache
from html import escape
from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.exports import Sheet, xlsx_response

FONTS = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "HavenSans", "HavenSans-Bold"
INK = (0.11, 0.11, 0.15)
ACCENT = (0.36, 0.16, 0.53)


@cache
def _fonts_register() -> None:
    # The 14 standard PDF fonts lack č, ć and đ: embed the DejaVu fonts shipped with the project (never a
    # system font, which a server may not have), registered once per process.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


def certificate_date(value) -> str:
    """A date in the active language's own written form (30 November 2026, 30. november 2026, 30.11.2026.)."""
    if not value:
        return ""
    # Translators: a PHP-style date format for dates printed on certificates; write your language's usual one.
    return formats.date_format(value, pgettext("certificate date", "j F Y"))


def _number(value) -> str:
    if value is None:
        return ""
    return formats.number_format(value.normalize() if value == value.to_integral() else value)


def _image_reader(data):
    if not data:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        return ImageReader(io.BytesIO(bytes(data)))
    except (OSError, ValueError):
        return None


def certificate_images(issuer) -> dict:
    """The issuer's frozen images as ImageReaders (the benchmark loads them once for many certificates)."""
    if issuer is None:
        return {}
    return {
        "logo": _image_reader(issuer.logo),
        "first_signature": _image_reader(issuer.first_signature),
        "second_signature": _image_reader(issuer.second_signature),
    }


def fitted_lines(text, *, font, size, min_size, width, max_lines=3) -> tuple[list[str], float]:
    """The text at the largest size from `size` down to `min_size` that fits `width` on one line, else
    wrapped at `min_size` into at most `max_lines` lines (the last one shortened with an ellipsis)."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    current = size
    while current >= min_size:
        if stringWidth(text, font, current) <= width:
            return [text], current
        current -= 1
    lines = simpleSplit(text, font, min_size, width) or [text]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and stringWidth(last + "…", font, min_size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    # A single word longer than the width is split by characters, so nothing runs off the page.
    result = []
    for line in lines:
        while stringWidth(line, font, min_size) > width and len(line) > 1:
            cut = len(line)
            while cut > 1 and stringWidth(line[:cut], font, min_size) > width:
                cut -= 1
            result.append(line[:cut])
            line = line[cut:]
        result.append(line)
    return result[:max_lines], min_size


def _draw_centred(canvas, text, *, y, centre, font, size, min_size, width, leading=1.2) -> float:
    """Draw fitted text centred from baseline `y` downwards; returns the baseline below the last line."""
    lines, used = fitted_lines(text, font=font, size=size, min_size=min_size, width=width)
    canvas.setFont(font, used)
    for line in lines:
        canvas.drawCentredString(centre, y, line)
        y -= used * leading
    return y


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


def certificate_facts(certificate) -> list[str]:
    """Hours, points and accreditation as printed on one line (and on the trainee's record)."""
    facts = []
    if certificate.hours is not None:
        facts.append(_("Hours attended: %(hours)s") % {"hours": _number(certificate.hours)})
    if certificate.accreditation_points is not None:
        facts.append(_("Points: %(points)s") % {"points": _number(certificate.accreditation_points)})
    return facts


def certificate_pdf(*, certificate, verification_url: str, images=None) -> bytes:
    """One A4 landscape certificate, from what the certificate froze at issue (its issuer included).

    `images` may carry preloaded ImageReaders (the benchmark reuses them).
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas as pdf_canvas

    _fonts_register()
    issuer = certificate.issuer
    if images is None:
        images = certificate_images(issuer)
    organisation = getattr(issuer, "organisation_name", "") or ""
    width, height = landscape(A4)
    text_width = width - 2 * 90
    buffer = io.BytesIO()
    canvas = pdf_canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"{certificate.serial} {certificate.holder_name}")
    canvas.setAuthor(organisation)
    centre = width / 2

    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(0.8)
    canvas.rect(32, 32, width - 64, height - 64)

    y = height - 60
    if images.get("logo"):
        canvas.drawImage(
            images["logo"], centre - 60, y - 50, width=120, height=50, preserveAspectRatio=True, mask="auto"
        )
        y -= 62
    canvas.setFillColorRGB(*INK)
    if organisation:
        y = _draw_centred(
            canvas, organisation, y=y - 10, centre=centre, font=FONT, size=13, min_size=9, width=text_width
        )
    canvas.setFillColorRGB(*ACCENT)
    title = (getattr(issuer, "title", "") or _("Certificate")).upper()
    y = _draw_centred(canvas, title, y=y - 30, centre=centre, font=FONT_BOLD, size=32, min_size=18, width=text_width)

    canvas.setFillColorRGB(*INK)
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(centre, y - 8, _("This certifies that"))
    y = _draw_centred(
        canvas, certificate.holder_name, y=y - 40, centre=centre, font=FONT_BOLD, size=28, min_size=14, width=text_width
    )
    holder_line = ", ".join(part for part in [certificate.holder_job_title, certificate.holder_organisation] if part)
    if holder_line:
        y = _draw_centred(canvas, holder_line, y=y + 4, centre=centre, font=FONT, size=12, min_size=8, width=text_width)
    completion = getattr(issuer, "completion_text", "") or _("has completed the training")
    y = _draw_centred(canvas, completion, y=y - 8, centre=centre, font=FONT, size=13, min_size=9, width=text_width)
    y = _draw_centred(
        canvas,
        certificate.programme_title,
        y=y - 6,
        centre=centre,
        font=FONT_BOLD,
        size=18,
        min_size=11,
        width=text_width,
    )
    held = _("held from %(start)s to %(end)s") % {
        "start": certificate_date(certificate.edition_start),
        "end": certificate_date(certificate.edition_end),
    }
    y = _draw_centred(canvas, held, y=y, centre=centre, font=FONT, size=12, min_size=8, width=text_width)
    facts = certificate_facts(certificate)
    if facts:
        y = _draw_centred(
            canvas, " · ".join(facts), y=y - 2, centre=centre, font=FONT, size=11, min_size=8, width=text_width
        )
    if certificate.accreditation_number:
        accreditation = _("Accredited by %(body)s, decision no. %(number)s") % {
            "body": certificate.accreditation_body,
            "number": certificate.accreditation_number,
        }
        if certificate.accreditation_valid_from and certificate.accreditation_valid_until:
            accreditation += " " + _("(valid from %(start)s to %(end)s)") % {
                "start": certificate_date(certificate.accreditation_valid_from),
                "end": certificate_date(certificate.accreditation_valid_until),
            }
        _draw_centred(canvas, accreditation, y=y - 2, centre=centre, font=FONT, size=10, min_size=7, width=text_width)

    # Bottom band: signatures on the left, QR, serial and code on the right.
    base = 70
    signatories = [
        ("first_signature", getattr(issuer, "first_signatory_name", ""), getattr(issuer, "first_signatory_title", "")),
        (
            "second_signature",
            getattr(issuer, "second_signatory_name", ""),
            getattr(issuer, "second_signatory_title", ""),
        ),
    ]
    x = 80
    for image_key, name, role in signatories:
        if not (name or images.get(image_key)):
            continue
        if images.get(image_key):
            canvas.drawImage(
                images[image_key], x, base + 34, width=160, height=48, preserveAspectRatio=True, mask="auto"
            )
        canvas.setLineWidth(0.6)
        canvas.setStrokeColorRGB(*INK)
        canvas.line(x, base + 30, x + 170, base + 30)
        name_lines, name_size = fitted_lines(name, font=FONT_BOLD, size=11, min_size=7, width=190, max_lines=1)
        canvas.setFont(FONT_BOLD, name_size)
        canvas.drawString(x, base + 16, name_lines[0])
        role_lines, role_size = fitted_lines(role, font=FONT, size=9, min_size=6, width=190, max_lines=1)
        canvas.setFont(FONT, role_size)
        canvas.drawString(x, base + 4, role_lines[0] if role else "")
        x += 220

    qr_size = 96
    right = width - 80
    _draw_qr(canvas, verification_url, x=right - qr_size, y=base + 20, size=qr_size)
    canvas.setFont(FONT, 9)
    canvas.drawRightString(right, base + 8, _("Serial number: %(serial)s") % {"serial": certificate.serial})
    canvas.drawRightString(right, base - 4, _("Code: %(code)s") % {"code": certificate.code_display})
    issued = _("Issued: %(date)s") % {"date": certificate_date(certificate.issued_on)}
    if certificate.expires_on:
        issued += " · " + _("Valid until: %(date)s") % {"date": certificate_date(certificate.expires_on)}
    canvas.drawRightString(right, base - 16, issued)
    canvas.setFont(FONT, 7.5)
    canvas.drawCentredString(centre, 44, _("Verify: %(url)s") % {"url": verification_url})
    footer = getattr(issuer, "footer_text", "")
    if footer:
        _draw_centred(canvas, footer, y=54, centre=centre, font=FONT, size=7.5, min_size=6, width=width - 120)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def trainee_record_pdf(*, record, holder_name, organisation, today) -> bytes:
    """Her training record on A4 across: every training with hours, points and validity, points per body."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from certificates.enums import VerificationState

    _fonts_register()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11)
    heading = ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4)
    subheading = ParagraphStyle("subheading", fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8)

    def cell(text):
        return Paragraph(escape(str(text or "")), body)

    def state_label(line):
        if line.state == "not_completed":
            return _("Not completed")
        if line.state == "no_certificate":
            return _("Completed, certificate pending")
        return str(VerificationState(line.state).label)

    story = [
        Paragraph(escape(_("Training record")), heading),
        Paragraph(escape(", ".join(part for part in [holder_name, organisation] if part)), body),
        Paragraph(escape(_("As of %(date)s") % {"date": certificate_date(today)}), body),
        Spacer(1, 4 * mm),
    ]
    rows = [[cell(_("Programme")), cell(_("Dates")), cell(_("Hours attended")), cell(_("Points")),
             cell(_("Accrediting body")), cell(_("Valid until")), cell(_("Status"))]]  # fmt: skip
    for line in record.lines:
        certificate = line.certificate
        edition = line.enrollment.edition
        rows.append(
            [
                cell(line.programme_title),
                cell(f"{certificate_date(edition.start_date)} – {certificate_date(edition.end_date)}"),
                cell(_number(line.hours)),
                cell(_number(certificate.accreditation_points) if certificate else ""),
                cell(certificate.accreditation_body if certificate else ""),
                cell(certificate_date(certificate.expires_on) if certificate else ""),
                cell(state_label(line)),
            ]
        )
    rows.append([cell(_("Total hours attended")), cell(""), cell(_number(record.total_hours)), "", "", "", ""])
    # A4 across: seven columns, each wide enough for its heading's longest word and a date in any language.
    widths = [66, 50, 24, 18, 50, 30, 31]
    table = Table(rows, colWidths=[width * mm for width in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.9, 0.96)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    story.append(Paragraph(escape(_("Points per accrediting body")), subheading))
    for body_name, points in record.points:
        story.append(
            Paragraph(escape(_("%(body)s: %(points)s points") % {"body": body_name, "points": _number(points)}), body)
        )
    if not record.points:
        story.append(Paragraph(escape(_("No points from valid certificates yet.")), body))
    if record.renewals:
        story.append(Paragraph(escape(_("Due for renewal")), subheading))
        for line, editions in record.renewals:
            text = _("%(programme)s: valid until %(date)s") % {
                "programme": line.programme_title,
                "date": certificate_date(line.certificate.expires_on),
            }
            offered = ", ".join(
                f"{certificate_date(e.start_date)} {e.municipality or e.venue}".strip() for e in editions
            )
            if offered:
                text += " · " + _("open for enrolment: %(editions)s") % {"editions": offered}
            story.append(Paragraph(escape(text), body))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm, topMargin=16 * mm,
        bottomMargin=16 * mm, title=_("Training record"), author=holder_name,
    )  # fmt: skip
    document.build(story)
    return buffer.getvalue()


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
