"""What the events app adds to a group's page and to the look back and ahead: the group's meetings and their notes.

Registered in EventsConfig.ready() into groups.sections (groups is a lower layer and never imports events), as
events/network_hooks.py does into network.sections.
"""

from datetime import datetime, time

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Action
from groups.sections import Meeting
from network.sections import Section

from .models import Event, MeetingNotes

GROUP_PAGE_PAST_MEETINGS = 5


def group_meetings(group, user):
    """The group's coming meetings and its last past ones with a link to their notes; two queries. Asked only for
    someone who may see inside the group (groups.view_inside)."""
    now = timezone.now()
    meetings = (
        Event.objects.visible_to(user)
        .filter(group=group)
        .annotate(has_notes=Exists(MeetingNotes.objects.filter(event=OuterRef("pk"))))
        .only("title", "slug", "starts_at", "ends_at", "state", "venue", "meeting_url", "address")
    )
    if group.is_case_consultation:
        # Each meeting of a case consultation says how many cases it has, and leads to them.
        meetings = meetings.annotate(case_count=Count("cases"))
    upcoming = list(meetings.upcoming(now))
    past = list(meetings.past(now)[:GROUP_PAGE_PAST_MEETINGS])
    can_plan = user.has_perm("events.plan_group_meeting", group)
    if not (upcoming or past or can_plan):
        return None
    return Section(
        title=_("Meetings"),
        template="events/includes/group_meetings.html",
        context={"group": group, "upcoming": upcoming, "past": past, "can_plan": can_plan},
    )


def meetings(groups, since):
    """{group id: [Meeting]} of the groups' published meetings from `since` on, oldest first, each with what its
    notes decided and the actions it created and closed; three queries for all groups together. `since` is a day
    (from its start, in the portal's time zone) or a moment."""
    if not isinstance(since, datetime):
        since = timezone.make_aware(datetime.combine(since, time.min))
    titles = Action.objects.order_by("pk").only("title")
    events = (
        Event.objects.published()
        .filter(group__in=[group.pk for group in groups], starts_at__gte=since)
        .select_related("notes")
        .prefetch_related(
            Prefetch("notes__actions_created", queryset=titles), Prefetch("notes__actions_closed", queryset=titles)
        )
        .order_by("starts_at", "pk")
    )
    found = {}
    for event in events:
        notes = getattr(event, "notes", None)
        found.setdefault(event.group_id, []).append(
            Meeting(
                starts_at=event.starts_at,
                title=event.title,
                url=event.get_absolute_url(),
                decisions=notes.decisions if notes else "",
                has_notes=notes is not None,
                actions_created=[action.title for action in notes.actions_created.all()] if notes else [],
                actions_closed=[action.title for action in notes.actions_closed.all()] if notes else [],
            )
        )
    return found
