"""Who meets which announcement page: every role, including those refused (anonymous -> log in, others -> 403)."""

import pytest
from django.test import Client
from django.urls import reverse

from coalition.models import Delivery, Mailing

from ..models import Announcement
from .conftest import draft, outer_circle_of

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(network, member, editor, pending_member, coordinator, coalition_coordinator):
    return {
        "anonymous": None,
        "pending": pending_member,
        "member": member,
        "editor": editor,
        "coalition coordinator": coalition_coordinator,
        "other coalition's coordinator": network.other_coordinator,
        "regional coordinator": coordinator,
    }


def _status(user, url):
    response = _client(user).get(url)
    if response.status_code == 302:
        assert reverse("account_login") in response["Location"], response["Location"]
    return response.status_code


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("pending", 403),
        ("member", 200),
        ("editor", 200),
        ("coalition coordinator", 200),
        ("other coalition's coordinator", 200),
        ("regional coordinator", 200),
    ],
)
def test_the_list_is_for_everyone_in_good_standing(people, role, expected):
    assert _status(people[role], reverse("announcements:announcement_list")) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("pending", 403),
        ("member", 403),
        ("editor", 403),
        ("coalition coordinator", 200),
        ("other coalition's coordinator", 200),
        ("regional coordinator", 200),
    ],
)
def test_writing_a_new_announcement_is_for_coordinators(people, role, expected):
    assert _status(people[role], reverse("announcements:announcement_new")) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("pending", 403),
        ("member", 403),
        ("editor", 403),
        ("coalition coordinator", 200),
        ("other coalition's coordinator", 403),
        ("regional coordinator", 200),
    ],
)
def test_a_draft_is_changed_by_its_coalitions_coordinators_and_regional_ones(
    people, network, coalition_coordinator, role, expected
):
    announcement = draft(coalition_coordinator, outer_circle_of(network.own))
    assert _status(people[role], reverse("announcements:announcement_edit", args=[announcement.pk])) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("pending", 403),
        ("member", 403),  # not among the recipients
        ("editor", 403),
        ("coalition coordinator", 200),
        ("other coalition's coordinator", 403),
        ("regional coordinator", 200),
    ],
)
def test_a_sent_announcement_is_read_by_its_recipients_and_coordinators_only(
    people, sent_to_outer_circle, role, expected
):
    assert _status(people[role], sent_to_outer_circle.get_absolute_url()) == expected


def test_a_recipient_reads_it_and_a_member_who_did_not_receive_it_is_told_why(network, sent_to_outer_circle):
    recipient = network.outer[0].user
    assert _client(recipient).get(sent_to_outer_circle.get_absolute_url()).status_code == 200
    outsider = network.elsewhere[0].user
    refused = _client(outsider).get(sent_to_outer_circle.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert "the people it was sent to" in refused.content.decode()


def test_a_recipient_is_recognised_whatever_the_case_of_the_address(network, sent_to_outer_circle):
    recipient = network.outer[1].user
    recipient.email = recipient.email.upper()
    recipient.save(update_fields=["email"])
    assert _client(recipient).get(sent_to_outer_circle.get_absolute_url()).status_code == 200


def test_a_pending_person_who_received_it_still_cannot_read_it(network, sent_to_outer_circle):
    profile = network.outer[2]
    profile.status = profile.Status.PENDING
    profile.save(update_fields=["status"])
    profile.user.groups.clear()
    assert _client(profile.user).get(sent_to_outer_circle.get_absolute_url()).status_code == 403


def test_a_sent_announcement_cannot_be_changed_any_more(coalition_coordinator, sent_to_outer_circle):
    response = _client(coalition_coordinator).get(
        reverse("announcements:announcement_edit", args=[sent_to_outer_circle.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == sent_to_outer_circle.get_absolute_url()


def test_an_account_without_a_member_profile_reads_what_it_received(network, coordinator, django_user_model):
    """A guest or subscriber with an account but no member profile, reached through a segment's added group."""
    guest = django_user_model.objects.create_user(email="Guest@Example.org", password="x" * 20)
    mailing = Mailing.objects.create(kind=Mailing.Kind.ANNOUNCEMENT, state=Mailing.State.SENT)
    Delivery.objects.create(mailing=mailing, address="guest@example.org", state=Delivery.State.SENT)
    announcement = Announcement.objects.create(subject="Voor gasten", body="Welkom.", mailing=mailing)
    Announcement.objects.filter(pk=announcement.pk).update(sent_at=mailing.created_at)
    assert _client(guest).get(announcement.get_absolute_url()).status_code == 200
