"""Scope and theme of events (issue 16, point 1): the list's filters, the public iCal feed per filter, themes on
the pages, and who manages a coalition's events."""

from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import calendar
from events.models import Event
from members.tests.factories import MunicipalityFactory, ThemeFactory
from network.tests.factories import CoalitionFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db

LIST = reverse("events:event_list")
FEED = reverse("events:feed")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def world():
    goes, kapelle, vlissingen = (MunicipalityFactory(name=n, slug=n.lower()) for n in ("Goes", "Kapelle", "Vlissingen"))
    bevelanden = CoalitionFactory(name="Bevelanden", municipalities=[goes, kapelle])
    walcheren = CoalitionFactory(name="Walcheren", municipalities=[vlissingen])
    poverty, early = ThemeFactory(name="Armoede", slug="armoede"), ThemeFactory(name="Vroeg", slug="vroeg")
    events = {
        "bevelanden_workshop": EventFactory(title="Bevelanden workshop", coalition=bevelanden),
        "bevelanden_online": EventFactory(
            title="Bevelanden online",
            coalition=bevelanden,
            kind=Event.Kind.ONLINE_MEETING,
            venue="",
            address="",
            meeting_url="https://meet.example.org/secret-room",
        ),
        "walcheren_visit": EventFactory(title="Walcheren visit", coalition=walcheren, kind=Event.Kind.WORK_VISIT),
        "regional": EventFactory(title="Regional workshop"),
    }
    events["bevelanden_workshop"].themes.set([poverty])
    events["bevelanden_online"].themes.set([poverty, early])
    events["regional"].themes.set([early])
    return {
        "goes": goes,
        "vlissingen": vlissingen,
        "bevelanden": bevelanden,
        "walcheren": walcheren,
        "poverty": poverty,
        "early": early,
        **events,
    }


def _listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {event.title for event in response.context["events"]}


def _fed(client, **params):
    response = client.get(FEED, params)
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(component["summary"]) for component in cal.walk("VEVENT")}, response


# --- The list's filters ---------------------------------------------------------------------------------


def test_without_filters_the_list_shows_every_upcoming_event(client, world):
    assert _listed(client) == {"Bevelanden workshop", "Bevelanden online", "Walcheren visit", "Regional workshop"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda w: {"coalition": w["bevelanden"].pk}, {"Bevelanden workshop", "Bevelanden online"}),
        (lambda w: {"municipality": w["goes"].pk}, {"Bevelanden workshop", "Bevelanden online"}),
        (lambda w: {"municipality": w["vlissingen"].pk}, {"Walcheren visit"}),
        (lambda w: {"theme": w["poverty"].pk}, {"Bevelanden workshop", "Bevelanden online"}),
        (lambda w: {"theme": w["early"].pk}, {"Bevelanden online", "Regional workshop"}),
        (lambda w: {"kind": Event.Kind.WORK_VISIT}, {"Walcheren visit"}),
        (lambda w: {"place": "online"}, {"Bevelanden online"}),
        (lambda w: {"place": "on_site"}, {"Bevelanden workshop", "Walcheren visit", "Regional workshop"}),
        (lambda w: {"coalition": w["bevelanden"].pk, "place": "on_site"}, {"Bevelanden workshop"}),
        (lambda w: {"theme": w["early"].pk, "municipality": w["goes"].pk}, {"Bevelanden online"}),
        (lambda w: {"theme": w["poverty"].pk, "coalition": w["walcheren"].pk}, set()),
    ],
)
def test_each_filter_narrows_the_list_and_they_combine(client, world, params, expected):
    assert _listed(client, **params(world)) == expected


def test_a_municipality_outside_every_coalition_lists_no_regional_events(client, world):
    assert _listed(client, municipality=MunicipalityFactory(name="Elders", slug="elders").pk) == set()


def test_a_refused_filter_value_shows_its_error_and_filters_nothing(client, world):
    response = client.get(LIST, {"kind": "rave"})
    assert response.status_code == 200
    assert response.context["filter_form"].errors["kind"]
    assert len(response.context["events"]) == 4


def test_the_list_links_the_feed_of_its_filter_and_shows_themes(client, world):
    text = client.get(LIST, {"theme": world["poverty"].pk, "page": 1}).text
    assert "Subscribe in your calendar" in text
    assert f'href="{FEED}?theme={world["poverty"].pk}"' in text
    assert "Armoede" in text


def test_the_event_page_shows_its_themes_as_tags(client, world):
    text = client.get(world["bevelanden_online"].get_absolute_url()).text
    assert '<p class="event-themes">' in text
    assert "Armoede" in text and "Vroeg" in text


