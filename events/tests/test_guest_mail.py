"""Guests' mails through the real outbox: a Celery worker over Redis and an SMTP server (issue 16, point 2)."""

import re

import pytest
from django.test import Client

from events import services
from events.models import Registration
from events.services import Guest

from .factories import EventFactory

pytestmark = pytest.mark.celery_worker


def _links(message):
    return re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())


def test_a_guest_confirms_from_the_received_mail_and_gets_the_confirmation_with_a_calendar_file(
    celery_worker_redis, smtp_server
):
    event = EventFactory(open_to_guests=True, capacity=3)
    guest = Guest(name="Sanne Bakker", email="sanne@minvws.example", function="beleidsmedewerker",
                  organisation_name="Ministerie van VWS")  # fmt: skip
    registration = services.register_guest(event, guest)
    assert smtp_server.wait_for(1), "the confirm-address mail did not arrive"
    confirm_mail = smtp_server.messages[0]
    assert confirm_mail.envelope_recipients == ["sanne@minvws.example"]
    assert not list(confirm_mail.iter_attachments())  # nothing counts yet: no calendar file
    confirm_url = next(link for link in _links(confirm_mail) if "/events/guest/" in link and "/confirm/" in link)

    client = Client()
    path = re.sub(r"^https?://[^/]+", "", confirm_url)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    registration.refresh_from_db()
    assert registration.state == Registration.State.CONFIRMED

    assert smtp_server.wait_for(2), "the confirmation did not arrive"
    confirmation = smtp_server.messages[1]
    assert confirmation.envelope_recipients == ["sanne@minvws.example"]
    calendars = [part for part in confirmation.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(calendars) == 1 and "METHOD:REQUEST" in calendars[0].get_content()
    assert any("/events/guest/" in link and "/cancel/" in link for link in _links(confirmation))
    celery_worker_redis.drain()
    assert len(smtp_server.messages) == 2  # one mail each, nothing else
