"""Fixtures of the signals app's tests: a card in one municipality with a contact, and the people around it."""

import pytest

from members.models import Visibility
from members.tests.factories import MunicipalityFactory, OfferingFactory, OrganisationFactory, ProfileFactory
from network.tests.factories import CoalitionFactory, coalition_coordinator_of
from signals.tests.factories import SignalCardFactory, SignalContactFactory, SignalFactory


@pytest.fixture
def client(client):
    """Pages in English: texts are asserted by their msgid."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def place(db):
    """Goes, in the coalition 'Bevelanden', with a signal card, a debt counsellor on it and an offering."""
    goes = MunicipalityFactory(name="Goes", slug="goes")
    coalition = CoalitionFactory(name="Bevelanden", slug="bevelanden", municipalities=[goes])
    organisation = OrganisationFactory(name="Schuldhulp Goes", phone="0113-111222")
    organisation.municipalities.set([goes])
    contact = ProfileFactory(
        organisation=organisation,
        first_name="Kees",
        last_name="Dekker",
        direct_phone="06-12345678",
        team_phone="",
        municipalities=[goes],
    )
    signal = SignalFactory(name="Geldzorgen of schulden", slug="geldzorgen", is_urgent=False)
    card = SignalCardFactory(signal=signal, municipality=goes)
    card.offerings.set([OfferingFactory(organisation=organisation, title="Geldplan", contact="bel 0113-333444")])
    SignalContactFactory(card=card, profile=contact, role="intake schuldhulp, bel voor 10:00")
    return {
        "municipality": goes,
        "coalition": coalition,
        "organisation": organisation,
        "contact": contact,
        "signal": signal,
        "card": card,
    }


@pytest.fixture
def own_coordinator(place):
    return coalition_coordinator_of(place["coalition"])


@pytest.fixture
def other_coordinator(db):
    return coalition_coordinator_of(CoalitionFactory(name="Elders", slug="elders"))


@pytest.fixture
def hidden_phone(place):
    place["contact"].phone_visibility = Visibility.COORDINATORS
    place["contact"].save()
    return place
