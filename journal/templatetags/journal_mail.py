"""The edition mail in each reader's order: the stories and events of the coalitions they follow first."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def edition_reading_order(context):
    """{"your_stories", "other_stories", "your_events", "other_events"} for the reader of this mail.

    The mail's shared context holds the stories and events once and the few orders its readers need
    ("orders", built by journal.services.reading_orders); the reader's own context names theirs ("order").
    Without one (the whole region, or a mail rendered from older data) everything keeps the usual order.
    """
    orders = context.get("orders") or {}
    order = orders.get(context.get("order") or "")
    reading = {}
    for section in ("stories", "events"):
        items = list(context.get(section) or [])
        if order:
            indices = [index for index in order.get(section, []) if 0 <= index < len(items)]
            if sorted(indices) != list(range(len(items))):
                indices = list(range(len(items)))  # stored for other items: the usual order is always right
                first = 0
            else:
                first = order.get(f"{section}_first", 0)
        else:
            indices, first = list(range(len(items))), 0
        reading[f"your_{section}"] = [items[index] for index in indices[:first]]
        reading[f"other_{section}"] = [items[index] for index in indices[first:]]
    return reading
