"""A figure of the impact page: a titled table of numbers that a chart draws, a CSV copies and a PDF prints.

Every figure is built by `cockpit.impact` and drawn the same way everywhere, so a number is computed once. A
figure that counts people hides every count under the privacy minimum (`surveys.models.MIN_GROUP`): the cell
says "fewer than 5" in the table and is left out of the chart, and a total is never shown beside hidden cells
in a way that lets someone work them out by subtraction.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from surveys.models import MIN_GROUP

# How a figure is drawn; "" for a table only.
CHARTS = ("bar", "stacked", "horizontal", "line", "")


class Hidden:
    """A count of people under the minimum: shown as "fewer than 5", never as a number."""

    def __str__(self):
        return str(_("fewer than %(minimum)d") % {"minimum": MIN_GROUP})

    def __repr__(self):
        return "Hidden()"

    def __eq__(self, other):
        return isinstance(other, Hidden)

    def __hash__(self):
        return hash(Hidden)


HIDDEN = Hidden()


def people(count: int | None):
    """A count of people as it may be shown: 0 and counts from the minimum up; 1 to 4 become HIDDEN."""
    if count is None:
        return None
    return HIDDEN if 0 < count < MIN_GROUP else count


@dataclass
class Figure:
    """One figure: `columns` name the row label and each series; each row is (label, value, value, …).

    A value is a number, HIDDEN (too few people) or None (nothing to count, e.g. an average without answers).
    """

    key: str
    section: str
    title: str
    description: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    chart: str = "bar"
    unit: str = ""
    note: str = ""

    def __post_init__(self):
        assert self.chart in CHARTS, self.chart

    @property
    def series(self) -> list[str]:
        return [str(column) for column in self.columns[1:]]

    @property
    def hidden_cells(self) -> int:
        return sum(1 for row in self.rows for value in row[1:] if value == HIDDEN)

    @property
    def is_empty(self) -> bool:
        return not any(isinstance(value, int | float) and value for row in self.rows for value in row[1:])

    def _columns(self) -> list[list]:
        """The values of each series, in row order."""
        return [[row[index] for row in self.rows] for index in range(1, len(self.columns))]

    def chart_data(self) -> dict:
        """What Chart.js draws: the row labels and one dataset per series; hidden and missing values are null."""
        return {
            "kind": self.chart,
            "unit": str(self.unit),
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {
                    "label": series,
                    "data": [value if isinstance(value, int | float) else None for value in column],
                }
                for series, column in zip(self.series, self._columns(), strict=True)
            ],
        }


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure]
