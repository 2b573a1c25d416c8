"""Invitation audiences by coalition and circle read the partnerships of the network."""

import pytest

from events.tests.checks import audience_emails, segment
from events.tests.factories import EventFactory
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory
from network.models import Circle
from network.tests.factories import CoalitionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    goes = MunicipalityFactory(name="Goes")
    bevelanden = CoalitionFactory(name="Kansrijk de Bevelanden", municipalities=[goes])
    walcheren = CoalitionFactory(name="Kansrijk Walcheren")
    ggd = OrganisationFactory(name="GGD")
    PartnershipFactory(coalition=bevelanden, organisation=ggd, circle=Circle.INNER)
    PartnershipFactory(coalition=walcheren, organisation=ggd, circle=Circle.OUTER)
    huisarts = PartnershipFactory(coalition=walcheren, circle=Circle.INNER).organisation
    return {
        "bevelanden": bevelanden,
        "walcheren": walcheren,
        "ggd": ProfileFactory(user__email="ggd@example.org", organisation=ggd),
        "huisarts": ProfileFactory(user__email="huisarts@example.org", organisation=huisarts),
        "in_goes": ProfileFactory(user__email="goes@example.org", municipalities=[goes]),
        "elsewhere": ProfileFactory(user__email="elders@example.org"),
    }


def _emails(**criteria):
    """Whom an invitation to this segment reaches (the check step's count)."""
    return audience_emails("events.invitation", {"event": EventFactory().pk, "segment": segment(**criteria)})


def test_a_coalitions_people_are_its_partners_people_and_those_working_in_its_municipalities(people):
    assert _emails(coalitions=[people["bevelanden"]]) == ["ggd@example.org", "goes@example.org"]


def test_a_circle_is_the_circle_of_a_partnership_not_of_the_organisation(people):
    # The GGD is inner circle in de Bevelanden and outer circle in Walcheren.
    assert _emails(circle=Circle.INNER) == ["ggd@example.org", "huisarts@example.org"]
    assert _emails(coalitions=[people["walcheren"]], circle=Circle.INNER) == ["huisarts@example.org"]
    assert _emails(coalitions=[people["walcheren"]], circle=Circle.OUTER) == ["ggd@example.org"]


def test_coalitions_add_up_and_narrow_the_other_criteria(people):
    both = _emails(coalitions=[people["bevelanden"], people["walcheren"]])
    assert both == ["ggd@example.org", "goes@example.org", "huisarts@example.org"]
    assert _emails(coalitions=[people["bevelanden"]], organisations=[people["ggd"].organisation]) == ["ggd@example.org"]
