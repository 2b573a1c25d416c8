"""Query counts of the signal route: the same number of statements for five times the signals, contacts, offerings."""

import pytest
from django.urls import reverse

from coalition.tests.query_counts import assert_same_count_as_data_grows
from members.models import Visibility
from members.tests.factories import MunicipalityFactory, OfferingFactory, ProfileFactory
from signals.tests.factories import SignalCardFactory, SignalContactFactory, SignalFactory

pytestmark = pytest.mark.django_db


def _contacts(card, organisation, n):
    """Contacts of every kind: visible phone, hidden phone, unlisted (organisation number), deleted account."""
    for index in range(n):
        profile = ProfileFactory(
            organisation=organisation,
            phone_visibility=Visibility.COORDINATORS if index % 2 else Visibility.MEMBERS,
            is_listed=index % 3 != 1,
        )
        SignalContactFactory(card=card, profile=profile, role=f"rol {index}", position=index)
    SignalContactFactory(card=card, profile=None, role="vertrokken")


@pytest.mark.parametrize("persona", ["member", "coordinator"])
def test_the_signal_list_takes_as_many_queries_for_many_signals(client, place, persona, request):
    client.force_login(request.getfixturevalue(persona))

    def grow(n):
        for _ in range(n):
            SignalFactory(is_urgent=True)
            MunicipalityFactory()

    assert_same_count_as_data_grows(client, reverse("signals:signal_list"), grow)


@pytest.mark.parametrize("persona", ["member", "coordinator"])
def test_a_card_takes_as_many_queries_for_many_contacts_and_offerings(client, place, persona, request):
    client.force_login(request.getfixturevalue(persona))
    card = place["card"]

    def grow(n):
        _contacts(card, place["organisation"], n)
        card.offerings.add(*OfferingFactory.create_batch(n, organisation=place["organisation"]))

    url = reverse("signals:card", kwargs={"slug": card.signal.slug, "municipality": "goes"})
    assert_same_count_as_data_grows(client, url, grow)


def test_the_printed_card_takes_as_many_queries_for_many_signals_and_contacts(client, member, place):
    client.force_login(member)

    def grow(n):
        _contacts(place["card"], place["organisation"], n)
        for _ in range(n):
            card = SignalCardFactory(municipality=place["municipality"])
            _contacts(card, place["organisation"], 1)
            SignalCardFactory(signal=card.signal, municipality=None, coalition=place["coalition"])

    assert_same_count_as_data_grows(client, reverse("signals:print", kwargs={"municipality": "goes"}), grow)


def test_a_signal_without_a_municipality_takes_as_many_queries_for_many_municipalities(client, member, place):
    client.force_login(member)
    url = reverse("signals:signal_detail", kwargs={"slug": place["signal"].slug})
    assert_same_count_as_data_grows(client, url, lambda n: MunicipalityFactory.create_batch(n))
