"""Small factories for groups, their members and actions, for the events' tests of group meetings (issue 18).

Kept apart from groups/tests/factories.py, which the groups core writes, so the two never collide.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Event
from groups.models import Action, Group, Membership
from network.tests.factories import CoalitionFactory, coalition_coordinator_of

from .factories import EventFactory, approved_member


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Werkgroep {n}")
    slug = factory.Sequence(lambda n: f"werkgroep-{n}")
    kind = Group.Kind.WORKING_GROUP
    coalition = factory.SubFactory(CoalitionFactory)
    purpose = "Vroegsignalering en tijdige ondersteuning."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    profile = factory.LazyFunction(lambda: approved_member().profile)
    role = Membership.Role.MEMBER
    state = Membership.State.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Actiepunt {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))

    @factory.post_generation
    def owners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.owners.set(extracted)


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
