"""What the events app tells the journal (a lower layer): the events section of an edition's mail.

Registered in EventsConfig.ready() into journal.services.EDITION_MAIL_SECTIONS, so the journal never
imports the events app.
"""

from django.utils import timezone
from django.utils.formats import date_format

from coalition.mail import absolute_url

from .models import Event

EDITION_MAIL_EVENTS = 10


def edition_events_for_mail(edition) -> list[dict]:
    """The edition's upcoming published events, soonest first, as plain data for the mail (JSON, rendered later);
    a group's own meetings never go out with the journal."""
    events = Event.objects.published().listed().filter(edition=edition).upcoming()[:EDITION_MAIL_EVENTS]
    return [
        {
            "title": event.title,
            "when": date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT"),
            "url": absolute_url(event.get_absolute_url()),
            "register_url": absolute_url(event.get_registration_url()),
            # Readers who follow this coalition get it first (journal.services.reading_orders).
            "coalition": event.coalition_id,
        }
        for event in events
    ]
