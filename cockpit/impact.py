"""The impact figures of the network, for a scope (a coalition or the region) and a period.

Each figure is counted in the database (aggregation, never a loop over rows in Python where SQL can count)
and hides counts of fewer than five people (cockpit.figures.people).
"""

from .figures import Section
from .scope import Period, Scope


def report(scope: Scope, period: Period) -> list[Section]:
    """Every section of the impact page, in the order the page shows them."""
    return []
