"""Participant-only pages, files and mails ask the person's standing now, not when they registered.

A member who registered while approved and was then declined, or whose account was deactivated,
loses the participant list, the materials, the feedback form, the meeting link and the calendar feed.
"""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Material
from members import services as members_services

from .checks import send
from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

MEETING_URL = "https://meet.example.org/geheim-overleg"


@pytest.fixture
def past_event():
    starts_at = timezone.now() - timedelta(days=2)
    event = EventFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), meeting_url=MEETING_URL)
    Material.objects.create(event=event, title="Slides", file=ContentFile(b"%PDF-1.4 slides", name="slides.pdf"))
    return event


@pytest.fixture
def participant(past_event):
    return RegistrationFactory(event=past_event, consent_to_list=True).profile.user


def _lose_standing(user, how, coordinator):
    if how == "declined":
        members_services.decline(user.profile, by=coordinator, reason="Geen professional in de regio")
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])


def _addresses(outbox):
    return [parseaddr(address)[1] for message in outbox for address in message.to]


def _refused(response, how):
    if how == "declined":
        return response.status_code == 403 and "not been approved" in response.text
    # A deactivated account's session no longer logs anyone in: the page asks to log in.
    return response.status_code == 302 and reverse("account_login") in response["Location"]


URLS = {
    "participant list": lambda event: reverse("events:participants", args=[event.slug]),
    "material download": lambda event: event.materials.get().get_absolute_url(),
    "my registrations": lambda event: reverse("events:my_registrations"),
}


@pytest.mark.parametrize("how", ["declined", "deactivated"])
@pytest.mark.parametrize("what", sorted(URLS))
def test_a_participant_who_lost_standing_is_refused(client, past_event, participant, coordinator, what, how):
    client.force_login(participant)
    url = URLS[what](past_event)
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200, "a participant in good standing may"
    _lose_standing(participant, how, coordinator)
    assert _refused(client.get(url, HTTP_ACCEPT_LANGUAGE="en"), how)


@pytest.mark.parametrize("how", ["declined", "deactivated"])
def test_a_participant_who_lost_standing_is_not_led_to_the_feedback_survey(
    client, past_event, participant, coordinator, how
):
    client.force_login(participant)
    url = reverse("events:feedback", args=[past_event.slug])
    assert client.get(url).url.startswith("/surveys/answer/"), "a participant in good standing is"
    past_event.refresh_from_db()
    past_event.feedback_survey.participants.all().delete()
    _lose_standing(participant, how, coordinator)
    assert _refused(client.get(url, HTTP_ACCEPT_LANGUAGE="en"), how)
    assert not past_event.feedback_survey.participants.exists()


@pytest.mark.parametrize("how", ["declined", "deactivated"])
def test_the_event_page_and_its_calendar_file_drop_the_private_parts(client, past_event, participant, coordinator, how):
    # Still going on: once it has ended the meeting link is gone for everyone (test_after_the_event.py).
    past_event.ends_at = timezone.now() + timedelta(hours=1)
    past_event.save(update_fields=["ends_at"])
    client.force_login(participant)
    page = reverse("events:event_detail", args=[past_event.slug])
    ics = reverse("events:event_ics", args=[past_event.slug])
    before = client.get(page).text
    assert MEETING_URL in before and "slides.pdf" in before
    assert MEETING_URL in client.get(ics).text.replace("\r\n ", "")
    _lose_standing(participant, how, coordinator)
    after = client.get(page)
    assert after.status_code == 200
    assert MEETING_URL not in after.text
    assert "slides.pdf" not in after.text
    assert reverse("events:participants", args=[past_event.slug]) not in after.text
    assert reverse("events:feedback", args=[past_event.slug]) not in after.text
    assert MEETING_URL not in client.get(ics).text.replace("\r\n ", "")


@pytest.mark.parametrize("how", ["declined", "deactivated"])
def test_the_personal_calendar_feed_stops_answering(client, participant, coordinator, how):
    upcoming = EventFactory(meeting_url=MEETING_URL)
    RegistrationFactory(event=upcoming, profile=participant.profile)
    feed = services.renew_calendar_feed(participant.profile)
    url = reverse("events:calendar_feed", args=[feed.token])
    assert MEETING_URL in client.get(url).text.replace("\r\n ", "")
    _lose_standing(participant, how, coordinator)
    response = client.get(url)
    assert response.status_code == 404
    assert MEETING_URL not in response.text


@pytest.mark.parametrize("how", ["declined", "deactivated"])
def test_reminders_and_changes_go_only_to_members_in_good_standing(
    participant, coordinator, how, django_capture_on_commit_callbacks
):
    upcoming = EventFactory(meeting_url=MEETING_URL, starts_at=timezone.now() + timedelta(days=1))
    RegistrationFactory(event=upcoming, profile=participant.profile)
    staying = RegistrationFactory(event=upcoming).profile.user
    _lose_standing(participant, how, coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders()
        services.update_event(upcoming, by=coordinator, venue="Ergens anders")
    assert _addresses(mail.outbox) == [staying.email, staying.email]  # the reminder and the change


@pytest.mark.parametrize("how", ["declined", "deactivated"])
def test_materials_are_not_mailed_to_someone_who_lost_standing(
    past_event, participant, coordinator, how, django_capture_on_commit_callbacks
):
    staying = RegistrationFactory(event=past_event).profile.user
    _lose_standing(participant, how, coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send("events.materials", {"event": past_event.pk}, by=coordinator).deliveries.count() == 1
    assert _addresses(mail.outbox) == [staying.email]