def test_the_filtered_list_takes_as_many_queries_for_many_events_with_themes(client, world):
    themes = [world["poverty"], world["early"]]

    def grow(n):
        for event in EventFactory.create_batch(n, coalition=world["bevelanden"]):
            event.themes.set(themes)

    url = f"{LIST}?coalition={world['bevelanden'].pk}&theme={world['poverty'].pk}"
    assert_same_count_as_data_grows(client, url, grow)


# --- The public feed ----------------------------------------------------------------------------------------


def test_the_feed_holds_exactly_the_published_upcoming_events_of_its_filter(client, world):
    now = timezone.now()
    for state in (Event.State.DRAFT, Event.State.CANCELLED):
        EventFactory(title=f"Bevelanden {state}", coalition=world["bevelanden"], state=state)
    EventFactory(
        title="Bevelanden past",
        coalition=world["bevelanden"],
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3, hours=-2),
    )

    assert _fed(client, coalition=world["bevelanden"].pk)[0] == {"Bevelanden workshop", "Bevelanden online"}
    assert _fed(client, theme=world["early"].pk)[0] == {"Bevelanden online", "Regional workshop"}
    assert _fed(client, place="online", municipality=world["goes"].pk)[0] == {"Bevelanden online"}
    assert _fed(client)[0] == {"Bevelanden workshop", "Bevelanden online", "Walcheren visit", "Regional workshop"}


def test_the_feed_is_public_short_cached_and_without_meeting_links(client, world):
    names, response = _fed(client, place="online")
    assert names == {"Bevelanden online"}
    assert "secret-room" not in response.text
    assert response["Content-Type"].startswith("text/calendar")
    cache = response["Cache-Control"]
    assert "public" in cache and "max-age=900" in cache


def test_the_feed_gives_each_event_the_uid_and_sequence_of_its_own_ics(client, world):
    event = world["walcheren_visit"]
    Event.objects.filter(pk=event.pk).update(sequence=3)
    event.refresh_from_db()
    own = icalendar.Calendar.from_ical(calendar.event_ics(event)).walk("VEVENT")[0]
    _names, response = _fed(client, kind=Event.Kind.WORK_VISIT)
    (fed,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert fed["uid"] == own["uid"]
    assert fed["sequence"] == own["sequence"] == 3


def test_a_feed_for_a_filter_value_that_does_not_exist_is_not_found(client, world):
    assert client.get(FEED, {"coalition": 999999}).status_code == 404


def test_a_member_and_a_coordinator_get_the_same_public_feed_without_drafts(client, member, coordinator, world):
    EventFactory(title="Draft", state=Event.State.DRAFT)
    for user in (member, coordinator):
        client.force_login(user)
        names, response = _fed(client)
        assert "Draft" not in names
        assert "secret-room" not in response.text


def test_the_feed_takes_as_many_queries_for_many_events(client, world):
    def grow(n):
        for event in EventFactory.create_batch(n, coalition=world["bevelanden"]):
            event.themes.set([world["poverty"]])

    assert_same_count_as_data_grows(client, f"{FEED}?theme={world['poverty'].pk}", grow, shown=False)


# --- Who manages a coalition's events --------------------------------------------------------------------


def test_a_coalition_coordinator_manages_their_coalitions_events_only(coalition_coordinator, member):
    own = EventFactory(coalition=coalition_coordinator.coalition_roles.get().coalition)
    other = EventFactory(coalition=CoalitionFactory())
    regional = EventFactory()
    for permission in ("events.manage_event", "events.send_invitations", "events.view_participants"):
        assert coalition_coordinator.has_perm(permission, own)
        assert not coalition_coordinator.has_perm(permission, other)
        assert not coalition_coordinator.has_perm(permission, regional)
        assert not member.has_perm(permission, own)


def test_a_regional_coordinator_manages_every_event(coordinator):
    for event in (EventFactory(coalition=CoalitionFactory()), EventFactory()):
        assert coordinator.has_perm("events.manage_event", event)
        assert coordinator.has_perm("events.send_invitations", event)


def test_a_coalition_coordinator_opens_the_tools_of_their_coalitions_event(client, coalition_coordinator):
    own = EventFactory(coalition=coalition_coordinator.coalition_roles.get().coalition)
    other = EventFactory(coalition=CoalitionFactory())
    client.force_login(coalition_coordinator)
    assert client.get(reverse("events:invitations", kwargs={"slug": own.slug})).status_code == 200
    assert client.get(reverse("events:invitations", kwargs={"slug": other.slug})).status_code == 403


def test_the_admin_stays_with_regional_coordinators(coalition_coordinator):
    assert not coalition_coordinator.has_perm("events.manage_event")
    assert not coalition_coordinator.has_perm("events.change_event")
