"""The impact figures as one CSV in long format: a row per value, which a spreadsheet's pivot table turns around.

Written by the portal's one CSV writer (coalition.exports: formula guard, `;`, BOM). A count of fewer than 5 people
is the text "fewer than 5", never its number; numbers are written in the active language (a decimal comma in
Dutch, as a Dutch spreadsheet reads it) without thousands separators.
"""

from django.utils.translation import gettext as _

from coalition.exports import csv_response

from .figures import Section
from .presentation import NOTHING, cell


def figure_rows(sections: list[Section]):
    """(section, figure, row, series, value, unit) for every value of every figure; an empty value stays empty."""
    for section in sections:
        for figure in section.figures:
            for row in figure.rows:
                for series, value in zip(figure.series, row[1:], strict=True):
                    text = cell(value, grouping=False)
                    yield (section.title, figure.title, row[0], series, "" if text == NOTHING else text, figure.unit)


def figures_csv(sections: list[Section], *, filename: str):
    header = [_("Section"), _("Figure"), _("Row"), _("Series"), _("Value"), _("Unit")]
    return csv_response(filename, header, figure_rows(sections))
