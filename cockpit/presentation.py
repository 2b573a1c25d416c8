"""How the impact figures read wherever they are shown: a value as text, the choices as a query, a file's name.

The page's tables, the CSV and the PDF all write a value through `cell`, so "fewer than 5", an empty cell and a
decimal comma look the same on screen, in the spreadsheet and on paper.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _

from surveys.models import MIN_GROUP

from .figures import HIDDEN, Figure
from .scope import Period, Scope

# What a cell without a value shows (an average without answers): a dash, as the regional overview does.
NOTHING = "–"


def cell(value, *, grouping: bool = True) -> str:
    """A value as text in the active language: a count with thousands grouped, an average to one decimal."""
    if value is None:
        return NOTHING
    if value == HIDDEN:
        return str(HIDDEN)
    if isinstance(value, float) and not value.is_integer():
        # Rounded half up, as a reader rounds (3.75 is 3.8); Django's number_format would round half to even.
        rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return formats.number_format(rounded, decimal_pos=1, force_grouping=grouping)
    return formats.number_format(int(value), force_grouping=grouping)


def table_rows(figure: Figure) -> list[tuple[str, list[str]]]:
    """The rows of a figure's table: its label and each value as text."""
    return [(str(row[0]), [cell(value) for value in row[1:]]) for row in figure.rows]


def choices(scope: Scope, period: Period) -> dict[str, str]:
    """The GET choices a download carries, so it holds what the page shows (also when a choice was refused)."""
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if scope.coalition is not None:
        query = {"coalition": scope.coalition.slug, **query}
    return query


def scope_name(scope: Scope) -> str:
    return scope.coalition.name if scope.coalition is not None else _("The whole region")


def period_text(period: Period) -> str:
    return _("From %(start)s to %(end)s") % {
        "start": formats.date_format(period.start, "DATE_FORMAT"),
        "end": formats.date_format(period.end, "DATE_FORMAT"),
    }


def filename(scope: Scope, period: Period, extension: str) -> str:
    """'impact-borsele-2025-01-01-2026-12-01.pdf': what the file holds, so a folder of them sorts by coalition."""
    where = scope.coalition.slug if scope.coalition is not None else slugify(_("region"))
    return f"{slugify(_('impact'))}-{where}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.{extension}"


def intro() -> str:
    """What the figures count, for the reader of the page and of the PDF."""
    return _(
        "The figures count what the portal records: approved members and partner organisations, events and who "
        "checked in, feedback after events, the yearly network pulse, the journal and the coalitions' phases. "
        "Each chart has its numbers in the table below it."
    )


def privacy() -> str:
    return _(
        "Privacy: no figure shows a person. A count of fewer than %(minimum)d people reads “%(hidden)s” and is left "
        "out of the chart, so no one can be recognised."
    ) % {"minimum": MIN_GROUP, "hidden": HIDDEN}


def hidden_note() -> str:
    """Under a chart with a hidden value: why the chart has a gap where the table says "fewer than 5"."""
    return _("Counts of fewer than %(minimum)d people are left out of the chart.") % {"minimum": MIN_GROUP}
