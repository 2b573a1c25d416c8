"""Factories for the action list and documents (H2's tests); groups and memberships are made here too, small and
plain, until groups/tests/factories.py (H1) offers them."""

import factory
from django.core.files.base import ContentFile
from django.utils.text import slugify

from groups.models import Action, Document, Group, Membership
from members.tests.factories import ProfileFactory
from network.tests.factories import CoalitionFactory


class ActionGroupFactory(factory.django.DjangoModelFactory):
    """A working group of a coalition."""

    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Werkgroep {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    coalition = factory.SubFactory(CoalitionFactory)
    purpose = "Vroegsignalering en tijdige ondersteuning."


class ActionMembershipFactory(factory.django.DjangoModelFactory):
    """An active member of the group; `role=Membership.Role.COORDINATOR` for a group coordinator."""

    class Meta:
        model = Membership

    group = factory.SubFactory(ActionGroupFactory)
    profile = factory.SubFactory(ProfileFactory)
    state = Membership.State.ACTIVE


class ActionFactory(factory.django.DjangoModelFactory):
    """An open action without a due date; `owners=[profile, ...]` sets who does it."""

    class Meta:
        model = Action
        skip_postgeneration_save = True

    group = factory.SubFactory(ActionGroupFactory)
    title = factory.Sequence(lambda n: f"Actiepunt {n}")

    @factory.post_generation
    def owners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.owners.set(extracted)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    group = factory.SubFactory(ActionGroupFactory)
    title = factory.Sequence(lambda n: f"Verslag {n}")
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 test", name="verslag.pdf"))
