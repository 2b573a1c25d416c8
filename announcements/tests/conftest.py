"""Fixtures of the announcements' tests: a coalition coordinator's coalition with people in both circles."""

from dataclasses import dataclass

import pytest

from coalition import checkstep
from members.tests.factories import OrganisationFactory, ProfileFactory
from network.audiences import Segment
from network.models import Circle
from network.tests.factories import CoalitionFactory, PartnershipFactory, coalition_coordinator_of

from ..models import Announcement
from ..services import save_draft


@dataclass
class Network:
    own: object  # the coalition of the `coalition_coordinator` fixture
    other: object  # another coalition, with a coordinator of its own
    other_coordinator: object
    outer: list  # profiles of the own coalition's outer-circle partner
    inner: list  # profiles of its inner-circle partner
    elsewhere: list  # profiles of the other coalition's outer-circle partner


def _partner_people(coalition, circle, count, prefix):
    organisation = OrganisationFactory()
    PartnershipFactory(coalition=coalition, organisation=organisation, circle=circle)
    return [ProfileFactory(organisation=organisation, user__email=f"{prefix}{i}@example.org") for i in range(count)]


@pytest.fixture
def network(coalition_coordinator):
    own = coalition_coordinator.coalition_roles.get().coalition
    other = CoalitionFactory(name="Coalitie Ander", slug="coalitie-ander")
    return Network(
        own=own,
        other=other,
        other_coordinator=coalition_coordinator_of(other, user__email="other-coordinator@example.org"),
        outer=_partner_people(own, Circle.OUTER, 3, "outer"),
        inner=_partner_people(own, Circle.INNER, 2, "inner"),
        elsewhere=_partner_people(other, Circle.OUTER, 2, "elsewhere"),
    )


def outer_circle_of(coalition):
    return Segment(coalitions=(coalition.pk,), circle=Circle.OUTER)


def draft(by, segment, **fields):
    fields = {"subject": "De bijeenkomst verhuist", "body": "We zitten in **De Brug**.", **fields}
    return save_draft(Announcement(**fields), segment=segment, by=by)


def send(announcement, by):
    """Through the check step, as the pages do: open, then confirm what was counted."""
    check = checkstep.open_check("announcements.announcement", {"announcement": announcement.pk}, by=by)
    mailing = checkstep.confirm_check(check, by=by, fingerprint=check.fingerprint)
    announcement.refresh_from_db()
    return mailing


@pytest.fixture
def sent_to_outer_circle(network, coalition_coordinator):
    """An announcement of the own coalition, sent to its outer circle (three people)."""
    announcement = draft(coalition_coordinator, outer_circle_of(network.own))
    send(announcement, coalition_coordinator)
    return announcement
