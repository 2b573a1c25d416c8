"""Factories of group meetings for the events' tests (issue 18), on top of groups/tests/factories.py."""

from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Event
from groups.models import Membership
from groups.tests import factories as groups_factories
from groups.tests.factories import GroupFactory
from network.tests.factories import CoalitionFactory, coalition_coordinator_of

from .factories import EventFactory, approved_member


class MembershipFactory(groups_factories.MembershipFactory):
    """An active member whose account is an approved member of the events' tests."""

    profile = factory.LazyFunction(lambda: approved_member().profile)


class ActionFactory(groups_factories.ActionFactory):
    """An open action due in two weeks."""

    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class MeetingFactory(EventFactory):
    """A published, group-only meeting of a group, ten days from now."""

    title = factory.Sequence(lambda n: f"Overleg {n}")
    slug = factory.Sequence(lambda n: f"overleg-{n}")
    kind = Event.Kind.GROUP_MEETING
    group = factory.SubFactory(GroupFactory)
    coalition = factory.LazyAttribute(lambda o: o.group.coalition)
    group_only = True


def in_group(group, *, role=Membership.Role.MEMBER, state=Membership.State.ACTIVE, **user_fields):
    """A new approved member in `group` with this role and state; returns the user."""
    user = approved_member(**user_fields)
    MembershipFactory(group=group, profile=user.profile, role=role, state=state)
    return user


def roles_around(group):
    """A user for every role around `group`, by name (anonymous is the client without login)."""
    return {
        "outsider": approved_member(),
        "member": in_group(group),
        "group_coordinator": in_group(group, role=Membership.Role.COORDINATOR),
        "requested": in_group(group, state=Membership.State.REQUESTED),
        "own_coalition_coordinator": coalition_coordinator_of(group.coalition),
        "other_coalition_coordinator": coalition_coordinator_of(CoalitionFactory()),
    }
