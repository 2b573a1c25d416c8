"""`coalition_of`: the one answer to "which coalition does this person count for" (event registrations record it)."""

import pytest

from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory
from network.models import coalition_of

from .factories import CoalitionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def _working_in(*municipalities, organisation=None):
    profile = ProfileFactory(organisation=organisation or OrganisationFactory())
    profile.municipalities.set(municipalities)
    return profile


def test_where_someone_works_comes_before_whom_their_organisation_partners_with():
    goes = MunicipalityFactory(name="Goes")
    by_place = CoalitionFactory(name="Zuid", municipalities=[goes])
    organisation = OrganisationFactory()
    PartnershipFactory(coalition=CoalitionFactory(name="Alfa"), organisation=organisation)  # first by name
    assert coalition_of(_working_in(goes, organisation=organisation)) == by_place


def test_the_preferred_coalition_wins_when_the_person_belongs_to_it_and_only_then():
    goes = MunicipalityFactory(name="Goes")
    by_place = CoalitionFactory(name="Oosterschelde", municipalities=[goes])
    organisation = OrganisationFactory()
    partner = CoalitionFactory(name="Borsele")
    PartnershipFactory(coalition=partner, organisation=organisation)
    profile = _working_in(goes, organisation=organisation)
    assert coalition_of(profile, prefer=partner) == partner
    assert coalition_of(profile, prefer=partner.pk) == partner
    assert coalition_of(profile, prefer=CoalitionFactory(name="Elders")) == by_place


def test_ties_go_by_name_then_id_whatever_the_order_of_creation():
    places = [MunicipalityFactory(name=f"Plaats {n}") for n in range(3)]
    CoalitionFactory(name="Walcheren", municipalities=[places[0]])
    borsele = CoalitionFactory(name="borsele", municipalities=[places[1]])  # lower case: the name, not the case
    CoalitionFactory(name="Goes", municipalities=[places[2]])
    assert coalition_of(_working_in(*places)) == borsele


def test_nobody_of_any_coalition_and_a_profile_without_organisation_have_none():
    CoalitionFactory()
    assert coalition_of(_working_in()) is None
    assert coalition_of(ProfileFactory(organisation=None)) is None
    assert coalition_of(None) is None


def test_it_asks_one_query(django_assert_num_queries):
    goes = MunicipalityFactory(name="Goes")
    CoalitionFactory(municipalities=[goes])
    profile = _working_in(goes)
    with django_assert_num_queries(1):
        coalition_of(profile)


def test_a_guest_counts_by_their_organisation_only_when_it_is_a_partner():
    organisation = OrganisationFactory()
    partner = CoalitionFactory(name="Borsele")
    PartnershipFactory(coalition=partner, organisation=organisation)
    assert coalition_of(None, organisation=organisation) == partner
    assert coalition_of(None, organisation=organisation.pk, prefer=partner) == partner
    assert coalition_of(None, organisation=OrganisationFactory()) is None
