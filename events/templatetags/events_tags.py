"""Template tags of the events: the events that accompany a journal edition."""

from django import template

from events.models import Event

register = template.Library()


@register.inclusion_tag("events/includes/edition_events.html", takes_context=True)
def edition_events(context, edition):
    """The published events of an edition (one query), for the edition page."""
    events = list(
        Event.objects.visible_to(context["request"].user).filter(edition=edition).with_counts().order_by("starts_at")
    )
    return {"events": events, "request": context["request"]}
