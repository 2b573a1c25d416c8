"""Factories of groups: groups, memberships, actions and documents; people come from the members app's factories."""

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from groups.models import Action, Document, Group, Membership
from members.tests.factories import OrganisationFactory, ProfileFactory
from network.tests.factories import CoalitionFactory


class GroupFactory(factory.django.DjangoModelFactory):
    """A working group of a coalition of its own that takes requests; `coalition=None` for a regional group."""

    class Meta:
        model = Group
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Werkgroep {n}")
    slug = factory.Sequence(lambda n: f"werkgroep-{n}")
    kind = Group.Kind.WORKING_GROUP
    coalition = factory.SubFactory(CoalitionFactory)
    purpose = "Vroegsignalering en tijdige steun voor aanstaande ouders."
    joining = Group.Joining.ON_REQUEST

    @factory.post_generation
    def focus_points(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.focus_points.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active member (role member) of a group; pass role=Membership.Role.COORDINATOR or another state."""

    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    profile = factory.SubFactory(ProfileFactory, organisation=factory.SubFactory(OrganisationFactory))
    role = Membership.Role.MEMBER
    state = Membership.State.ACTIVE
    joined_at = factory.LazyAttribute(lambda o: timezone.now() if o.state == Membership.State.ACTIVE else None)


class ActionFactory(factory.django.DjangoModelFactory):
    """An open action without a due date; `owners=[profile, ...]` names who does it, `closed_on` dates a closed one."""

    class Meta:
        model = Action
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Actiepunt {n}")
    status = Action.Status.OPEN

    @factory.post_generation
    def owners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.owners.set(extracted)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A small PDF of a group (in the test's private storage)."""

    class Meta:
        model = Document

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Verslag {n}")
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4\n%%EOF\n", name="verslag.pdf"))


def member_of(group, *, role=Membership.Role.MEMBER, state=Membership.State.ACTIVE, **profile_fields):
    """An account that is in `group` as told (an approved member)."""
    extra = {f"profile__{name}": value for name, value in profile_fields.items()}
    return MembershipFactory(group=group, role=role, state=state, **extra).profile.user


def coordinator_of(group, **profile_fields):
    return member_of(group, role=Membership.Role.COORDINATOR, **profile_fields)
