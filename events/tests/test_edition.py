"""The edition page and the edition mailing show the events that accompany the edition."""

import pytest
from django.utils import timezone

from events.models import Event
from journal.services import edition_mail_context
from journal.tests.factories import EditionFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return EditionFactory(state="published", published_at=timezone.now())


def test_edition_page_lists_its_events_with_a_register_link(client, edition):
    event = EventFactory(edition=edition, title="Workshop bij deze editie")
    EventFactory(edition=edition, title="Nog een concept", state=Event.State.DRAFT)
    response = client.get(edition.get_absolute_url())
    assert response.status_code == 200
    assert event.title in response.text
    assert event.get_registration_url() in response.text
    assert "Nog een concept" not in response.text


def test_edition_mail_context_links_to_registration(edition):
    event = EventFactory(edition=edition)
    EventFactory(edition=edition, state=Event.State.DRAFT)
    events = edition_mail_context(edition)["events"]
    assert len(events) == 1
    assert events[0]["register_url"].endswith(event.get_registration_url())
