"""After the event (issue 16, point 6): the page of a past event, My registrations, the check-in search and
walk-ins."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import override

from coalition.rules import DomainError
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import services
from events.models import Event, Material, Registration
from events.views import RegistrationStatus, registration_status
from members.models import Profile
from network.tests.factories import CoalitionFactory

from .factories import EventFactory, RegistrationFactory, approved_member

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


def _past_event(**kwargs):
    start = timezone.now() - timedelta(days=10)
    kwargs.setdefault("meeting_url", "https://meet.example.org/past-room")
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), capacity=30, **kwargs)


def _page(client, event):
    response = client.get(event.get_absolute_url(), headers=ENGLISH)
    assert response.status_code == 200
    return response.text


def _with_material(event):
    return Material.objects.create(event=event, title="Slides", file=ContentFile(b"x", name="slides.pdf"))


def _took_place(event):
    with override("en"):
        return f"This event took place on {formats.date_format(timezone.localtime(event.starts_at), 'DATE_FORMAT')}."


def _assert_nothing_of_before(text, event):
    assert "seats left" not in text and "seat left" not in text and "No seat limit" not in text
    assert reverse("events:register", args=[event.slug]) not in text
    assert "meet.example.org" not in text and "meeting link" not in text and "Join the online meeting" not in text
    assert "waiting list" not in text
    assert "Cancel my registration" not in text


# --- The page of a past event -------------------------------------------------------------------------------


def test_a_visitor_sees_that_a_past_event_took_place_and_nothing_to_register_for(client):
    event = _past_event()
    _with_material(event)
    text = _page(client, event)
    assert _took_place(event) in text
    _assert_nothing_of_before(text, event)
    assert "Log in to register" not in text
    assert "Slides" not in text
    assert reverse("events:feedback", args=[event.slug]) not in text
    assert reverse("events:results", args=[event.slug]) not in text


def test_a_member_who_did_not_take_part_sees_neither_materials_nor_feedback(client, member):
    event = _past_event()
    _with_material(event)
    client.force_login(member)
    text = _page(client, event)
    assert _took_place(event) in text
    _assert_nothing_of_before(text, event)
    assert "Slides" not in text
    assert reverse("events:feedback", args=[event.slug]) not in text
    assert reverse("events:results", args=[event.slug]) not in text


def test_a_participant_of_a_past_event_gets_its_materials_and_the_feedback_form_not_the_link(client):
    event = _past_event()
    material = _with_material(event)
    user = approved_member()
    RegistrationFactory(event=event, profile=user.profile, checked_in=True)
    client.force_login(user)
    text = _page(client, event)
    assert _took_place(event) in text
    _assert_nothing_of_before(text, event)
    assert f'href="{material.get_absolute_url()}"' in text
    assert f'href="{reverse("events:feedback", args=[event.slug])}"' in text
    assert reverse("events:results", args=[event.slug]) not in text
    assert client.get(material.get_absolute_url()).status_code == 200


def test_a_coordinator_of_a_past_event_gets_the_results_and_the_materials(client, coordinator):
    event = _past_event()
    material = _with_material(event)
    client.force_login(coordinator)
    text = _page(client, event)
    assert _took_place(event) in text
    _assert_nothing_of_before(text, event)
    assert f'href="{material.get_absolute_url()}"' in text
    assert f'href="{reverse("events:results", args=[event.slug])}"' in text


def test_an_upcoming_event_still_shows_seats_register_and_no_took_place(client, member):
    event = EventFactory(capacity=30)
    client.force_login(member)
    text = _page(client, event)
    assert "took place" not in text
    assert "30 seats left" in text
    assert reverse("events:register", args=[event.slug]) in text


def test_a_cancelled_past_event_says_it_was_cancelled_not_that_it_took_place(client, member):
    event = _past_event(state=Event.State.CANCELLED)
    client.force_login(member)
    text = _page(client, event)
    assert "This event has been cancelled." in text
    assert "took place" not in text


def test_the_status_of_a_past_event_keeps_the_registration_and_offers_no_cancelling():
    event = _past_event()
    registration = RegistrationFactory(event=event)
    status = registration_status(event, registration.profile.user, registration)
    assert status.kind == RegistrationStatus.Kind.PAST and status.is_past
    assert status.registration == registration
    assert not status.has_place and not status.can_cancel and not status.joins_waiting_list


def test_the_calendar_file_of_a_past_event_leaves_out_the_meeting_link_even_for_participants(client):
    event = _past_event()
    user = approved_member()
    RegistrationFactory(event=event, profile=user.profile)
    client.force_login(user)
    assert "meet.example.org" not in client.get(reverse("events:event_ics", args=[event.slug])).text

    upcoming = EventFactory(meeting_url="https://meet.example.org/next-room")
    RegistrationFactory(event=upcoming, profile=user.profile)
    assert "meet.example.org" in client.get(reverse("events:event_ics", args=[upcoming.slug])).text


# --- My registrations ---------------------------------------------------------------------------------------


def test_my_registrations_says_attended_only_for_a_checked_in_past_registration(client):
    user = approved_member()
    came = RegistrationFactory(event=_past_event(title="Came"), profile=user.profile, checked_in=True)
    stayed_away = RegistrationFactory(event=_past_event(title="Stayed away"), profile=user.profile)
    client.force_login(user)
    text = client.get(reverse("events:my_registrations"), headers=ENGLISH).text
    past = text[text.index('id="past-heading"') :]
    came_item = past[past.index(came.event.title) :].split("</li>")[0]
    away_item = past[past.index(stayed_away.event.title) :].split("</li>")[0]
    assert "Attended" in came_item and "not checked in" not in came_item
    assert "Registered, not checked in" in away_item and "Attended" not in away_item


# --- The check-in list: search ----------------------------------------------------------------------------


def _named(event, first, last, organisation=None, **kwargs):
    user = approved_member(first_name=first, last_name=last, **({"organisation": organisation} if organisation else {}))
    return RegistrationFactory(event=event, profile=user.profile, **kwargs)


def test_the_check_in_search_filters_by_name_and_organisation_and_keeps_the_query(client, coordinator):
    event = EventFactory(capacity=None)
    anna = _named(event, "Anna", "Bakker")
    bert = _named(event, "Bert", "Visser")
    url = reverse("events:check_in_list", args=[event.slug])
    client.force_login(coordinator)

    text = client.get(url, {"q": "bakk"}).text
    assert f'id="registration-{anna.pk}"' in text and f'id="registration-{bert.pk}"' not in text
    assert 'value="bakk"' in text

    text = client.get(url, {"q": bert.organisation_name}).text
    assert f'id="registration-{bert.pk}"' in text and f'id="registration-{anna.pk}"' not in text

    text = client.get(url).text
    assert f'id="registration-{anna.pk}"' in text and f'id="registration-{bert.pk}"' in text


def test_checking_in_from_a_search_returns_to_the_same_search(client, coordinator):
    event = EventFactory(capacity=None)
    anna = _named(event, "Anna", "Bakker")
    client.force_login(coordinator)
    url = reverse("events:check_in_list", args=[event.slug])
    response = client.post(url, {"registration": anna.pk, "checked_in": "1", "q": "Bakker"})
    assert response.status_code == 302
    assert response.url == f"{url}?q=Bakker#registration-{anna.pk}"
    anna.refresh_from_db()
    assert anna.checked_in


def test_the_check_in_search_takes_as_many_queries_for_many_registrations(client, coordinator):
    event = EventFactory(capacity=None)
    client.force_login(coordinator)
    url = reverse("events:check_in_list", args=[event.slug]) + "?q=Zoek"

    def grow(n):
        for i in range(n):
            _named(event, f"Zoekbare{i}", "Deelnemer")
            approved_member(first_name=f"Zoekloper{i}", last_name="Binnenloper")

    assert_same_count_as_data_grows(client, url, grow)


# --- Walk-ins ---------------------------------------------------------------------------------------------


def test_the_check_in_search_offers_matching_members_without_a_seat_as_walk_ins(client, coordinator):
    event = EventFactory(capacity=None)
    registered = _named(event, "Anna", "Walkerson")
    walker = approved_member(first_name="Wim", last_name="Walkerson").profile
    client.force_login(coordinator)
    text = client.get(reverse("events:check_in_list", args=[event.slug]), {"q": "walkerson"}).text
    walk_in_part = text[text.index('id="walk-in-heading"') :]
    assert f'name="profile" value="{walker.pk}"' in walk_in_part
    assert f'name="profile" value="{registered.profile.pk}"' not in walk_in_part


def test_a_walk_in_gets_a_confirmed_checked_in_registration_even_in_a_full_event(client, coordinator):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    walker = approved_member(first_name="Wim", last_name="Walkerson").profile
    client.force_login(coordinator)
    url = reverse("events:check_in_list", args=[event.slug])
    response = client.post(url, {"action": "walk_in", "profile": walker.pk, "q": "Walk"})
    registration = Registration.objects.get(event=event, profile=walker)
    assert response.status_code == 302
    assert response.url == f"{url}?q=Walk#registration-{registration.pk}"
    assert registration.is_confirmed and registration.checked_in and registration.checked_in_at
    assert registration.name == "Wim Walkerson"
    assert Registration.objects.confirmed().filter(event=event).count() == 2


def test_a_walk_in_who_was_waiting_or_cancelled_is_confirmed_and_checked_in(coordinator):
    event = EventFactory(capacity=None)
    waiting = RegistrationFactory(event=event, state=Registration.State.WAITING)
    cancelled = RegistrationFactory(event=event, state=Registration.State.CANCELLED, cancelled_at=timezone.now())
    for registration in (waiting, cancelled):
        result = services.walk_in(event, registration.profile, by=coordinator)
        assert result.pk == registration.pk
        assert (
            result.is_confirmed and result.checked_in and result.cancelled_at is None and result.waiting_since is None
        )


def test_a_registered_member_who_walks_in_is_checked_in_on_their_registration(coordinator):
    event = EventFactory(capacity=None)
    registration = RegistrationFactory(event=event)
    result = services.walk_in(event, registration.profile, by=coordinator)
    assert result.pk == registration.pk and result.checked_in
    assert Registration.objects.filter(event=event).count() == 1


def test_a_member_already_checked_in_is_refused_with_a_message(client, coordinator):
    event = EventFactory(capacity=None)
    registration = RegistrationFactory(event=event, checked_in=True, checked_in_at=timezone.now())
    with override("en"), pytest.raises(DomainError, match="is already checked in"):
        services.walk_in(event, registration.profile, by=coordinator)

    client.force_login(coordinator)
    url = reverse("events:check_in_list", args=[event.slug])
    response = client.post(url, {"action": "walk_in", "profile": registration.profile.pk}, follow=True, headers=ENGLISH)
    assert f"{registration.name} is already checked in." in response.text


def test_a_pending_member_cannot_walk_in(client, coordinator, pending_member):
    event = EventFactory(capacity=None)
    client.force_login(coordinator)
    url = reverse("events:check_in_list", args=[event.slug])
    client.post(url, {"action": "walk_in", "profile": pending_member.profile.pk})
    assert not Registration.objects.filter(event=event).exists()
    with pytest.raises(DomainError):
        services.walk_in(event, pending_member.profile, by=coordinator)


def test_a_member_may_not_add_walk_ins(client, member):
    event = EventFactory(capacity=None)
    walker = approved_member().profile
    client.force_login(member)
    response = client.post(
        reverse("events:check_in_list", args=[event.slug]), {"action": "walk_in", "profile": walker.pk}
    )
    assert response.status_code == 403
    assert not Registration.objects.filter(event=event).exists()
    with pytest.raises(services.NotAllowed):
        services.walk_in(event, walker, by=member)


def test_a_coalition_coordinator_may_not_add_walk_ins_to_another_coalitions_event(client, coalition_coordinator):
    event = EventFactory(capacity=None, coalition=CoalitionFactory())
    walker = approved_member().profile
    client.force_login(coalition_coordinator)
    response = client.post(
        reverse("events:check_in_list", args=[event.slug]), {"action": "walk_in", "profile": walker.pk}
    )
    assert response.status_code == 403
    assert not Registration.objects.filter(event=event).exists()
    with pytest.raises(services.NotAllowed):
        services.walk_in(event, walker, by=coalition_coordinator)


def test_nothing_is_checked_in_when_no_member_is_chosen(client, coordinator):
    event = EventFactory(capacity=None)
    client.force_login(coordinator)
    response = client.post(reverse("events:check_in_list", args=[event.slug]), {"action": "walk_in", "profile": ""})
    assert response.status_code == 302
    assert not Registration.objects.filter(event=event).exists()
    assert Profile.objects.exists()
