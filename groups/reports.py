"""The look back and ahead: per coalition, what each of its groups finished, still has open, and met about.

For the half-yearly meeting of all partners (issue 18, point 5). The HTML page (groups.report_views) and the PDF
(groups.report_pdf) show the same `Report`, built here once in a fixed number of queries whatever the number of
groups and actions: the groups, their coordinators, their actions with owners, and one call per registered meetings
source (groups.sections.meetings_of).
"""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .models import Action, Group, Membership
from .sections import Meeting, meetings_of

# The report looks back half a year unless asked otherwise: the rhythm of the all-partner meeting.
DEFAULT_MONTHS = 6
KIND_ORDER = list(Group.Kind.values)


def default_since(today: date | None = None) -> date:
    """Six months before `today` (the same day of the month, or the month's last day when it has fewer)."""
    today = today or timezone.localdate()
    months = today.year * 12 + today.month - 1 - DEFAULT_MONTHS
    year, month = divmod(months, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@dataclass
class GroupReport:
    """One group in the report: its actions done and dropped since the date, those still open and overdue, and its
    meetings since the date with their decisions."""

    group: Group
    coordinators: list
    member_count: int
    done: list[Action] = field(default_factory=list)
    dropped: list[Action] = field(default_factory=list)
    open: list[Action] = field(default_factory=list)  # unfinished and not (yet) past their due date
    overdue: list[Action] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def is_quiet(self):
        """Nothing happened and nothing is open: the report says so in a line instead of empty lists."""
        return not (self.done or self.dropped or self.open or self.overdue or self.meetings)


@dataclass
class Report:
    coalition: object
    since: date
    today: date
    groups: list[GroupReport]

    @property
    def done_count(self):
        return sum(len(entry.done) for entry in self.groups)

    @property
    def open_count(self):
        return sum(len(entry.open) for entry in self.groups)

    @property
    def overdue_count(self):
        return sum(len(entry.overdue) for entry in self.groups)

    @property
    def meeting_count(self):
        return sum(len(entry.meetings) for entry in self.groups)


def _local_date(moment):
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _closed_since(since):
    """Finished on or after `since`: by the day the service recorded (closed_on), else by the last change."""
    return Q(closed_on__gte=since) | Q(closed_on__isnull=True, updated_at__date__gte=since)


def look_back(coalition, *, since: date, today: date | None = None) -> Report:
    """The report of `coalition` from `since` until `today`: its active groups, and those archived in the period.

    Open and overdue actions are in due-date order (without a due date last), done and dropped ones in the order
    they were closed; an action counts as done or dropped when it was closed
    on or after `since`, as open or overdue when it is unfinished now, whenever it was made.
    """
    today = today or timezone.localdate()
    groups = list(
        Group.objects.of_coalition(coalition)
        .filter(Q(archived_at__isnull=True) | Q(archived_at__date__gte=since))
        .annotate(member_count=Count("memberships", filter=Q(memberships__state=Membership.State.ACTIVE)))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.coordinators().select_related("profile"),
                to_attr="coordinator_memberships",
            )
        )
    )
    # Working groups first, then sounding-board groups, then case consultations; by name within a kind.
    groups.sort(key=lambda group: (KIND_ORDER.index(group.kind), group.name.lower(), group.pk))
    entries = {
        group.pk: GroupReport(
            group=group,
            coordinators=[membership.profile for membership in group.coordinator_memberships],
            member_count=group.member_count,
        )
        for group in groups
    }
    finished = (Q(status=Action.Status.DONE) | Q(status=Action.Status.DROPPED)) & _closed_since(since)
    actions = (
        Action.objects.filter(group__in=groups)
        .filter(Q(status__in=Action.UNFINISHED) | finished)
        .prefetch_related("owners")
        .order_by("group_id", "due_on", "pk")
    )
    for action in actions:
        entry = entries[action.group_id]
        action.group = entry.group  # the group already read: its address needs no query per action
        if action.status == Action.Status.DONE:
            entry.done.append(action)
        elif action.status == Action.Status.DROPPED:
            entry.dropped.append(action)
        elif action.due_on is not None and action.due_on < today:
            entry.overdue.append(action)
        else:
            entry.open.append(action)
    for entry in entries.values():
        # Without a due date last: what has a date is what the partners plan around.
        entry.open.sort(key=lambda action: (action.due_on is None, action.due_on or today, action.pk))
        # What was finished, in the order it was finished.
        for finished_actions in (entry.done, entry.dropped):
            finished_actions.sort(key=lambda action: (action.closed_on or today, action.pk))
    if groups:
        for group_id, meetings in meetings_of(groups, since).items():
            if group_id in entries:
                entry = entries[group_id]
                entry.meetings = [meeting for meeting in meetings if _local_date(meeting.starts_at) >= since]
    return Report(coalition=coalition, since=since, today=today, groups=list(entries.values()))
