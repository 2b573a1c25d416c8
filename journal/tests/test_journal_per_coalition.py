"""The journal per coalition: a subscriber follows the whole region or chosen coalitions; every subscriber gets the
whole edition, and the mail puts the stories and events of the reader's coalitions first (issue 15, point 3)."""

import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coalition.mail import render_delivery
from coalition.tests.query_counts import assert_same_count_as_data_grows
from journal import services
from journal.forms import spam_guard_stamp
from journal.models import State as StoryState
from journal.models import Subscriber
from network.audiences import SOURCES, Segment, people_of
from network.tests.factories import CoalitionFactory

from .factories import StoryFactory, SubscriberFactory, approved_edition, publish_and_mail

pytestmark = pytest.mark.django_db


def subscribe_as_visitor(client, **data):
    return client.post(
        reverse("journal:subscribe"),
        {"email": "reader@example.net", "name": "Reader", "started": spam_guard_stamp(time.time() - 9), **data},
    )


def confirm_path(message):
    url = next(line for line in message.body.splitlines() if "/journal/confirm/" in line).strip()
    return url[url.index("/journal/confirm/") :]


# --- Choosing -------------------------------------------------------------------------------------------------


def test_a_visitor_follows_the_coalitions_they_tick_once_they_confirm(client, django_capture_on_commit_callbacks):
    utrecht, zeist, _other = CoalitionFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe_as_visitor(client, journal="on", follow="coalitions", coalitions=[utrecht.pk, zeist.pk])
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email="reader@example.net")
    assert list(subscriber.coalitions.all()) == []  # nothing changes before the address is confirmed
    client.post(confirm_path(mail.outbox[0]))
    assert set(subscriber.coalitions.all()) == {utrecht, zeist}


def test_a_visitor_who_chooses_the_whole_region_follows_no_coalition_even_with_boxes_ticked(
    client, django_capture_on_commit_callbacks
):
    coalition = CoalitionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        subscribe_as_visitor(client, journal="on", follow="region", coalitions=[coalition.pk])
    client.post(confirm_path(mail.outbox[0]))
    subscriber = Subscriber.objects.get(email="reader@example.net")
    assert subscriber.is_confirmed
    assert not subscriber.coalitions.exists()


def test_the_subscribe_form_says_at_the_field_that_a_coalition_is_needed_and_keeps_the_input(client):
    CoalitionFactory()
    response = subscribe_as_visitor(client, journal="on", follow="coalitions")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["coalitions"]
    assert form["email"].value() == "reader@example.net"
    assert form["follow"].value() == "coalitions"
    assert not Subscriber.objects.exists()


