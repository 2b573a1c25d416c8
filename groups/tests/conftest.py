"""Personas around one group: its members and coordinators, and the coordinators of its coalition and another."""

import pytest
from django.utils import translation

from network.tests.factories import CoalitionFactory, coalition_coordinator_of

from .factories import GroupFactory, coordinator_of, member_of


@pytest.fixture
def english():
    """For tests that name a rule by its English source text; the Dutch wording is the catalogue's."""
    with translation.override("en"):
        yield


@pytest.fixture
def group(coalition_coordinator):
    """A working group of the coalition `coalition_coordinator` coordinates, taking requests."""
    coalition = coalition_coordinator.coalition_roles.get().coalition
    return GroupFactory(name="Vroegsignalering", slug="vroegsignalering", coalition=coalition)


@pytest.fixture
def group_member(group):
    return member_of(group)


@pytest.fixture
def group_coordinator(group):
    return coordinator_of(group)


@pytest.fixture
def other_coalition_coordinator(db):
    """Coordinates another coalition than the group's."""
    return coalition_coordinator_of(CoalitionFactory(name="Coalitie Ander"))


ROLES = [
    "anonymous",
    "pending",
    "member",
    "group_member",
    "group_coordinator",
    "coalition_coordinator",
    "other_coalition_coordinator",
    "coordinator",
]


@pytest.fixture
def persona(request):
    """The user of a role of ROLES (None for anonymous)."""

    def get(role):
        if role == "anonymous":
            return None
        return request.getfixturevalue({"pending": "pending_member"}.get(role, role))

    return get
