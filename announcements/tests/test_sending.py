"""Compose, check, confirm: the mail goes once to exactly the people chosen, and unsubscribing holds."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from coalition import checkstep
from coalition.models import Delivery, MailCheck, Mailing, OptOut, Suppression
from coalition.rules import NotAllowed
from network.audiences import Segment

from ..mailings import TOPIC, unsubscribe_link_maker
from ..models import Announcement
from ..services import AlreadySent, save_draft
from .conftest import draft, outer_circle_of, send

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _compose(client, coalition, **fields):
    data = {
        "subject": "De nieuwe klantroute staat online",
        "body": "Kijk op de site.",
        "cta_label": "Naar de klantroute",
        "cta_url": "https://example.org/route",
        "segment-coalitions": [coalition.pk],
        "segment-circle": "outer",
        "action": "check",
        **fields,
    }
    return client.post(reverse("announcements:announcement_new"), data)


def test_a_coalition_coordinator_mails_exactly_the_outer_circle_of_their_coalition_once(network, coalition_coordinator):
    client = _client(coalition_coordinator)
    response = _compose(client, network.own)
    check = MailCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == check.get_absolute_url()
    assert check.recipient_count == 3

    page = client.get(check.get_absolute_url())
    assert page.status_code == 200
    assert 'data-recipient-count="3"' in page.content.decode()

    confirmed = client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint})
    announcement = Announcement.objects.get()
    assert confirmed["Location"] == announcement.get_absolute_url()
    assert announcement.is_sent
    assert announcement.recipient_count == 3
    assert announcement.coalition == network.own
    addresses = set(announcement.mailing.deliveries.values_list("address", flat=True))
    assert addresses == {profile.user.email for profile in network.outer}

    client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint})
    assert Mailing.objects.filter(kind=Mailing.Kind.ANNOUNCEMENT).count() == 1
    assert Delivery.objects.count() == 3


def test_each_recipient_gets_an_unsubscribe_link_and_a_link_to_read_it(network, sent_to_outer_circle):
    delivery = sent_to_outer_circle.mailing.deliveries.first()
    assert delivery.context["unsubscribe_url"] == checkstep.unsubscribe_url(delivery.address, TOPIC)
    assert sent_to_outer_circle.mailing.context["read_url"].endswith(sent_to_outer_circle.get_absolute_url())


def test_the_fast_unsubscribe_link_is_the_check_steps_link():
    link = unsubscribe_link_maker(TOPIC)
    address = "Jan.de.Vries+ks@example.org"
    assert checkstep.read_unsubscribe_token(link(address).rstrip("/").rsplit("/", 1)[1]) == (address.lower(), TOPIC)
    assert (
        link(address).split("/mail/unsubscribe/")[0]
        == checkstep.unsubscribe_url(address, TOPIC).split("/mail/unsubscribe/")[0]
    )


def test_unsubscribing_from_one_announcement_leaves_the_address_out_of_the_next(
    network, coalition_coordinator, sent_to_outer_circle
):
    leaving = network.outer[0].user.email
    link = sent_to_outer_circle.mailing.deliveries.get(address=leaving).context["unsubscribe_url"]
    assert Client().post(urlsplit(link).path).status_code == 200
    assert OptOut.objects.filter(address=leaving, topic=TOPIC).exists()

    client = _client(coalition_coordinator)
    _compose(client, network.own, subject="Tweede mededeling")
    check = MailCheck.objects.latest("pk")
    assert check.recipient_count == 2
    assert check.left_out == {checkstep.LeftOut.UNSUBSCRIBED: 1}
    page = client.get(check.get_absolute_url()).content.decode()
    assert 'data-recipient-count="2"' in page
    assert str(checkstep.LeftOut.LABELS[checkstep.LeftOut.UNSUBSCRIBED]) in page
    client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint})
    second = Announcement.objects.get(subject="Tweede mededeling")
    assert leaving not in set(second.mailing.deliveries.values_list("address", flat=True))


def test_the_service_refuses_a_segment_outside_the_coordinators_coalitions(network, coalition_coordinator):
    for segment in (
        outer_circle_of(network.other),
        Segment(coalitions=(network.own.pk, network.other.pk)),
        Segment(all_members=True),
        Segment(circle="outer"),
    ):
        with pytest.raises(NotAllowed):
            draft(coalition_coordinator, segment)
    assert not Announcement.objects.exists()


def test_a_regional_coordinator_writes_to_anyone(network, coordinator):
    announcement = draft(coordinator, Segment(all_members=True))
    assert announcement.coalition is None
    mailing = send(announcement, coordinator)
    reached = set(mailing.deliveries.values_list("address", flat=True))
    assert {p.user.email for p in network.outer + network.inner + network.elsewhere} <= reached


def test_a_coalition_coordinator_cannot_choose_another_coalition_in_the_form(network, coalition_coordinator):
    response = _compose(_client(coalition_coordinator), network.other)
    assert response.status_code == 200
    assert response.context["segment_form"].errors["coalitions"]
    assert not Announcement.objects.exists()


def test_another_coalitions_coordinator_cannot_send_this_draft(network, coalition_coordinator):
    announcement = draft(coalition_coordinator, outer_circle_of(network.own))
    with pytest.raises(NotAllowed):
        checkstep.open_check(
            "announcements.announcement", {"announcement": announcement.pk}, by=network.other_coordinator
        )


def test_a_sent_announcement_is_not_saved_again(network, coalition_coordinator, sent_to_outer_circle):
    sent_to_outer_circle.subject = "Anders"
    with pytest.raises(AlreadySent):
        save_draft(sent_to_outer_circle, segment=outer_circle_of(network.own), by=coalition_coordinator)


def test_a_draft_is_changed_and_keeps_its_segment_on_the_form(network, coalition_coordinator):
    announcement = draft(coalition_coordinator, outer_circle_of(network.own))
    client = _client(coalition_coordinator)
    url = reverse("announcements:announcement_edit", args=[announcement.pk])
    form = client.get(url).context["segment_form"]
    assert form["circle"].value() == "outer"
    response = client.post(
        url,
        {"subject": "Nieuw onderwerp", "body": "Tekst", "segment-coalitions": [network.own.pk], "action": "save"},
    )
    assert response["Location"] == announcement.get_absolute_url()
    announcement.refresh_from_db()
    assert announcement.subject == "Nieuw onderwerp"
    assert announcement.segment["circle"] == ""


def test_two_checks_of_one_draft_send_it_once(network, coalition_coordinator):
    announcement = draft(coalition_coordinator, outer_circle_of(network.own))
    key, params = "announcements.announcement", {"announcement": announcement.pk}
    first = checkstep.open_check(key, params, by=coalition_coordinator)
    second = checkstep.open_check(key, params, by=coalition_coordinator)
    checkstep.confirm_check(first, by=coalition_coordinator, fingerprint=first.fingerprint)
    with pytest.raises(NotAllowed):
        checkstep.confirm_check(second, by=coalition_coordinator, fingerprint=second.fingerprint)
    assert Mailing.objects.filter(kind=Mailing.Kind.ANNOUNCEMENT).count() == 1


def test_a_bounced_address_is_left_out_and_kept_as_a_skipped_delivery_with_the_reason(network, coalition_coordinator):
    bounced = network.outer[0].user.email
    Suppression.objects.create(address=bounced, reason="550 user unknown")
    announcement = draft(coalition_coordinator, outer_circle_of(network.own))
    mailing = send(announcement, coalition_coordinator)
    assert announcement.recipient_count == 2
    skipped = mailing.deliveries.get(address=bounced)
    assert skipped.state == Delivery.State.SKIPPED
    assert "550 user unknown" in skipped.last_error
    assert skipped.context["unsubscribe_url"] == checkstep.unsubscribe_url(bounced, TOPIC)
    assert mailing.deliveries.filter(state=Delivery.State.PENDING).count() == 2
    assert all(d.message_id for d in mailing.deliveries.all())
