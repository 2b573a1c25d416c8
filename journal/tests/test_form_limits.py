"""The public subscribe and tip forms cannot be used to bomb an inbox, flood the desk or find out who subscribes."""

import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from journal import services
from journal.forms import spam_guard_stamp
from journal.models import Subscriber, Tip

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("journal:subscribe")
TIP = reverse("journal:tip_create")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def subscribe_data(email="stranger@example.net", **overrides):
    return {"email": email, "name": "", "journal": "on", "started": spam_guard_stamp(time.time() - 10), **overrides}


def tip_data(**overrides):
    return {
        "what": "A midwife who holds a walk-in hour for fathers",
        "name": "Vera Visitor",
        "email": "vera@example.net",
        "started": spam_guard_stamp(time.time() - 10),
        **overrides,
    }


def main_content(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def confirmation_mails(to):
    return [message for message in mail.outbox if to in message.to[0]]


# --- One address, one mail a day ------------------------------------------------------------------


def test_twenty_five_requests_for_one_address_send_one_confirmation_mail(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            client.post(SUBSCRIBE, subscribe_data("Victim@Example.net"), REMOTE_ADDR=f"10.0.0.{n}") for n in range(25)
        ]
    assert {(r.status_code, r.url) for r in responses} == {(302, reverse("journal:subscribe_done"))}
    assert len(confirmation_mails("victim@example.net")) == 1


def test_the_service_mails_an_address_once_a_day_whoever_asks(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.request_subscription(email="someone@example.net", journal=True)
        services.request_subscription(email="other@example.net", journal=True)
    assert [message.to for message in mail.outbox] == [["someone@example.net"], ["other@example.net"]]


def test_an_address_that_already_receives_everything_asked_gets_no_mail(django_capture_on_commit_callbacks):
    SubscriberFactory(email="reader@example.net", wants_journal=True, wants_invitations=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_subscription(email="reader@example.net", journal=True)
    assert mail.outbox == []


def test_the_page_is_the_same_for_a_subscriber_and_a_stranger(client):
    SubscriberFactory(email="known@example.net")
    known = client.post(SUBSCRIBE, subscribe_data("known@example.net"), follow=True)
    unknown = client.post(SUBSCRIBE, subscribe_data("unknown@example.net"), follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("journal:subscribe_done"), 302)]
    assert main_content(known) == main_content(unknown)


def test_a_confirmed_subscriber_asking_for_more_gets_a_link_that_adds_and_takes_nothing_away(
    client, django_capture_on_commit_callbacks
):
    subscriber = SubscriberFactory(email="reader@example.net", wants_journal=False, wants_invitations=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_subscription(email="reader@example.net", journal=True, invitations=False)
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/journal/confirm/" in line).strip()
    client.post(link.removeprefix("http://127.0.0.1:8000"))
    subscriber.refresh_from_db()
    assert (subscriber.wants_journal, subscriber.wants_invitations) == (True, True)


def test_an_unconfirmed_address_still_gets_exactly_what_its_link_says(django_capture_on_commit_callbacks):
    subscriber = SubscriberFactory(email="new@example.net", confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_subscription(email="new@example.net", journal=False, invitations=True)
    token = mail.outbox[0].body.split("/journal/confirm/")[1].split("/")[0]
    services.confirm_subscription(token)
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at <= timezone.now()
    assert (subscriber.wants_journal, subscriber.wants_invitations) == (False, True)


# --- One client, a few sends an hour --------------------------------------------------------------


def test_one_client_may_ask_ten_subscriptions_an_hour_then_reads_why_with_what_it_typed(client):
    for n in range(services.SUBSCRIBE_REQUESTS_PER_HOUR):
        assert client.post(SUBSCRIBE, subscribe_data(f"person{n}@example.net")).status_code == 302
    refused = client.post(SUBSCRIBE, subscribe_data("one-more@example.net", name="Eleven"), **ENGLISH)
    assert refused.status_code == 200
    form = refused.context["form"]
    assert "many times in a short while" in " ".join(form.non_field_errors())
    assert (form["email"].value(), form["name"].value()) == ("one-more@example.net", "Eleven")
    assert not Subscriber.objects.filter(email="one-more@example.net").exists()
    # Another client is not affected.
    assert client.post(SUBSCRIBE, subscribe_data("elsewhere@example.net"), REMOTE_ADDR="10.9.9.9").status_code == 302


def test_one_client_may_send_ten_tips_an_hour_then_reads_why_with_what_it_typed(client):
    for _ in range(services.TIPS_PER_HOUR):
        assert client.post(TIP, tip_data()).status_code == 302
    refused = client.post(TIP, tip_data(what="The eleventh tip"), **ENGLISH)
    assert refused.status_code == 200
    form = refused.context["form"]
    assert "many times in a short while" in " ".join(form.non_field_errors())
    assert form["what"].value() == "The eleventh tip"
    assert Tip.objects.count() == services.TIPS_PER_HOUR
    assert client.post(TIP, tip_data(), REMOTE_ADDR="10.9.9.9").status_code == 302


def test_the_refusal_of_a_busy_client_is_dutch_by_default(client):
    for n in range(services.SUBSCRIBE_REQUESTS_PER_HOUR):
        client.post(SUBSCRIBE, subscribe_data(f"person{n}@example.net"))
    refused = client.post(SUBSCRIBE, subscribe_data("one-more@example.net"))
    assert refused.context["form"].non_field_errors()
    assert 'lang="nl"' in refused.content.decode()


# --- A stamp is good for one send -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data", "count"),
    [
        (TIP, tip_data, lambda: Tip.objects.count()),
        (SUBSCRIBE, subscribe_data, lambda: Subscriber.objects.count()),
    ],
    ids=["tip", "subscribe"],
)
def test_a_stamp_is_accepted_once_and_the_refused_form_can_be_sent_again(client, url, data, count):
    posted = data()
    assert client.post(url, posted).status_code == 302
    replay = client.post(url, {**posted, "email": "second@example.net"}, **ENGLISH)
    assert replay.status_code == 200
    form = replay.context["form"]
    assert [error.code for error in form.non_field_errors().as_data()] == ["replayed"]
    assert count() == 1
    # The page came back with a fresh stamp: pressing the button again sends it.
    again = client.post(url, {**posted, "email": "second@example.net", "started": form["started"].value()})
    assert again.status_code == 302
    assert count() == 2


def test_a_form_with_a_mistake_keeps_its_stamp_usable(client):
    posted = subscribe_data(journal="")  # neither box ticked
    first = client.post(SUBSCRIBE, posted)
    assert first.context["form"].errors
    corrected = client.post(SUBSCRIBE, {**posted, "journal": "on", "started": first.context["form"]["started"].value()})
    assert corrected.status_code == 302


def test_behind_a_trusted_proxy_each_visitor_is_counted_not_the_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(services.SUBSCRIBE_REQUESTS_PER_HOUR):
        client.post(SUBSCRIBE, subscribe_data(f"person{n}@example.net"), HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    busy = client.post(SUBSCRIBE, subscribe_data("more@example.net"), HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    other = client.post(SUBSCRIBE, subscribe_data("other@example.net"), HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert (busy.status_code, other.status_code) == (200, 302)
