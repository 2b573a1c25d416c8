"""Factories for the look back and ahead's tests (H1 writes groups/tests/factories.py; these stay apart)."""

import factory
from django.utils import timezone
from django.utils.text import slugify

from groups.models import Action, Group, Membership
from members.tests.factories import ProfileFactory
from network.tests.factories import CoalitionFactory


class ReportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Werkgroep {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Group.Kind.WORKING_GROUP
    coalition = factory.SubFactory(CoalitionFactory)
    purpose = "Samen vroeg signaleren."


class ReportMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(ReportGroupFactory)
    profile = factory.SubFactory(ProfileFactory)
    role = Membership.Role.MEMBER
    state = Membership.State.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class ReportActionFactory(factory.django.DjangoModelFactory):
    """An open action; `closed_on` for a done or dropped one, `owners=[...]` for who does it."""

    class Meta:
        model = Action
        skip_postgeneration_save = True

    group = factory.SubFactory(ReportGroupFactory)
    title = factory.Sequence(lambda n: f"Actie {n}")
    status = Action.Status.OPEN
    due_on = None
    closed_on = None

    @factory.post_generation
    def owners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.owners.set(extracted)
