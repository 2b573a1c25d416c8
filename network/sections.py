"""What higher layers add to a coalition's page and to the regional overview, without the network importing them.

The journal and the events app register functions here in their AppConfig.ready(), as they do with
members.services.EXPORTERS:

- PAGE_SECTIONS: `section(coalition, user)` returns a Section for the coalition's page (its upcoming events,
  the stories that mention it) or None to show nothing;
- LAST_ACTIVITY: `last(coalitions)` returns {coalition id: Activity} for the regional overview's "last event"
  column, in a fixed number of queries for all coalitions together.
"""

from dataclasses import dataclass, field
from datetime import date

PAGE_SECTIONS = []
LAST_ACTIVITY = []


@dataclass(frozen=True)
class Section:
    """A part of a coalition's page: a heading and a template rendered with `context`."""

    title: str
    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Activity:
    """The last thing that happened in a coalition, such as its last event."""

    on: date
    title: str
    url: str = ""


def page_sections(coalition, user):
    return [section for make in PAGE_SECTIONS if (section := make(coalition, user)) is not None]


def last_activity(coalitions):
    """The latest activity per coalition id, over every registered source."""
    latest = {}
    for source in LAST_ACTIVITY:
        for coalition_id, activity in source(coalitions).items():
            if coalition_id not in latest or activity.on > latest[coalition_id].on:
                latest[coalition_id] = activity
    return latest
