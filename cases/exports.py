"""The case summary as a PDF for another body. Built only after the consent gate has logged a disclosure."""

import io
from functools import cache

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core import dates
from core.fonts import FONTS_DIR

FONT_DIRS = [FONTS_DIR]  # shipped with Haven: the same embedded letters on every server


@cache
def _font_name() -> str:
    # The 14 standard PDF fonts lack č, ć and đ: embed the DejaVu Sans shipped in core/fonts.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for folder in FONT_DIRS:
        path = folder / "DejaVuSans.ttf"
        if path.exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(path)))
            return "DejaVuSans"
    return "Helvetica"


def case_summary_pdf(summary: dict) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = _font_name()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = font
    story = []

    def heading(text):
        story.append(Paragraph(escape(str(text)), styles["Heading2"]))

    def line(text):
        story.append(Paragraph(escape(str(text)).replace("\n", "<br/>"), styles["BodyText"]))

    story.append(Paragraph(escape(_("Case summary")), styles["Title"]))
    line(_("For: %(recipient)s") % {"recipient": summary["recipient"].name})
    line(_("Produced: %(when)s") % {"when": f"{dates.local_time():%Y-%m-%d %H:%M}"})
    line(_("Data categories: %(list)s") % {"list": ", ".join(str(c) for c in summary["categories"])})
    story.append(Spacer(1, 12))
    if "identity" in summary:
        heading(_("Identity"))
        line(f"{summary['identity'].alias} ({summary['identity'].code})")
    if "children_count" in summary:
        heading(_("Children"))
        line(summary["children_count"] if summary["children_count"] is not None else "-")
    if "needs" in summary:
        heading(_("Needs assessment"))
        if summary["needs"]:
            for need in summary["needs"].needs.all():
                line(f"{need.get_area_display()}: {need.get_level_display()} {need.notes}")
    if "risk" in summary:
        heading(_("Risk assessment"))
        if summary["risk"]:
            risk = summary["risk"]
            line(f"{risk.assessed_on:%Y-%m-%d}: {risk.get_level_display()} ({risk.score})")
            for row in summary["risk_yes"]:
                line(f"- {row.text}")
    if "safety_plan" in summary:
        heading(_("Safety plan"))
        for _name, label, text in summary["safety_plan"]:
            line(f"{label}: {text or '-'}")
    if "action_steps" in summary:
        heading(_("Action plan"))
        for step in summary["action_steps"]:
            due = f"{step.due_on:%Y-%m-%d}" if step.due_on else "-"
            who = step.get_owner_display()
            line(f"{step.get_area_display()}: {step.description} ({who}, {due}, {step.get_status_display()})")
    if "sessions" in summary:
        heading(_("Counseling sessions"))
        for booking in summary["sessions"]:
            start = dates.local_time(booking.start)
            line(f"{start:%Y-%m-%d %H:%M} {booking.get_kind_display()} {booking.get_status_display()}")
    buffer = io.BytesIO()
    # The page itself starts in the same font, so no standard (unembedded) font is named in the file.
    SimpleDocTemplate(buffer, pagesize=A4, title=_("Case summary"), initialFontName=font).build(story)
    return buffer.getvalue()


def case_summary_pdf_response(summary: dict) -> HttpResponse:
    response = HttpResponse(case_summary_pdf(summary), content_type="application/pdf")
    # A neutral file name: nothing about her in it.
    response["Content-Disposition"] = f'attachment; filename="summary-{summary["disclosure"].pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
