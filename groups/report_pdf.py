"""The look back and ahead as a PDF (ReportLab): the same Report as the page, for the half-yearly partner meeting.

As the certificates (events/certificates.py): real text in Helvetica, a PDF standard font every reader has (nothing
fetched or embedded; Latin-1 covers Dutch), A4, with title, author, subject and language in the metadata. Decisions
are written in Markdown; the PDF shows their text (the page shows them formatted).
"""

import io

from django.conf import settings
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, ListFlowable, ListItem, Paragraph, Spacer
from reportlab.platypus.flowables import HRFlowable

from coalition.markdown import render_markdown
from coalition.pdf import ACCENT, a4_document, paragraph_text

from .reports import Report

OVERDUE = colors.HexColor("#a4262c")


def _styles():
    base = {"fontName": "Helvetica", "fontSize": 10, "leading": 13}
    return {
        "site": ParagraphStyle("site", **{**base, "fontSize": 9, "textColor": ACCENT}),
        "title": ParagraphStyle("title", **{**base, "fontName": "Helvetica-Bold", "fontSize": 18, "leading": 23}),
        "intro": ParagraphStyle("intro", **base),
        "group": ParagraphStyle(
            "group", **{**base, "fontName": "Helvetica-Bold", "fontSize": 13, "leading": 17, "textColor": ACCENT}
        ),
        "heading": ParagraphStyle("heading", **{**base, "fontName": "Helvetica-Bold", "spaceBefore": 4}),
        "text": ParagraphStyle("text", **base),
        "overdue": ParagraphStyle("overdue", **{**base, "textColor": OVERDUE}),
        "small": ParagraphStyle("small", **{**base, "fontSize": 8.5, "leading": 11}),
    }


def _short_date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _action_line(action) -> str:
    """'Title — Owner, Owner — due 6-12-2026 (progress)' as plain text."""
    parts = [action.title]
    owners = ", ".join(owner.full_name for owner in action.owners.all())
    if owners:
        parts.append(owners)
    if action.is_finished and action.closed_on:
        parts.append(_("closed %(date)s") % {"date": _short_date(action.closed_on)})
    elif action.due_on:
        parts.append(_("due %(date)s") % {"date": _short_date(action.due_on)})
    line = " – ".join(parts)
    if action.progress_note:
        line += f" ({action.progress_note})"
    return line


def _bullets(lines, style):
    return ListFlowable(
        [ListItem(Paragraph(paragraph_text(line), style), leftIndent=10) for line in lines],
        bulletType="bullet",
        start="•",
        leftIndent=10,
        bulletFontSize=8,
    )


def _decisions_text(markdown: str) -> list[str]:
    """The decisions' Markdown as lines of plain text (the page shows them formatted)."""
    text = strip_tags(render_markdown(markdown).replace("</li>", "</li>\n").replace("</p>", "</p>\n"))
    return [line.strip() for line in text.splitlines() if line.strip()]


def _group_story(entry, styles, *, now):
    group = entry.group
    story = [Paragraph(paragraph_text(group.name), styles["group"])]
    facts = [str(group.get_kind_display())]
    if entry.coordinators:
        facts.append(
            _("coordinated by %(names)s") % {"names": ", ".join(profile.full_name for profile in entry.coordinators)}
        )
    facts.append(ngettext("%(count)d member", "%(count)d members", entry.member_count) % {"count": entry.member_count})
    story.append(Paragraph(paragraph_text(" · ".join(facts)), styles["small"]))
    if entry.is_quiet:
        story.append(Paragraph(paragraph_text(_("No actions and no meetings in this period.")), styles["text"]))
        return story
    sections = [
        (_("Done"), entry.done, styles["text"]),
        (_("Overdue"), entry.overdue, styles["overdue"]),
        (_("Open"), entry.open, styles["text"]),
        (_("Dropped"), entry.dropped, styles["text"]),
    ]
    for label, actions, style in sections:
        if actions:
            story.append(Paragraph(paragraph_text(f"{label} ({len(actions)})"), styles["heading"]))
            story.append(_bullets([_action_line(action) for action in actions], style))
    if entry.meetings:
        story.append(
            Paragraph(paragraph_text(_("Meetings (%(count)d)") % {"count": len(entry.meetings)}), styles["heading"])
        )
        for meeting in entry.meetings:
            when = formats.date_format(timezone.localtime(meeting.starts_at), "DATE_FORMAT")
            planned = meeting.starts_at > now
            line = f"{when}: {meeting.title}" + (f" ({_('planned')})" if planned else "")
            story.append(Paragraph(paragraph_text(line), styles["text"]))
            decisions = _decisions_text(meeting.decisions) if meeting.decisions else []
            if decisions:
                story.append(Paragraph(paragraph_text(_("Decisions")), styles["small"]))
                story.append(_bullets(decisions, styles["text"]))
            elif not planned and not meeting.has_notes:
                story.append(Paragraph(paragraph_text(_("No notes written yet.")), styles["small"]))
            for label, titles in (
                (_("Actions agreed"), meeting.actions_created),
                (_("Actions closed"), meeting.actions_closed),
            ):
                if titles:
                    story.append(Paragraph(paragraph_text(f"{label}: {', '.join(titles)}"), styles["small"]))
    return story


def title_of(report: Report) -> str:
    return _("Look back and ahead: %(coalition)s") % {"coalition": report.coalition.name}


def filename(report: Report) -> str:
    return f"{slugify(_('look-back-and-ahead'))}-{report.coalition.slug}-{report.today:%Y-%m-%d}.pdf"


def render_pdf(report: Report) -> bytes:
    """The report on A4, in the active language."""
    styles = _styles()
    buffer = io.BytesIO()
    title = title_of(report)
    period = _("From %(since)s to %(today)s") % {
        "since": formats.date_format(report.since, "DATE_FORMAT"),
        "today": formats.date_format(report.today, "DATE_FORMAT"),
    }
    document = a4_document(buffer, title=title, subject=period)
    totals = _("Done: %(done)d · open: %(open)d · overdue: %(overdue)d · meetings: %(meetings)d") % {
        "done": report.done_count,
        "open": report.open_count,
        "overdue": report.overdue_count,
        "meetings": report.meeting_count,
    }
    story = [
        Paragraph(paragraph_text(settings.SITE_NAME), styles["site"]),
        Spacer(1, 3 * mm),
        Paragraph(paragraph_text(title), styles["title"]),
        Paragraph(paragraph_text(period), styles["intro"]),
        Paragraph(paragraph_text(totals), styles["intro"]),
        Spacer(1, 4 * mm),
    ]
    now = timezone.now()
    if not report.groups:
        story.append(Paragraph(paragraph_text(_("This coalition has no groups yet.")), styles["text"]))
    for entry in report.groups:
        story.append(HRFlowable(width="100%", color=ACCENT, thickness=0.5, spaceBefore=2 * mm, spaceAfter=2 * mm))
        story.append(KeepTogether(_group_story(entry, styles, now=now)))
    document.build(story)
    return buffer.getvalue()
