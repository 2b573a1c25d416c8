"""Factories for events, registrations and the members they need."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from events.models import Event, Invitation, Registration
from members.models import Organisation, Profile, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Example"
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    discipline = "midwifery"


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    first_name = factory.SelfAttribute("user.first_name")
    last_name = factory.SelfAttribute("user.last_name")
    status = Profile.Status.APPROVED
    discipline = "midwifery"
    organisation = factory.SubFactory(OrganisationFactory)


def approved_member(**kwargs):
    """An approved member (a user with an approved profile in the Member group)."""
    profile = ProfileFactory(**kwargs)
    group, _created = Group.objects.get_or_create(name="Member")
    profile.user.groups.add(group)
    return profile.user


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Workshop {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    kind = Event.Kind.WORKSHOP
    state = Event.State.PUBLISHED
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    venue = "Wijkcentrum De Brug"
    address = "Brugstraat 1\n3511 AB Utrecht"
    meeting_url = ""
    capacity = 30
    description = "Samen leren over vroegsignalering."


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    profile = factory.SubFactory(ProfileFactory)
    name = factory.LazyAttribute(lambda o: o.profile.full_name)
    organisation = factory.LazyAttribute(lambda o: o.profile.organisation)
    organisation_name = factory.LazyAttribute(lambda o: o.profile.organisation.name if o.profile.organisation else "")
    discipline = "midwifery"
    state = Registration.State.CONFIRMED
    confirmed_at = factory.LazyAttribute(lambda o: timezone.now() if o.state == Registration.State.CONFIRMED else None)
    waiting_since = factory.LazyAttribute(lambda o: timezone.now() if o.state == Registration.State.WAITING else None)
    consent_to_list = True
    coalition_progress = "We hebben een convenant getekend."


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    name = "Invitee"
