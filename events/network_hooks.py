"""What the events app adds to a coalition's page and to the regional overview.

Registered in EventsConfig.ready() into network.sections (the network is a lower layer and never imports events).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.sections import Activity, Section

from .models import Event

COALITION_PAGE_EVENTS = 5


def coalition_events(coalition, user):
    """The coalition's upcoming published events the viewer may see (a group's own meetings only for those who
    see inside the group), soonest first; one query."""
    events = Event.objects.published().visible_to(user).filter(coalition=coalition).upcoming()
    events = list(events[:COALITION_PAGE_EVENTS])
    if not events:
        return None
    return Section(
        title=_("Upcoming events"), template="events/includes/coalition_events.html", context={"events": events}
    )


def last_events(coalitions):
    """{coalition id: Activity} of each coalition's last past published event, in one query for all coalitions
    (not a group's own meeting: the overview is for everyone)."""
    events = (
        Event.objects.published()
        .listed()
        .past()
        .filter(coalition__in=[coalition.pk for coalition in coalitions])
        # PostgreSQL's DISTINCT ON: the first row per coalition in this order is its latest event.
        .order_by("coalition_id", "-starts_at", "-pk")
        .distinct("coalition_id")
        .only("coalition", "starts_at", "title", "slug")
    )
    return {
        event.coalition_id: Activity(
            on=timezone.localdate(event.starts_at), title=event.title, url=event.get_absolute_url()
        )
        for event in events
    }
