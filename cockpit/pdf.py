"""The impact report as a PDF for the council (ReportLab): every section and figure of the page, each with its
chart and its table, in the active language.

As the look back and ahead (groups/report_pdf.py): real text in Helvetica (a standard font every reader has,
nothing embedded; its encoding covers Dutch, the dash and ×), A4, title, author, subject and language in the
metadata. The charts are vector drawings (reportlab.graphics), in the same colour-blind-safe colours as the page
(static/js/impact-charts.js); a value hidden for privacy is left out of the chart and reads "fewer than 5" in the
table below it, as on the page.
"""

import io
from functools import partial

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from coalition.pdf import ACCENT, a4_document, paragraph_text

from .figures import Figure, Section
from .presentation import hidden_note, intro, period_text, privacy, scope_name, table_rows
from .scope import Period, Scope

MUTED = colors.HexColor("#525b61")
LINE = colors.HexColor("#d5e0e4")
# Okabe & Ito's colour-blind-safe palette, darkened where needed to 3:1 or more on white (WCAG 1.4.11); the same
# colours in the same order as on the page (static/js/impact-charts.js).
PALETTE = [colors.HexColor(code) for code in ("#0072b2", "#d55e00", "#8a6a00", "#a8507f", "#007a5a", "#555555")]
DASHES = [None, (4, 2), (1, 2), (6, 2, 1, 2)]
MARKERS = ["FilledCircle", "FilledSquare", "FilledDiamond", "FilledTriangle"]
FONT, BOLD = "Helvetica", "Helvetica-Bold"
WIDTH = A4[0] - 36 * mm  # the text's width between the margins
LABEL_SIZE = 7.5


def _styles():
    base = {"fontName": FONT, "fontSize": 10, "leading": 13}
    return {
        "site": ParagraphStyle("site", **{**base, "fontSize": 9, "textColor": ACCENT}),
        "title": ParagraphStyle("title", **{**base, "fontName": BOLD, "fontSize": 20, "leading": 25}),
        "scope": ParagraphStyle("scope", **{**base, "fontName": BOLD, "fontSize": 13, "leading": 17}),
        "intro": ParagraphStyle("intro", **{**base, "spaceBefore": 3}),
        "section": ParagraphStyle(
            "section", **{**base, "fontName": BOLD, "fontSize": 15, "leading": 19, "textColor": ACCENT}
        ),
        "figure": ParagraphStyle("figure", **{**base, "fontName": BOLD, "fontSize": 11.5, "leading": 15}),
        "text": ParagraphStyle("text", **base),
        "note": ParagraphStyle("note", **{**base, "fontSize": 8.5, "leading": 11, "textColor": MUTED}),
        "cell": ParagraphStyle("cell", **{**base, "fontSize": 8.5, "leading": 10.5}),
        "head": ParagraphStyle("head", **{**base, "fontName": BOLD, "fontSize": 8.5, "leading": 10.5}),
    }


def _number(value) -> str:
    """An axis label: grouped thousands, a decimal only where the step has one."""
    return formats.number_format(value, decimal_pos=0 if float(value).is_integer() else 1, force_grouping=True)


def _short(label: str, width: float) -> str:
    """A category label cut with an ellipsis to fit `width` points (the table below has it in full)."""
    if stringWidth(label, FONT, LABEL_SIZE) <= width:
        return label
    while label and stringWidth(label + "…", FONT, LABEL_SIZE) > width:
        label = label[:-1]
    return label.rstrip() + "…"


def _series(figure: Figure) -> list[list]:
    """One list per series of what the chart draws: numbers, and None where a value is hidden or missing."""
    return [list(dataset["data"]) for dataset in figure.chart_data()["datasets"]]


def _value_axis(axis, data):
    axis.valueMin = 0
    axis.labels.fontName, axis.labels.fontSize = FONT, LABEL_SIZE
    axis.labelTextFormat = _number
    axis.strokeColor = MUTED
    axis.visibleGrid = True
    axis.gridStrokeColor = LINE
    if not any(value for series in data for value in series if value is not None):
        axis.valueMax = 1


