"""Events of a coalition: on the event's page, the coalition's upcoming events on its page, its last past event
in the regional overview and its CSV (through the network's registries); the demo gives some a coalition."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import demo
from events.models import Event
from members import demo as members_demo
from network import demo as network_demo
from network.tests.factories import CoalitionFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("network:regional_overview")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _past(coalition, days, **kwargs):
    starts_at = timezone.now() - timedelta(days=days)
    return EventFactory(coalition=coalition, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), **kwargs)


def test_the_event_page_links_its_coalition(client):
    coalition = CoalitionFactory(name="Kansrijk Walcheren")
    event = EventFactory(coalition=coalition)
    text = client.get(event.get_absolute_url()).text
    assert f'<a href="{coalition.get_absolute_url()}">Kansrijk Walcheren</a>' in text


def test_the_coalition_page_lists_its_upcoming_published_events_and_not_past_drafts_or_others(client):
    coalition = CoalitionFactory()
    later = EventFactory(coalition=coalition, title="Later workshop", starts_at=timezone.now() + timedelta(days=20))
    sooner = EventFactory(coalition=coalition, title="Sooner workshop", starts_at=timezone.now() + timedelta(days=3))
    _past(coalition, 10, title="Past workshop")
    EventFactory(coalition=coalition, title="Draft workshop", state=Event.State.DRAFT)
    EventFactory(coalition=CoalitionFactory(), title="Another coalition's workshop")
    EventFactory(title="Regional workshop")

    text = client.get(coalition.get_absolute_url()).text

    assert "Upcoming events" in text
    assert f'href="{sooner.get_absolute_url()}"' in text and f'href="{later.get_absolute_url()}"' in text
    assert text.index("Sooner workshop") < text.index("Later workshop")
    for title in ("Past workshop", "Draft workshop", "Another coalition", "Regional workshop"):
        assert title not in text


def test_the_coalition_page_takes_as_many_queries_for_many_events_as_for_few(client, django_assert_max_num_queries):
    coalition = CoalitionFactory()
    EventFactory(coalition=coalition)
    with django_assert_max_num_queries(100) as few:
        client.get(coalition.get_absolute_url())
    EventFactory.create_batch(10, coalition=coalition)
    with django_assert_max_num_queries(len(few)):
        client.get(coalition.get_absolute_url())


def test_the_overview_and_its_csv_show_each_coalitions_last_past_published_event(client, coordinator):
    coalition = CoalitionFactory(name="Aa")
    _past(coalition, 40, title="Long ago")
    last = _past(coalition, 5, title="Last meeting")
    _past(coalition, 2, title="Draft meeting", state=Event.State.DRAFT)
    EventFactory(coalition=coalition, title="Coming meeting")
    _past(None, 1, title="Regional meeting")
    quiet = CoalitionFactory(name="Bb")
    client.force_login(coordinator)

    response = client.get(OVERVIEW)

    rows = {row.coalition.name: row.last_activity for row in response.context["rows"]}
    assert rows["Aa"].title == "Last meeting" and rows["Aa"].on == timezone.localdate(last.starts_at)
    assert rows["Bb"] is None
    assert f'<a href="{last.get_absolute_url()}">Last meeting</a>' in response.text
    lines = list(csv.reader(io.StringIO(client.get(OVERVIEW + "export/").content.decode("utf-8-sig")), delimiter=";"))
    by_name = {line[0]: line for line in lines[1:]}
    assert any(cell.endswith(" Last meeting") for cell in by_name["Aa"])
    assert not any("meeting" in cell for cell in by_name[quiet.name])


def test_the_overview_takes_as_many_queries_for_many_coalitions_with_events_as_for_few(
    client, coordinator, django_assert_max_num_queries
):
    def grow(count):
        for _number in range(count):
            coalition = CoalitionFactory()
            _past(coalition, 3)
            _past(coalition, 30)

    client.force_login(coordinator)
    grow(2)
    with django_assert_max_num_queries(100) as few:
        client.get(OVERVIEW)
    grow(10)
    with django_assert_max_num_queries(len(few)):
        response = client.get(OVERVIEW)
    assert sum(row.last_activity is not None for row in response.context["rows"]) == 12


def test_the_demo_gives_some_events_a_coalition_idempotently():
    members_demo.seed()
    network_demo.seed()
    demo.seed()
    tagged = dict(Event.objects.filter(coalition__isnull=False).values_list("slug", "coalition__slug"))
    demo.seed()
    assert dict(Event.objects.filter(coalition__isnull=False).values_list("slug", "coalition__slug")) == tagged
    assert tagged == demo.EVENT_COALITIONS
    assert Event.objects.filter(coalition__isnull=True).exists()
