"""Saving an event mails its participants only for a real change of time or place, and says so."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from events import services
from events.models import Event, Material, Registration

from .factories import EventFactory, RegistrationFactory
from .test_admin import _change_page, _split

pytestmark = pytest.mark.django_db

ADDRESS = "Brugstraat 1\n3511 AB Utrecht"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _event(days, *, participants, **fields):
    """An event as the admin makes them (whole minutes) with confirmed participants and one on the waiting list."""
    starts_at = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    event = EventFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), address=ADDRESS, **fields)
    RegistrationFactory.create_batch(participants, event=event)
    RegistrationFactory(event=event, state=Registration.State.WAITING)
    return event


def _as_a_browser_posts(data):
    """Browsers send a textarea's line breaks as CRLF."""
    return {key: value.replace("\n", "\r\n") if isinstance(value, str) else value for key, value in data.items()}


def _save(client, url, data, capture):
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(url, _as_a_browser_posts(data), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context["adminform"].form.errors
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_saving_an_unchanged_event_mails_nobody_and_says_so(coordinator_client, django_capture_on_commit_callbacks):
    event = _event(20, participants=10)
    url, data = _change_page(coordinator_client, event)
    said = _save(coordinator_client, url, data, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert "Nobody was mailed: the time and place did not change." in said
    event.refresh_from_db()
    assert event.sequence == 0
    assert event.address == ADDRESS


def test_adding_a_material_to_a_past_event_mails_nobody(coordinator_client, django_capture_on_commit_callbacks):
    event = _event(-42, participants=19)
    url, data = _change_page(coordinator_client, event)
    data["materials-0-title"] = "Slides"
    data["materials-0-file"] = SimpleUploadedFile("slides.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    said = _save(coordinator_client, url, data, django_capture_on_commit_callbacks)
    assert Material.objects.filter(event=event, title="Slides").exists()
    assert mail.outbox == []
    assert "Nobody was mailed: the time and place did not change." in said


def test_a_real_change_to_a_past_event_mails_nobody(coordinator_client, django_capture_on_commit_callbacks):
    event = _event(-42, participants=19)
    url, data = _change_page(coordinator_client, event)
    data["venue"] = "Het Gemeentehuis"
    said = _save(coordinator_client, url, data, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert "Nobody was mailed: the event is over." in said
    assert Event.objects.get(pk=event.pk).venue == "Het Gemeentehuis"


def test_a_real_change_mails_every_confirmed_participant_and_says_how_many(
    coordinator_client, django_capture_on_commit_callbacks
):
    event = _event(20, participants=3)
    url, data = _change_page(coordinator_client, event)
    _split(data, "starts_at", event.starts_at + timedelta(hours=1))
    said = _save(coordinator_client, url, data, django_capture_on_commit_callbacks)
    confirmed = set(Registration.objects.confirmed().filter(event=event).values_list("profile__user__email", flat=True))
    assert {parseaddr(address)[1] for message in mail.outbox for address in message.to} == confirmed
    assert len(mail.outbox) == 3
    assert "The new time or place was mailed to 3 confirmed participants." in said
    assert Event.objects.get(pk=event.pk).sequence == 1


def test_a_changed_address_is_stored_in_canonical_form(coordinator_client, django_capture_on_commit_callbacks):
    event = _event(20, participants=1)
    url, data = _change_page(coordinator_client, event)
    data["address"] = "  Stationsplein 4  \n4461 HP Goes \n"
    said = _save(coordinator_client, url, data, django_capture_on_commit_callbacks)
    assert Event.objects.get(pk=event.pk).address == "Stationsplein 4\n4461 HP Goes"
    assert len(mail.outbox) == 1
    assert "The new time or place was mailed to 1 confirmed participant." in said


def test_the_same_place_typed_differently_is_no_change(coordinator, django_capture_on_commit_callbacks):
    event = _event(20, participants=2, meeting_url="https://meet.example.org/a")
    with django_capture_on_commit_callbacks(execute=True):
        update = services.update_event(
            event,
            by=coordinator,
            address="Brugstraat 1 \r\n3511 AB Utrecht\r\n",
            venue=f" {event.venue} ",
            meeting_url="https://meet.example.org/a ",
            starts_at=event.starts_at.replace(microsecond=0),
        )
    assert not update.schedule_changed
    assert update.mailed == 0
    assert mail.outbox == []


def test_a_draft_event_mails_nobody_and_says_why(coordinator, django_capture_on_commit_callbacks):
    event = _event(20, participants=2, state=Event.State.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        update = services.update_event(event, by=coordinator, venue="Elders")
    assert update.schedule_changed and update.mailed == 0
    assert update.no_mail_reason == "Nobody was mailed: the event is not published."
    assert mail.outbox == []


def test_a_new_event_is_stored_with_its_address_in_canonical_form(coordinator):
    starts_at = timezone.now() + timedelta(days=5)
    event = Event(
        title="Nieuw",
        slug="nieuw",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        address="Markt 1\r\n4331 LK Middelburg \r\n",
    )
    services.create_event(event, by=coordinator)
    event.refresh_from_db()
    assert event.address == "Markt 1\n4331 LK Middelburg"
    assert event.starts_at.microsecond == 0
