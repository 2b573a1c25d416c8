"""The portal's PDFs (ReportLab): an A4 document that says what it is, the portal's colour, and plain text made safe
for a Paragraph. Used by the certificates (events), the look back and ahead (groups) and the impact report (cockpit)."""

from django.conf import settings
from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

ACCENT = colors.HexColor("#0b5d7a")  # the portal's primary colour (static/css), AA on white


def a4_document(buffer, *, title: str, subject: str, side=18 * mm, top=16 * mm, bottom=16 * mm) -> SimpleDocTemplate:
    """An A4 document written to `buffer`, its metadata (title, subject, author, language) in the active language."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=side,
        rightMargin=side,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author=settings.SITE_NAME,
        subject=subject,
        creator=settings.SITE_NAME,
        lang=translation.get_language() or settings.LANGUAGE_CODE,
    )


def paragraph_text(value) -> str:
    """Plain text for a ReportLab Paragraph, which reads a little markup: escape it."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