def _category_axis(axis, labels):
    axis.categoryNames = labels
    axis.labels.fontName, axis.labels.fontSize = FONT, LABEL_SIZE
    axis.strokeColor = MUTED


def _legend(figure: Figure, y: float) -> Legend:
    """The series' names in a row under the chart, each with its colour."""
    legend = Legend()
    legend.x, legend.y = 0, y
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName, legend.fontSize = FONT, LABEL_SIZE
    legend.dx = legend.dy = 7
    legend.deltax = max(stringWidth(name, FONT, LABEL_SIZE) for name in figure.series) + 22
    legend.colorNamePairs = [(PALETTE[index % len(PALETTE)], name) for index, name in enumerate(figure.series)]
    return legend


def _upright(chart, data, labels, *, slant_over: int):
    """A chart with the categories along the bottom (bars, lines) in its drawing: room under it for the labels,
    slanted when there are more than `slant_over`, and for a legend when there are several series."""
    many = len(labels) > slant_over
    bottom = 44 if many else 18
    legend_room = 16 if len(data) > 1 else 0
    drawing = Drawing(WIDTH, 62 * mm + legend_room)
    chart.x, chart.y = 34, bottom + legend_room
    chart.width, chart.height = WIDTH - 44, drawing.height - bottom - legend_room - 8
    room = 60 if many else chart.width / len(labels)
    _category_axis(chart.categoryAxis, [_short(label, room) for label in labels])
    if many:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    _value_axis(chart.valueAxis, data)
    drawing.add(chart)
    return drawing, legend_room


