"""Cancelling an event whose registered people all have addresses that bounced: nobody can be mailed, so the
cancel page cancels at once without mail instead of refusing at the check step."""

import pytest
from django.urls import reverse

from coalition.models import MailCheck, Mailing, Suppression
from events import services
from events.models import Registration

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _bounced(registration):
    Suppression.objects.create(address=registration.profile.user.email.lower(), reason="550 unknown user")


def test_an_event_whose_registered_addresses_all_bounced_is_cancelled_at_once_without_mail(coordinator_client):
    event = EventFactory()
    _bounced(RegistrationFactory(event=event))
    _bounced(RegistrationFactory(event=event, state=Registration.State.WAITING))
    url = reverse("events:cancel_event", args=[event.slug])
    page = coordinator_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["mailable"] == 0
    assert page.context["registered"] == 2
    response = coordinator_client.post(url, {"reason": "Zaal dicht"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    assert not Mailing.objects.exists() and not MailCheck.objects.exists()


def test_an_event_with_one_reachable_registered_person_still_goes_through_the_check_step(coordinator_client):
    event = EventFactory()
    _bounced(RegistrationFactory(event=event))
    RegistrationFactory(event=event)
    response = coordinator_client.post(reverse("events:cancel_event", args=[event.slug]), {"reason": "Zaal dicht"})
    assert response.status_code == 302
    assert MailCheck.objects.count() == 1
    event.refresh_from_db()
    assert not event.is_cancelled


def test_the_service_refuses_to_cancel_without_mail_while_someone_can_be_mailed(coordinator):
    event = EventFactory()
    _bounced(RegistrationFactory(event=event))
    RegistrationFactory(event=event)
    with pytest.raises(services.EventError):
        services.cancel_event(event, by=coordinator)
    event.refresh_from_db()
    assert not event.is_cancelled


def test_the_service_cancels_without_mail_when_every_registered_address_bounced(coordinator):
    event = EventFactory()
    _bounced(RegistrationFactory(event=event))
    services.cancel_event(event, by=coordinator)
    event.refresh_from_db()
    assert event.is_cancelled
    assert not Mailing.objects.exists()


def test_a_member_is_refused_the_cancel_page(client, member):
    event = EventFactory()
    _bounced(RegistrationFactory(event=event))
    client.force_login(member)
    response = client.post(reverse("events:cancel_event", args=[event.slug]), {})
    assert response.status_code in (403, 404)
    event.refresh_from_db()
    assert not event.is_cancelled
