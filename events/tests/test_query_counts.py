"""Query counts of the event pages that had no guard yet: the same for 5× the data (issue 13, point 7).

Each test renders a page with a little data, adds four times as much again, and renders it once more: the number
of SQL statements must not change, so an N+1 shows however small the test data is. Each page is measured as the
role(s) that open it. The counts are taken after one warm-up request (sessions, role caches).
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coalition.models import Mailing
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import services
from events.models import EventMailing, Material, Registration
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ThemeFactory
from network.tests.factories import CoalitionFactory

from .factories import EventFactory, InvitationFactory, RegistrationFactory, approved_member, give_feedback

pytestmark = pytest.mark.django_db


def _past_event():
    start = timezone.now() - timedelta(days=10)
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), capacity=None)


def _registrations(event, **kwargs):
    return lambda n: RegistrationFactory.create_batch(n, event=event, **kwargs)


# --- Lists -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "coordinator"])
def test_the_event_list_takes_as_many_queries_for_many_events(client, coordinator, role):
    if role == "coordinator":
        client.force_login(coordinator)

    def grow(n):
        for event in EventFactory.create_batch(n):
            RegistrationFactory.create_batch(2, event=event)

    assert_same_count_as_data_grows(client, reverse("events:event_list"), grow)


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_past_events_take_as_many_queries_for_many_events(client, member, role):
    if role == "member":
        client.force_login(member)

    def grow(n):
        for _ in range(n):
            RegistrationFactory.create_batch(2, event=_past_event())

    assert_same_count_as_data_grows(client, reverse("events:past_events"), grow)


# --- An event ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "coordinator"])
def test_the_event_page_takes_as_many_queries_for_many_participants_and_materials(client, coordinator, role):
    event = EventFactory(capacity=None)
    if role == "coordinator":
        client.force_login(coordinator)

    def grow(n):
        RegistrationFactory.create_batch(n, event=event)
        for _ in range(n):
            Material.objects.create(event=event, title="Slides", file=ContentFile(b"x", name="slides.pdf"))

    # A visitor sees neither participants nor materials: their number still must not cost queries.
    assert_same_count_as_data_grows(client, event.get_absolute_url(), grow, shown=role == "coordinator")


def test_the_registration_form_takes_as_many_queries_for_a_fuller_event(client):
    event = EventFactory(capacity=None)
    client.force_login(approved_member())
    url = reverse("events:register", args=[event.slug])
    assert_same_count_as_data_grows(client, url, _registrations(event), shown=False)


@pytest.mark.parametrize("role", ["participant", "coordinator"])
def test_the_participant_list_takes_as_many_queries_for_many_participants(client, coordinator, role):
    event = EventFactory(capacity=None)
    if role == "participant":
        user = approved_member()
        RegistrationFactory(event=event, profile=user.profile)
        client.force_login(user)
    else:
        client.force_login(coordinator)
    url = reverse("events:participants", args=[event.slug])
    assert_same_count_as_data_grows(client, url, _registrations(event, consent_to_list=True))


def test_the_feedback_form_takes_as_many_queries_when_many_gave_feedback(client):
    event = _past_event()
    user = approved_member()
    RegistrationFactory(event=event, profile=user.profile)
    client.force_login(user)

    def grow(n):
        for registration in RegistrationFactory.create_batch(n, event=event):
            give_feedback(registration, score=4, valuable="Veel")

    # The page leads to the person's own answer page of the feedback survey (surveys' own query tests measure it).
    url = reverse("events:feedback", args=[event.slug])

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/surveys/answer/")
        return len(captured)

    grow(2)
    few = count()
    grow(8)
    assert count() == few


# --- The coordinator's tools -------------------------------------------------------------------------------


def test_the_invitation_page_takes_as_many_queries_for_many_invitations(client, coordinator):
    event = EventFactory()
    client.force_login(coordinator)
    grow = lambda n: InvitationFactory.create_batch(n, event=event)  # noqa: E731
    assert_same_count_as_data_grows(client, reverse("events:invitations", args=[event.slug]), grow)


def test_the_invite_form_takes_as_many_queries_for_many_organisations_places_and_coalitions(client, coordinator):
    event = EventFactory()
    client.force_login(coordinator)

    def grow(n):
        OrganisationFactory.create_batch(n)
        MunicipalityFactory.create_batch(n)
        ThemeFactory.create_batch(n)
        CoalitionFactory.create_batch(n)

    assert_same_count_as_data_grows(client, reverse("events:invite", args=[event.slug]), grow)


@pytest.mark.parametrize("name", ["check_in_list", "cancel_event"])
def test_the_check_in_list_and_cancel_page_take_as_many_queries_for_many_registrations(client, coordinator, name):
    event = EventFactory(capacity=None)
    client.force_login(coordinator)
    url = reverse(f"events:{name}", args=[event.slug])
    assert_same_count_as_data_grows(client, url, _registrations(event), shown=name == "check_in_list")


def test_the_results_take_as_many_queries_for_much_feedback(client, coordinator):
    event = _past_event()
    client.force_login(coordinator)

    def grow(n):
        for registration in RegistrationFactory.create_batch(n, event=event):
            give_feedback(registration, score=5, valuable="Alles")
        RegistrationFactory(event=event, state=Registration.State.CANCELLED)

    assert_same_count_as_data_grows(client, reverse("events:results", args=[event.slug]), grow)


def test_the_results_with_a_needs_inventory_take_as_many_queries_for_many_answers(client, coordinator):
    from surveys.services import submit_response  # noqa: PLC0415 - only this test answers a needs inventory
    from surveys.tests.factories import ParticipantFactory  # noqa: PLC0415 - as above

    event = _past_event()
    survey = services.ask_needs(event, by=coordinator)
    question = survey.questions.order_by("position").first()
    client.force_login(coordinator)

    def grow(n):
        for registration in RegistrationFactory.create_batch(n, event=event):
            give_feedback(registration, score=3)
        for _n in range(n):
            participant = ParticipantFactory(survey=survey)
            submit_response(survey, participant=participant, answers={str(question.pk): "Casuïstiek"})

    assert_same_count_as_data_grows(client, reverse("events:results", args=[event.slug]), grow)
    assert_same_count_as_data_grows(client, reverse("events:event_detail", args=[event.slug]), grow, shown=False)


def test_the_needs_inventory_page_takes_as_many_queries_for_many_events(client, coordinator):
    client.force_login(coordinator)
    event = EventFactory()
    grow = lambda n: EventFactory.create_batch(n)  # noqa: E731
    assert_same_count_as_data_grows(client, reverse("events:ask_needs", args=[event.slug]), grow, shown=False)


def test_sending_materials_takes_as_many_queries_for_many_materials_and_participants(client, coordinator):
    event = _past_event()
    client.force_login(coordinator)

    def grow(n):
        RegistrationFactory.create_batch(n, event=event)
        for _ in range(n):
            Material.objects.create(event=event, title="Hand-out", file=ContentFile(b"x", name="hand-out.pdf"))

    assert_same_count_as_data_grows(client, reverse("events:send_materials", args=[event.slug]), grow)


def test_the_mailings_page_takes_as_many_queries_for_many_mailings(client, coordinator):
    event = EventFactory()
    client.force_login(coordinator)

    def grow(n):
        for _ in range(n):
            mailing = Mailing.objects.create(subject="Uitnodiging", description="Uitnodiging")
            EventMailing.objects.create(event=event, mailing=mailing, purpose=EventMailing.Purpose.INVITATION)

    assert_same_count_as_data_grows(client, reverse("events:mailings", args=[event.slug]), grow)
