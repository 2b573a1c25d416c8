"""seed_demo for the network: Zeeland's 13 municipalities in seven coalitions, idempotent."""

import pytest
from django.contrib.auth import authenticate

from members import demo as members_demo
from members.models import Municipality
from network import demo
from network.models import Circle, Coalition, CoalitionCoordinator, JoinRequest, Partnership, Phase, Trekker

pytestmark = pytest.mark.django_db


def _counts():
    return [model.objects.count() for model in (Coalition, Partnership, Trekker, JoinRequest, CoalitionCoordinator)]


def test_the_network_demo_is_idempotent_and_covers_what_a_regional_adviser_looks_at():
    members_demo.seed()
    logins = demo.seed()
    counts = _counts()
    assert demo.seed() == logins
    assert _counts() == counts

    coalitions = list(Coalition.objects.with_summary())
    assert len(coalitions) == 7
    assert Municipality.objects.filter(coalition_link__isnull=False).count() == 13
    assert any(len(c.municipalities.all()) >= 2 for c in coalitions)
    assert {c.phase for c in coalitions} == set(Phase.values)
    assert all(c.phase_changes.count() == len(c.phase_changes.all()) >= 1 for c in coalitions)
    assert min(c.phase_changes.order_by("changed_on").first().changed_on.year for c in coalitions) <= 2019
    assert [c.name for c in coalitions if not c.current_trekkers] == ["Kansrijke Start Schouwen-Duiveland en Tholen"]
    assert any({t.role for t in c.current_trekkers} >= {Trekker.Role.CONTENT, Trekker.Role.POLICY} for c in coalitions)
    # A regional partner is in several coalitions, inner circle in one and outer in another.
    regional = Partnership.objects.filter(organisation__name="Schuldhulp Zeeland Samen")
    assert regional.count() >= 5 and set(regional.values_list("circle", flat=True)) == {Circle.INNER, Circle.OUTER}
    borsele = Coalition.objects.get(slug="borsele")
    first, second = borsele.declarations.order_by("version")
    partners = borsele.partnerships.count()
    assert first.signatures.count() == partners
    assert 0 < second.signatures.count() < partners and second.pdf
    assert JoinRequest.objects.filter(state=JoinRequest.State.OPEN).count() >= 3
    assert JoinRequest.objects.filter(state=JoinRequest.State.OPEN, organisation__isnull=True).exists()


def test_the_demo_coalition_coordinator_logs_in_and_manages_borsele_only():
    members_demo.seed()
    [(role, email, password)] = demo.seed()
    user = authenticate(email=email, password=password)
    assert role == "coalition coordinator" and user is not None and user.is_staff
    borsele = Coalition.objects.get(slug="borsele")
    assert user.has_perm("network.change_coalition", borsele)
    assert not user.has_perm("network.change_coalition", Coalition.objects.get(slug="veere"))
    assert Trekker.objects.current().filter(coalition=borsele, profile__user=user).exists()
