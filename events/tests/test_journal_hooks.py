"""The events app answers the journal's edition-mail hook: the edition's upcoming published events."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.journal_hooks import edition_events_for_mail
from events.models import Event
from journal import services as journal_services
from journal.tests import factories as journal_factories
from journal.tests.factories import SubscriberFactory, publish_and_mail

from .factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_edition():
    return journal_factories.approved_edition()


def test_the_events_app_registers_its_section_of_the_edition_mail():
    assert journal_services.EDITION_MAIL_SECTIONS["events"] is edition_events_for_mail


def test_only_the_editions_upcoming_published_events_are_listed_soonest_first(approved_edition):
    now = timezone.now()
    later = EventFactory(edition=approved_edition, title="Later", starts_at=now + timedelta(days=20))
    sooner = EventFactory(edition=approved_edition, title="Sooner", starts_at=now + timedelta(days=2))
    EventFactory(edition=approved_edition, title="Draft", state=Event.State.DRAFT)
    EventFactory(edition=approved_edition, title="Over", starts_at=now - timedelta(days=3))
    EventFactory(title="Another edition's")
    events = edition_events_for_mail(approved_edition)
    assert [event["title"] for event in events] == ["Sooner", "Later"]
    assert events[0]["url"].endswith(sooner.get_absolute_url())
    assert events[1]["register_url"].endswith(later.get_registration_url())
    assert events[0]["when"]


def test_edition_mail_lists_upcoming_published_events_with_a_register_link(
    coordinator, approved_edition, django_capture_on_commit_callbacks
):
    event = EventFactory(edition=approved_edition, title="Workshop geldzorgen")
    EventFactory(edition=approved_edition, title="Concept-workshop", state=Event.State.DRAFT)
    SubscriberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        publish_and_mail(approved_edition, by=coordinator)
    message = mail.outbox[0]
    assert "Workshop geldzorgen" in message.body
    assert event.get_registration_url() in message.body
    assert event.get_registration_url() in message.alternatives[0][0]
    assert "Concept-workshop" not in message.body
