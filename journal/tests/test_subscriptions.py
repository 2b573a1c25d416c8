"""Subscriptions: members by default, visitors by double opt-in, one-click unsubscribe without login."""

import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from journal import services
from journal.forms import spam_guard_stamp
from journal.models import Subscriber
from members import services as member_services
from members.models import Profile, User
from members.signals import account_deleting, profile_approved

from .factories import ProfileFactory, SubscriberFactory, TipFactory

pytestmark = pytest.mark.django_db


def test_receiving_returns_only_confirmed_subscribers_of_that_kind():
    both = SubscriberFactory()
    journal_only = SubscriberFactory(wants_invitations=False)
    invitations_only = SubscriberFactory(wants_journal=False)
    SubscriberFactory(confirmed_at=None)
    assert set(Subscriber.objects.receiving("journal")) == {both, journal_only}
    assert set(Subscriber.objects.receiving("invitations")) == {both, invitations_only}
    with pytest.raises(ValueError):
        Subscriber.objects.receiving("spam")


def test_deactivated_accounts_receive_nothing():
    member = ProfileFactory()
    subscriber = SubscriberFactory(user=member.user, email=member.user.email)
    visitor = SubscriberFactory()
    assert set(Subscriber.objects.receiving("journal")) == {subscriber, visitor}

    member.user.is_active = False
    member.user.save()
    assert set(Subscriber.objects.receiving("journal")) == {visitor}
    assert set(Subscriber.objects.receiving("invitations")) == {visitor}


def test_approval_signal_subscribes_the_member_to_both():
    profile = ProfileFactory()
    profile_approved.send(sender=Profile, profile=profile)
    subscriber = Subscriber.objects.get(user=profile.user)
    assert subscriber.is_confirmed
    assert subscriber.wants_journal and subscriber.wants_invitations
    assert subscriber.email == profile.user.email


def test_approval_by_the_members_service_subscribes_the_member(coordinator, pending_member):
    member_services.approve(pending_member.profile, by=coordinator)
    assert Subscriber.objects.receiving("journal").filter(user=pending_member).exists()


def test_visitor_double_opt_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("journal:subscribe"),
            {
                "email": "Reader@Example.net",
                "name": "Reader",
                "journal": "on",
                "started": spam_guard_stamp(time.time() - 9),
            },
        )
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email="reader@example.net")
    assert not subscriber.is_confirmed
    assert not Subscriber.objects.receiving("journal").exists()
    assert len(mail.outbox) == 1
    confirm_url = next(line for line in mail.outbox[0].body.splitlines() if "/journal/confirm/" in line).strip()
    path = confirm_url.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    subscriber.refresh_from_db()
    assert not subscriber.is_confirmed  # a GET (a mail scanner) does not confirm
    assert client.post(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.is_confirmed
    assert (subscriber.wants_journal, subscriber.wants_invitations) == (True, False)


def test_tampered_confirmation_link_is_refused(client):
    subscriber = SubscriberFactory(confirmed_at=None)
    response = client.post("/journal/confirm/not-a-token/")
    assert response.status_code == 400
    assert response.context["message"]
    subscriber.refresh_from_db()
    assert not subscriber.is_confirmed


def test_subscribe_spam_guard(client):
    client.post(reverse("journal:subscribe"), {"email": "bot@example.net", "journal": "on", "website": "x"})
    assert not Subscriber.objects.exists()


def test_one_click_unsubscribe_post_works_without_login_or_csrf_token():
    subscriber = SubscriberFactory()
    url = subscriber.unsubscribe_url("journal")
    assert url.startswith("http://127.0.0.1:8000/journal/unsubscribe/")
    client = Client(enforce_csrf_checks=True)
    response = client.post(url.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert not subscriber.wants_journal
    assert subscriber.wants_invitations
    assert not Subscriber.objects.receiving("journal").filter(pk=subscriber.pk).exists()


def test_unsubscribe_get_only_asks(client):
    subscriber = SubscriberFactory()
    response = client.get(subscriber.unsubscribe_url("invitations").removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    subscriber.refresh_from_db()
    assert subscriber.wants_invitations


def test_tampered_unsubscribe_token_changes_nothing(client):
    subscriber = SubscriberFactory()
    token = subscriber.unsubscribe_token("journal")
    response = Client(enforce_csrf_checks=True).post(f"/journal/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.wants_journal


def test_member_switches_the_journal_off_and_on(member_client, member):
    services.subscribe_member(member)
    member_client.post(reverse("journal:subscription"), {"invitations": "on"})
    subscriber = Subscriber.objects.get(user=member)
    assert (subscriber.wants_journal, subscriber.wants_invitations) == (False, True)
    member_client.post(reverse("journal:subscription"), {"journal": "on"})
    subscriber.refresh_from_db()
    assert (subscriber.wants_journal, subscriber.wants_invitations) == (True, False)


def test_subscription_page_needs_login(client):
    response = client.get(reverse("journal:subscription"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/journal/subscription/" in response["Location"]


def test_deleting_an_account_removes_its_subscription(member):
    services.subscribe_member(member)
    account_deleting.send(sender=User, user=member)
    assert not Subscriber.objects.filter(email=member.email).exists()


def test_forgetting_an_account_removes_subscriptions_by_account_and_address_and_blanks_its_tips(member):
    SubscriberFactory(email=member.email.upper())  # subscribed as a visitor before the account existed
    kept = SubscriberFactory()
    tip = TipFactory(sender=member, name="Mijn naam", email=member.email, phone="06 12345678", what="Een goed idee")
    services.forget_account(member)
    assert list(Subscriber.objects.all()) == [kept]
    tip.refresh_from_db()
    assert (tip.name, tip.email, tip.phone, tip.what) == ("", "", "", "Een goed idee")


def test_deleting_an_account_through_the_members_service_forgets_it_in_the_journal(member):
    services.subscribe_member(member)
    tip = TipFactory(sender=member, email=member.email)
    member_services.delete_account(member)
    assert not Subscriber.objects.filter(email__iexact=member.email).exists()
    tip.refresh_from_db()
    assert (tip.sender, tip.email) == (None, "")
