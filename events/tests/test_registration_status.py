"""What the event page says about registering is decided once (views.registration_status), and the domain
questions behind the pages are QuerySet methods: waiting positions, who may see an event, mailing progress."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from coalition.mail import Recipient, queue_mailing
from coalition.models import Delivery
from events import services
from events.models import Event, EventMailing, Registration
from events.views import RegistrationStatus, registration_status

from .factories import EventFactory, RegistrationFactory, approved_member

pytestmark = pytest.mark.django_db

Kind = RegistrationStatus.Kind


def _anonymous(event, people):
    return None


def _pending(event, people):
    return people["pending"]


def _member(event, people):
    return people["member"]


def _registered(event, people):
    return services.register(event, people["member"]).profile.user


def _waiting_second(event, people):
    event.capacity = 1
    event.save()
    RegistrationFactory(event=event)
    services.register(event, approved_member())
    return services.register(event, people["member"]).profile.user


def _full(event, people):
    event.capacity = 1
    event.save()
    RegistrationFactory(event=event)
    return people["member"]


def _past_deadline(event, people):
    user = _registered(event, people)
    event.cancellation_deadline = timezone.now() - timedelta(hours=1)
    event.save()
    return user


def _not_open_yet(event, people):
    event.registration_opens_at = timezone.now() + timedelta(days=1)
    event.save()
    return people["member"]


def _cancelled(event, people):
    services.cancel_event(event, by=people["coordinator"])
    return people["member"]


def _started(event, people):
    event.starts_at = timezone.now() - timedelta(minutes=30)
    event.save()
    return people["member"]


# (who and what, the status, what the page says in English)
CASES = {
    "visitor": (_anonymous, Kind.LOG_IN, "Log in to register"),
    "pending": (_pending, Kind.NOT_MEMBER, "Registration is open to approved members of the network."),
    "member": (_member, Kind.CAN_REGISTER, ">Register</a>"),
    "member, full event": (_full, Kind.CAN_REGISTER, "Join the waiting list"),
    "member, not open yet": (_not_open_yet, Kind.NOT_OPEN, "Registration is not open."),
    "registered": (_registered, Kind.REGISTERED, "Cancel my registration"),
    "waiting": (_waiting_second, Kind.WAITING, "You are number 2 on the waiting list."),
    "past the deadline": (_past_deadline, Kind.REGISTERED, "The cancellation deadline has passed"),
    "cancelled event": (_cancelled, Kind.CLOSED, "This event has been cancelled."),
    "started event": (_started, Kind.CLOSED, "Add to my calendar"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_event_page_shows_the_one_registration_status_the_view_decided(
    client, case, pending_member, member, coordinator
):
    arrange, kind, wording = CASES[case]
    event = EventFactory(capacity=10)
    user = arrange(event, {"pending": pending_member, "member": member, "coordinator": coordinator})
    if user is not None:
        client.force_login(user)
    response = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    status = response.context["registration_status"]
    assert status.kind == kind
    assert wording in response.text
    # Only the status it shows: no register button where one may not register, no cancel form without a place.
    assert (reverse("events:register", args=[event.slug]) in response.text) is (kind == Kind.CAN_REGISTER)
    assert ("Cancel my registration" in response.text) is status.can_cancel


def test_a_waiting_status_carries_its_position_and_a_full_event_says_so():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    services.register(event, approved_member())
    user = approved_member()
    registration = services.register(event, user)
    status = registration_status(event, user, registration)
    assert (status.kind, status.waiting_position, status.has_place) == (Kind.WAITING, 2, True)
    newcomer = approved_member()
    assert registration_status(event, newcomer, None).joins_waiting_list


def test_waiting_positions_are_counted_per_event_in_one_query(django_assert_num_queries):
    first_event, second_event = EventFactory(capacity=1), EventFactory(capacity=1)
    same_moment = timezone.now()
    for event in (first_event, second_event):
        RegistrationFactory(event=event)
    # Two registrations at the same moment: the older row goes first.
    tied = [
        RegistrationFactory(event=first_event, state=Registration.State.WAITING, waiting_since=same_moment)
        for _ in range(2)
    ]
    earlier = RegistrationFactory(
        event=first_event, state=Registration.State.WAITING, waiting_since=same_moment - timedelta(minutes=1)
    )
    other = RegistrationFactory(event=second_event, state=Registration.State.WAITING, waiting_since=same_moment)
    with django_assert_num_queries(1):
        positions = {r.pk: r.waiting_position() for r in Registration.objects.with_waiting_position()}
    assert positions[earlier.pk] == 1
    assert (positions[tied[0].pk], positions[tied[1].pk]) == (2, 3)
    assert positions[other.pk] == 1
    confirmed = Registration.objects.confirmed().values_list("pk", flat=True)
    assert all(positions[pk] is None for pk in confirmed)
    # Without the annotation the model asks once, and gets the same answer.
    assert Registration.objects.get(pk=tied[1].pk).waiting_position() == 3


@pytest.mark.parametrize("state", Event.State.values)
def test_the_event_page_rule_and_the_lists_agree_on_who_sees_an_event(state, pending_member, member, coordinator):
    event = EventFactory(state=state)
    for user in (AnonymousUser(), pending_member, member, coordinator):
        listed = Event.objects.visible_to(user).filter(pk=event.pk).exists()
        assert user.has_perm("events.view_event_page", event) is listed, (state, user)


def test_a_draft_is_not_found_by_members_and_shown_to_coordinators(client, member, coordinator):
    event = EventFactory(state=Event.State.DRAFT, title="Nog geheim")
    client.force_login(member)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:event_ics", args=[event.slug])).status_code == 404
    client.force_login(coordinator)
    response = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Nog geheim" in response.text and "Draft: only coordinators see this event." in response.text


def test_mailing_progress_counts_each_mailing_of_the_event_by_delivery_state(coordinator_client):
    event = EventFactory()
    mailing = queue_mailing(
        template="events/reminder",
        recipients=[Recipient(email=f"p{n}@example.org") for n in range(4)],
        context=services.event_context(event),
        draft=True,
    )
    EventMailing.objects.create(event=event, mailing=mailing, purpose=EventMailing.Purpose.REMINDER)
    deliveries = list(mailing.deliveries.order_by("pk"))
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries[:2]]).update(state=Delivery.State.SENT)
    Delivery.objects.filter(pk=deliveries[2].pk).update(state=Delivery.State.FAILED)
    row = EventMailing.objects.filter(event=event).with_progress().get()
    assert (row.total_count, row.sent_count, row.failed_count) == (4, 2, 1)
    page = coordinator_client.get(reverse("events:mailings", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert "<td>2</td><td>1</td><td>4</td>" in page.text


def test_my_registrations_is_linked_only_for_those_who_may_open_it(client, pending_member, member):
    mine = reverse("events:my_registrations")
    client.force_login(pending_member)
    assert f'href="{mine}"' not in client.get(reverse("events:event_list")).text
    client.force_login(member)
    assert f'href="{mine}"' in client.get(reverse("events:event_list")).text
