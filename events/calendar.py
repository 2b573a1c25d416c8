"""iCalendar (.ics) files of events: invitations, updates, cancellations, downloads and feeds."""

import functools
from datetime import date
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.utils import timezone

from coalition.mail import absolute_url

PRODID = "-//Kansrijke Start Coalitie//Events//NL"

# METHOD values (RFC 5546): REQUEST puts the event in the participant's calendar and lets a later
# REQUEST with a higher SEQUENCE update it; CANCEL removes it; PUBLISH is a plain download or feed.
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def _location(event, *, private):
    parts = [p for p in (event.venue, event.address.replace("\r", "").replace("\n", ", ").strip()) if p]
    if private and event.meeting_url:
        parts.append(event.meeting_url)
    return ", ".join(parts)


# A programme of at most this many items goes in the description of the event's own calendar file; a longer one
# would bury the description, and the event page (linked from it) shows it anyway.
SHORT_PROGRAMME = 8


def programme_text(items):
    """A short programme as lines for a calendar description ("13:00–13:15 Welkom"), or "" when it is long."""
    if not items or len(items) > SHORT_PROGRAMME:
        return ""
    return "\n".join(
        f"{timezone.localtime(item.starts_at):%H:%M}–{timezone.localtime(item.ends_at):%H:%M} {item.title}"
        for item in items
    )


def _vevent(event, *, private, method, attendee=None, programme=""):
    component = icalendar.Event()
    component.add("uid", f"{event.uid}@{settings.SITE_URL.split('://', 1)[-1]}")
    component.add("sequence", event.sequence)
    component.add("dtstamp", timezone.now())
    tz = timezone.get_default_timezone()
    component.add("dtstart", timezone.localtime(event.starts_at, tz))
    component.add("dtend", timezone.localtime(event.ends_at, tz))
    component.add("summary", event.title)
    description = event.description
    url = absolute_url(event.get_absolute_url())
    if programme:
        description = f"{description}\n\n{programme}".strip()
    if private and event.meeting_url:
        description = f"{description}\n\n{event.meeting_url}".strip()
    component.add("description", f"{description}\n\n{url}".strip())
    component.add("url", url)
    location = _location(event, private=private)
    if location:
        component.add("location", location)
    cancelled = method == CANCEL or event.is_cancelled
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method in (REQUEST, CANCEL):
        organizer_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        organizer = icalendar.vCalAddress(f"mailto:{organizer_address}")
        organizer.params["cn"] = settings.SITE_NAME
        component.add("organizer", organizer)
        if attendee:
            email, name = attendee
            address = icalendar.vCalAddress(f"mailto:{email}")
            if name:
                address.params["cn"] = name
            address.params["role"] = "REQ-PARTICIPANT"
            address.params["partstat"] = "ACCEPTED"
            component.add("attendee", address)
    return component


def _calendar(method=None, name=None):
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


@functools.lru_cache(maxsize=64)
def _timezone(tzid, first_year, last_year):
    """The VTIMEZONE of a zone over the years a calendar file's events fall in, built once per process.

    By default icalendar lists every transition from 1970 to 2038: 2.4 KB in every file and about 3 ms of CPU to
    derive, most of a registration's calendar file. The years the events touch are all a calendar needs (RFC 5545
    §3.6.5), and the component cannot change while the process runs. None for a zone icalendar does not know.
    """
    try:
        return icalendar.Timezone.from_tzid(
            tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
        )
    except ValueError:
        return None


def _add_timezones(cal, events):
    """`Calendar.add_missing_timezones()` for these events' years, each zone's VTIMEZONE from `_timezone`."""
    missing = cal.get_missing_tzids()
    if not missing:
        return
    years = [timezone.localtime(moment).year for event in events for moment in (event.starts_at, event.ends_at)]
    position = len(cal.timezones)
    for tzid in sorted(missing):
        component = _timezone(tzid, min(years), max(years))
        if component is not None:
            cal.subcomponents.insert(position, component)
            position += 1


def event_ics(event, *, method=PUBLISH, private=False, attendee=None, programme=""):
    """One event as .ics text. `private` adds the meeting link (confirmed participants only); `programme` (see
    `programme_text`) goes in the description."""
    cal = _calendar(method)
    cal.add_component(_vevent(event, private=private, method=method, attendee=attendee, programme=programme))
    _add_timezones(cal, [event])
    return cal.to_ical().decode()


def _feed_ics(events, *, name, private):
    events = list(events)
    cal = _calendar(PUBLISH, name=name)
    for event in events:
        cal.add_component(_vevent(event, private=private, method=PUBLISH))
    _add_timezones(cal, events)
    return cal.to_ical().decode()


def feed_ics(events, *, name):
    """A member's personal feed: everything they are confirmed for, meeting links included."""
    return _feed_ics(events, name=name, private=True)


def public_feed_ics(events, *, name):
    """The public feed of published events: the same UID and SEQUENCE as each event's own .ics, never a meeting link."""
    return _feed_ics(events, name=name, private=False)


def attachment(event, *, method, private=True, attendee=None):
    """The .ics as an outbox attachment dict (JSON-serialisable)."""
    return {
        "filename": "event.ics" if method != CANCEL else "cancel.ics",
        "content": event_ics(event, method=method, private=private, attendee=attendee),
        "mimetype": "text/calendar",
    }
