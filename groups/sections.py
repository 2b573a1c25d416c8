"""What higher layers add to a group's page and to the look back and ahead, without groups importing them.

The events app registers functions here in its AppConfig.ready(), as it does with network.sections:

- GROUP_SECTIONS: `section(group, user)` returns a network.sections.Section for the inside of a group's page (its
  meetings and their notes, the cases of a case consultation) or None to show nothing; asked only for someone who
  may see inside the group (groups.view_inside).
- MEETINGS: `meetings(groups, since)` returns {group id: [Meeting]} of the groups' meetings from `since` on, oldest
  first, in a fixed number of queries for all groups together (the look back and ahead).
"""

from dataclasses import dataclass, field
from datetime import datetime

GROUP_SECTIONS = []
MEETINGS = []


@dataclass(frozen=True)
class Meeting:
    """A group's meeting as the look back and ahead shows it: when, what, and what it decided."""

    starts_at: datetime
    title: str
    url: str = ""
    decisions: str = ""  # Markdown, as written in the notes; empty when no notes were written
    has_notes: bool = False
    actions_created: list[str] = field(default_factory=list)
    actions_closed: list[str] = field(default_factory=list)


def group_sections(group, user):
    return [section for make in GROUP_SECTIONS if (section := make(group, user)) is not None]


def meetings_of(groups, since):
    """{group id: [Meeting]} over every registered source, each group's meetings in time order."""
    found = {}
    for source in MEETINGS:
        for group_id, meetings in source(groups, since).items():
            found.setdefault(group_id, []).extend(meetings)
    for meetings in found.values():
        meetings.sort(key=lambda meeting: meeting.starts_at)
    return found