def test_a_confirmed_reader_who_chooses_other_coalitions_gets_a_link_to_confirm_them(
    client, django_capture_on_commit_callbacks
):
    coalition = CoalitionFactory()
    subscriber = SubscriberFactory(email="reader@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        subscribe_as_visitor(client, journal="on", follow="coalitions", coalitions=[coalition.pk])
    assert len(mail.outbox) == 1
    assert not subscriber.coalitions.exists()
    client.post(confirm_path(mail.outbox[0]))
    assert list(subscriber.coalitions.all()) == [coalition]


def test_a_member_follows_coalitions_on_the_subscription_page_and_goes_back_to_the_whole_region(member_client, member):
    utrecht, zeist = CoalitionFactory.create_batch(2)
    url = reverse("journal:subscription")
    response = member_client.post(url, {"journal": "on", "follow": "coalitions", "coalitions": [zeist.pk]})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(user=member)
    assert list(subscriber.coalitions.all()) == [zeist]
    form = member_client.get(url).context["form"]
    assert form["follow"].value() == "coalitions"
    assert [int(pk) for pk in form["coalitions"].value()] == [zeist.pk]

    member_client.post(url, {"journal": "on", "follow": "region", "coalitions": [utrecht.pk]})
    assert not subscriber.coalitions.exists()
    assert member_client.get(url).context["form"]["follow"].value() == "region"


def test_the_subscription_page_says_at_the_field_that_a_coalition_is_needed_and_keeps_the_choice(member_client, member):
    CoalitionFactory()
    response = member_client.post(
        reverse("journal:subscription"), {"journal": "on", "invitations": "on", "follow": "coalitions"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["coalitions"]
    assert form["invitations"].value() is True
    assert form["follow"].value() == "coalitions"
    assert 'id="error_1_id_coalitions"' in response.content.decode() or "is-invalid" in response.content.decode()


def test_the_subscription_page_takes_as_many_queries_for_many_coalitions_followed(client, member):
    client.force_login(member)
    subscriber = services.set_member_subscription(member, journal=True, invitations=True)

    def grow(n):
        coalitions = CoalitionFactory.create_batch(n)
        subscriber.coalitions.add(*coalitions)

    assert_same_count_as_data_grows(client, reverse("journal:subscription"), grow)


def test_a_subscription_export_names_the_coalitions_followed(member):
    subscriber = services.set_member_subscription(member, journal=True, invitations=False)
    subscriber.coalitions.add(CoalitionFactory(name="Kansrijke Start Zeist"))
    assert services.export_subscription(member)["coalitions_followed"] == ["Kansrijke Start Zeist"]


# --- The mail in each reader's order --------------------------------------------------------------------------


@pytest.fixture
def two_coalitions():
    return CoalitionFactory(name="Coalitie Amersfoort"), CoalitionFactory(name="Coalitie Baarn")


@pytest.fixture
def edition_about_two_coalitions(two_coalitions, monkeypatch):
    """Stories in the usual order: Baarn's, one about the region, Amersfoort's; events: the region's, then
    Amersfoort's."""
    amersfoort, baarn = two_coalitions
    edition = approved_edition(stories=0)
    StoryFactory(edition=edition, state=StoryState.APPROVED, order=1, title="Story of Baarn").coalitions.add(baarn)
    StoryFactory(edition=edition, state=StoryState.APPROVED, order=2, title="Story of the region")
    StoryFactory(edition=edition, state=StoryState.APPROVED, order=3, title="Story of Amersfoort").coalitions.add(
        amersfoort
    )
    events = [
        {"title": "Event of the region", "when": "", "url": "https://x.test/1/", "register_url": "https://x.test/1/in"},
        {
            "title": "Event of Amersfoort",
            "when": "",
            "url": "https://x.test/2/",
            "register_url": "https://x.test/2/in",
            "coalition": amersfoort.pk,
        },
    ]
    monkeypatch.setattr(services, "EDITION_MAIL_SECTIONS", {"events": lambda edition: events})
    return edition


def order_in(text, titles):
    positions = {title: text.index(title) for title in titles}
    return sorted(titles, key=positions.get)


TITLES = ["Story of Baarn", "Story of the region", "Story of Amersfoort"]
EVENTS = ["Event of the region", "Event of Amersfoort"]


def rendered(mailing, address):
    with translation.override("en"):
        message = render_delivery(mailing.deliveries.get(address=address))
    return message.body, message.alternatives[0][0]


def test_a_follower_of_a_coalition_reads_its_stories_and_events_first_and_a_region_reader_the_usual_order(
    coordinator, two_coalitions, edition_about_two_coalitions
):
    amersfoort, _baarn = two_coalitions
    SubscriberFactory(email="region@example.net")
    SubscriberFactory(email="amersfoort@example.net").coalitions.add(amersfoort)
    mailing = publish_and_mail(edition_about_two_coalitions, by=coordinator)

    for part in rendered(mailing, "amersfoort@example.net"):
        assert order_in(part, TITLES) == ["Story of Amersfoort", "Story of Baarn", "Story of the region"]
        assert order_in(part, EVENTS) == ["Event of Amersfoort", "Event of the region"]
        assert "Uit de coalities die je volgt" in part
    for part in rendered(mailing, "region@example.net"):
        assert order_in(part, TITLES) == TITLES
        assert order_in(part, EVENTS) == EVENTS
        assert "Uit de coalities die je volgt" not in part


def test_a_follower_of_coalitions_this_edition_does_not_mention_reads_the_usual_order(
    coordinator, edition_about_two_coalitions
):
    SubscriberFactory(email="elsewhere@example.net").coalitions.add(CoalitionFactory())
    mailing = publish_and_mail(edition_about_two_coalitions, by=coordinator)
    assert "order" not in mailing.deliveries.get().context
    text, html = rendered(mailing, "elsewhere@example.net")
    assert order_in(text, TITLES) == TITLES
    assert order_in(html, TITLES) == TITLES


def test_the_stories_are_stored_once_and_each_reader_holds_only_the_key_of_their_order(
    coordinator, two_coalitions, edition_about_two_coalitions
):
    amersfoort, baarn = two_coalitions
    for n in range(3):
        SubscriberFactory(email=f"a{n}@example.net").coalitions.add(amersfoort)
    SubscriberFactory(email="both@example.net").coalitions.add(amersfoort, baarn)
    SubscriberFactory.create_batch(3)
    mailing = publish_and_mail(edition_about_two_coalitions, by=coordinator)

    assert [story["title"] for story in mailing.context["stories"]] == TITLES
    # One order per distinct set of followed coalitions that the edition mentions, not one per reader.
    both = "-".join(str(pk) for pk in sorted([amersfoort.pk, baarn.pk]))
    assert set(mailing.context["orders"]) == {str(amersfoort.pk), both}
    for delivery in mailing.deliveries.all():
        assert set(delivery.context) <= {"unsubscribe_url", "order"}
    text, _html = rendered(mailing, "both@example.net")
    assert order_in(text, TITLES) == ["Story of Baarn", "Story of Amersfoort", "Story of the region"]


def test_planning_the_mail_takes_as_many_queries_for_many_readers_and_orders(
    coordinator, two_coalitions, edition_about_two_coalitions
):
    amersfoort, baarn = two_coalitions

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            services.plan_edition_mail(edition_about_two_coalitions)
        return len(captured)

    SubscriberFactory(email="a@example.net").coalitions.add(amersfoort)
    few = count_queries()
    for n in range(10):
        SubscriberFactory(email=f"b{n}@example.net").coalitions.add(baarn if n % 2 else amersfoort)
        SubscriberFactory(email=f"c{n}@example.net")
    assert count_queries() == few


def test_journal_subscribers_are_a_group_announcements_can_choose_each_with_their_journal_link():
    reader = SubscriberFactory(email="reader@example.net")
    SubscriberFactory(wants_journal=False)
    SubscriberFactory(confirmed_at=None)
    assert "subscribers" in SOURCES
    people, _left_out = people_of(Segment(sources={"subscribers": True}))
    assert [person.email for person in people] == ["reader@example.net"]
    assert people[0].unsubscribe_url == reader.unsubscribe_url("journal")
    with translation.override("en"):
        assert SOURCES["subscribers"].field().label == "Journal subscribers"
    assert people_of(Segment(sources={"subscribers": False}))[0] == []