def _bars(figure: Figure, data, labels):
    """Vertical bars (stacked when the figure says so), the labels slanted when there are many."""
    chart = VerticalBarChart()
    chart.data = data
    if figure.chart == "stacked":
        chart.categoryAxis.style = "stacked"
    chart.barSpacing = 1
    for index in range(len(data)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = colors.white
    return _upright(chart, data, labels, slant_over=6)


def _horizontal(figure: Figure, data, labels):
    """Horizontal bars, for long labels (pairs of domains): as tall as there are rows."""
    legend_room = 16 if len(data) > 1 else 0
    row = 10 * max(1, len(data)) + 8
    drawing = Drawing(WIDTH, len(labels) * row + 24 + legend_room)
    label_width = min(WIDTH * 0.42, max(stringWidth(label, FONT, LABEL_SIZE) for label in labels) + 6)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 16 + legend_room
    chart.width, chart.height = WIDTH - label_width - 10, len(labels) * row
    chart.data = data
    _category_axis(chart.categoryAxis, [_short(label, label_width - 6) for label in labels])
    chart.categoryAxis.reverseDirection = True  # the first row on top, as in the table
    _value_axis(chart.valueAxis, data)
    for index in range(len(data)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = colors.white
    drawing.add(chart)
    return drawing, legend_room


def _runs(series: list) -> list[list]:
    """The stretches of a series without a missing value, each as a row of its own (None elsewhere): ReportLab
    would join a line across a gap, and the page leaves one where a value is hidden or missing."""
    runs, current = [], None
    for index, value in enumerate(series):
        if value is None:
            current = None
            continue
        if current is None:
            current = [None] * len(series)
            runs.append(current)
        current[index] = value
    return runs


def _line(figure: Figure, data, labels):
    """Lines over time, each series with its own colour, dash and marker (readable without colour)."""
    chart = HorizontalLineChart()
    runs = [(index, run) for index, series in enumerate(data) for run in _runs(series)]
    chart.data = [run for _index, run in runs]
    chart.joinedLines = 0  # each stretch of two or more points is joined below; a lone point is a marker only
    for number, (index, run) in enumerate(runs):
        line = chart.lines[number]
        line.strokeColor = PALETTE[index % len(PALETTE)]
        line.strokeWidth = 1.5
        line.strokeDashArray = DASHES[index % len(DASHES)]
        line.symbol = makeMarker(MARKERS[index % len(MARKERS)], size=4, fillColor=line.strokeColor)
        if sum(value is not None for value in run) > 1:
            line.lineStyle = "joinedLine"
    return _upright(chart, data, labels, slant_over=8)


DRAW = {"bar": _bars, "stacked": _bars, "horizontal": _horizontal, "line": _line}


def chart(figure: Figure) -> Drawing | None:
    """The figure's chart, or None for a table-only figure or one with nothing to draw."""
    if not figure.chart or figure.is_empty or not figure.rows:
        return None
    labels = [str(row[0]) for row in figure.rows]
    data = _series(figure)
    drawing, legend_room = DRAW[figure.chart](figure, data, labels)
    if legend_room:
        drawing.add(_legend(figure, 10))
    return drawing


def table(figure: Figure, styles) -> Table:
    """The figure's numbers: the row labels in the first column, a column per series, the header repeated."""
    header = [Paragraph(paragraph_text(column), styles["head"]) for column in figure.columns]
    body = [
        [Paragraph(paragraph_text(label), styles["cell"]), *(paragraph_text(value) for value in values)]
        for label, values in table_rows(figure)
    ]
    series = len(figure.columns) - 1
    first = WIDTH * (0.45 if series <= 2 else 0.3)
    widths = [first, *([(WIDTH - first) / series] * series)] if series else [WIDTH]
    result = Table([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return result


def _figure_story(figure: Figure, styles) -> list:
    story = [Paragraph(paragraph_text(figure.title), styles["figure"])]
    if figure.description:
        story.append(Paragraph(paragraph_text(figure.description), styles["text"]))
    if figure.unit:
        story.append(Paragraph(paragraph_text(_("Unit: %(unit)s") % {"unit": figure.unit}), styles["note"]))
    story.append(Spacer(1, 2 * mm))
    if not figure.rows:
        story.append(Paragraph(paragraph_text(_("Nothing to count in this period.")), styles["text"]))
        return story
    drawing = chart(figure)
    if drawing is not None:
        story += [drawing, Spacer(1, 2 * mm)]
    story.append(table(figure, styles))
    notes = [figure.note] if figure.note else []
    if figure.hidden_cells and drawing is not None:
        notes.append(hidden_note())
    for note in notes:
        story.append(Paragraph(paragraph_text(note), styles["note"]))
    return story


def _page(canvas, document, *, title, generated):
    """The running header (portal and report) and footer (date and page number) of every page."""
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    top, bottom = A4[1] - 10 * mm, 9 * mm
    canvas.drawString(18 * mm, top, settings.SITE_NAME)
    canvas.drawRightString(A4[0] - 18 * mm, top, title)
    canvas.drawString(18 * mm, bottom, generated)
    canvas.drawRightString(A4[0] - 18 * mm, bottom, _("Page %(number)d") % {"number": document.page})
    canvas.restoreState()


def render_pdf(sections: list[Section], *, scope: Scope, period: Period, generated) -> bytes:
    """The report on A4, in the active language."""
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Impact of the network")
    where, when = scope_name(scope), period_text(period)
    document = a4_document(buffer, title=f"{title}: {where}", subject=when)
    made = _("Generated on %(date)s") % {"date": formats.date_format(generated, "DATE_FORMAT")}
    story = [
        Paragraph(paragraph_text(settings.SITE_NAME), styles["site"]),
        Spacer(1, 3 * mm),
        Paragraph(paragraph_text(title), styles["title"]),
        Paragraph(paragraph_text(where), styles["scope"]),
        Paragraph(paragraph_text(when), styles["intro"]),
        Paragraph(paragraph_text(made), styles["note"]),
        Spacer(1, 3 * mm),
        Paragraph(paragraph_text(_("What the portal counts")), styles["figure"]),
        Paragraph(paragraph_text(intro()), styles["intro"]),
        Paragraph(paragraph_text(privacy()), styles["intro"]),
    ]
    if not any(section.figures for section in sections):
        story.append(Paragraph(paragraph_text(_("There are no figures for this choice yet.")), styles["text"]))
    for section in sections:
        story.append(HRFlowable(width="100%", color=ACCENT, thickness=0.6, spaceBefore=5 * mm, spaceAfter=2 * mm))
        story.append(Paragraph(paragraph_text(section.title), styles["section"]))
        for figure in section.figures:
            story += [Spacer(1, 3 * mm), KeepTogether(_figure_story(figure, styles))]
    page = partial(_page, title=f"{title}: {where}", generated=made)
    document.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
