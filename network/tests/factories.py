"""Factories of the network app's models; people and organisations come from the members app's factories."""

from datetime import date

import factory
from django.utils.text import slugify

from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory
from network.models import (
    Coalition,
    CoalitionCoordinator,
    Declaration,
    JoinRequest,
    Partnership,
    Signature,
    Trekker,
)


class CoalitionFactory(factory.django.DjangoModelFactory):
    """A coalition of one municipality of its own, unless `municipalities=[...]` says otherwise."""

    class Meta:
        model = Coalition
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Coalitie {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = "Samen voor een kansrijke start."

    @factory.post_generation
    def municipalities(obj, create, extracted, **kwargs):
        if create:
            obj.municipalities.set(extracted if extracted is not None else [MunicipalityFactory()])


class TrekkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trekker

    coalition = factory.SubFactory(CoalitionFactory)
    profile = factory.SubFactory(ProfileFactory, organisation=factory.SubFactory(OrganisationFactory))
    role = Trekker.Role.CONTENT
    starts_on = date(2022, 1, 1)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    coalition = factory.SubFactory(CoalitionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    since = date(2022, 1, 1)


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    coalition = factory.SubFactory(CoalitionFactory)
    title = "Intentieverklaring Kansrijke Start"
    version = 1
    text = "Wij werken samen aan een kansrijke start."
    dated_on = date(2022, 1, 20)


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    declaration = factory.SubFactory(DeclarationFactory)
    partnership = factory.SubFactory(PartnershipFactory, coalition=factory.SelfAttribute("..declaration.coalition"))
    signed_by_name = "drs. J. Visser"
    signed_by_function = "directeur-bestuurder"
    signed_on = date(2022, 1, 20)


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    coalition = factory.SubFactory(CoalitionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    name = "Joyce Hoekstra"
    email = factory.Sequence(lambda n: f"aanvrager{n}@example.org")
    message = "Wij willen graag meedoen."


def coalition_coordinator_of(coalition, **profile_fields):
    """An approved member who coordinates `coalition` (with staff access, as the service gives it)."""
    profile = ProfileFactory(**profile_fields)
    profile.user.is_staff = True
    profile.user.save(update_fields=["is_staff"])
    CoalitionCoordinator.objects.create(coalition=coalition, user=profile.user)
    return profile.user
