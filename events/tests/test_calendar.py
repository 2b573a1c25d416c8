"""Calendar files: the time zone they carry covers the events they hold, and is built once per process."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events import calendar

from .factories import EventFactory

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _event_at(year, month, day, hour=14):
    starts_at = datetime(year, month, day, hour, tzinfo=AMSTERDAM)
    return EventFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))


def _zone(text):
    (zone,) = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    return zone


def _observance_starts(zone):
    """(kind, local start) of every observance, its first start and each RDATE."""
    starts = []
    for observance in zone.subcomponents:
        starts.append((observance.name, observance.decoded("DTSTART")))
        rdates = observance.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            starts.extend((observance.name, when.dt) for when in rdate.dts)
    return starts


def test_an_event_in_summer_carries_its_zone_with_the_summer_offset_and_no_decades_of_history():
    event = _event_at(2027, 7, 1)
    text = calendar.event_ics(event, method=calendar.REQUEST, attendee=("sanne@example.org", "Sanne"))
    zone = _zone(text)
    assert str(zone["TZID"]) == "Europe/Amsterdam"
    starts = _observance_starts(zone)
    in_force = max((start, kind) for kind, start in starts if start <= event.starts_at.replace(tzinfo=None))
    assert in_force[1] == "DAYLIGHT"
    daylight = next(observance for observance in zone.subcomponents if observance.name == "DAYLIGHT")
    assert daylight.decoded("TZOFFSETTO") == timedelta(hours=2)
    assert {start.year for _kind, start in starts} <= {2027, 2028}
    # Every time in the file reads back as the moment stored.
    (vevent,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at


def test_a_feed_over_several_years_carries_the_zone_for_all_of_them():
    first, last = _event_at(2026, 1, 15), _event_at(2028, 10, 1)
    zone = _zone(calendar.feed_ics([first, last], name="Mijn bijeenkomsten"))
    years = {start.year for _kind, start in _observance_starts(zone)}
    assert min(years) == 2026
    assert {2027, 2028} <= years


def test_the_zone_is_built_once_for_the_same_years():
    calendar._timezone.cache_clear()
    for day in (1, 2, 3):
        calendar.event_ics(_event_at(2027, 3, day))
    assert calendar._timezone.cache_info().misses == 1
    assert calendar._timezone.cache_info().hits == 2


def test_an_empty_feed_has_no_zone():
    assert "VTIMEZONE" not in calendar.feed_ics([], name="Mijn bijeenkomsten")
