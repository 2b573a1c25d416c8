"""The network's rules: a regional coordinator may do everything, a coalition coordinator everything of their own
coalition and nothing of another, a current trekker answers joining requests, the rest reads."""

from datetime import date

import pytest

from network.models import CircleChange
from network.rules import coalition_id_of

from .factories import (
    CoalitionFactory,
    DeclarationFactory,
    JoinRequestFactory,
    PartnershipFactory,
    SignatureFactory,
    TrekkerFactory,
    coalition_coordinator_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_and_other():
    return CoalitionFactory(name="Eigen"), CoalitionFactory(name="Ander")


def _things_of(coalition):
    """A coalition and one of everything that belongs to it."""
    partnership = PartnershipFactory(coalition=coalition)
    signature = SignatureFactory(declaration=DeclarationFactory(coalition=coalition), partnership=partnership)
    circle_change = CircleChange.objects.create(partnership=partnership, circle="inner", changed_on=date(2024, 1, 1))
    return [
        coalition,
        TrekkerFactory(coalition=coalition),
        partnership,
        signature.declaration,
        signature,
        circle_change,
        JoinRequestFactory(coalition=coalition),
    ]


def test_everything_of_a_coalition_leads_back_to_it(own_and_other):
    own, _other = own_and_other
    assert {coalition_id_of(thing) for thing in _things_of(own)} == {own.pk}
    assert coalition_id_of(None) is None


@pytest.mark.parametrize(
    "permission",
    [
        "network.change_coalition",
        "network.change_phase",
        "network.decide_join_request",
        "network.change_trekker",
        "network.change_partnership",
        "network.change_declaration",
        "network.change_signature",
    ],
)
def test_a_coalition_coordinator_may_everything_of_their_own_coalition_and_nothing_of_another(
    own_and_other, coordinator, member, permission
):
    own, other = own_and_other
    user = coalition_coordinator_of(own)
    for thing in _things_of(own):
        assert user.has_perm(permission, thing), (permission, thing)
        assert coordinator.has_perm(permission, thing)
        assert not member.has_perm(permission, thing)
    for thing in _things_of(other):
        assert not user.has_perm(permission, thing), (permission, thing)
        assert coordinator.has_perm(permission, thing)


def test_what_only_regional_coordinators_do(own_and_other, coordinator):
    own, _other = own_and_other
    user = coalition_coordinator_of(own)
    for permission in (
        "network.add_coalition",
        "network.delete_coalition",
        "network.appoint_coalition_coordinator",
        "network.add_coalitioncoordinator",
        "network.view_regional_overview",
        "network.delete_trekker",
    ):
        assert coordinator.has_perm(permission, own), permission
        assert not user.has_perm(permission, own), permission


def test_without_an_object_the_rules_ask_about_any_coalition(own_and_other, member):
    own, _other = own_and_other
    user = coalition_coordinator_of(own)
    assert user.has_perm("network.view_coalition") and user.has_module_perms("network")
    assert not member.has_perm("network.view_coalition") and not member.has_module_perms("network")


def test_a_current_trekker_answers_joining_requests_of_their_coalition_only(own_and_other):
    own, other = own_and_other
    trekker = TrekkerFactory(coalition=own).profile.user
    assert trekker.has_perm("network.decide_join_request", JoinRequestFactory(coalition=own))
    assert not trekker.has_perm("network.decide_join_request", JoinRequestFactory(coalition=other))
    assert not trekker.has_perm("network.change_coalition", own)
    former = TrekkerFactory(coalition=own, ends_on=date(2023, 12, 31)).profile.user
    assert not former.has_perm("network.decide_join_request", own)


def test_the_signed_declaration_is_for_approved_members(member, pending_member, declined_member):
    declaration = DeclarationFactory()
    assert member.has_perm("network.view_declaration_file", declaration)
    assert not pending_member.has_perm("network.view_declaration_file", declaration)
    assert not declined_member.has_perm("network.view_declaration_file", declaration)
