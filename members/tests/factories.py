"""Factories of the members app's models."""

import factory
from django.contrib.auth.models import Group
from django.utils.text import slugify

from coalition.roles import MEMBER
from members.models import Discipline, LifePhase, Municipality, Offering, Organisation, Profile, Theme, User
from members.services import reindex_offerings, reindex_profiles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Persoon{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    discipline = Discipline.MIDWIFERY
    phone = "0113-123456"
    email = "info@example.org"


class ProfileFactory(factory.django.DjangoModelFactory):
    """An approved, listed member (in the Member group) unless told otherwise."""

    class Meta:
        model = Profile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    first_name = factory.SelfAttribute("user.first_name")
    last_name = factory.SelfAttribute("user.last_name")
    job_title = "Verloskundige"
    discipline = Discipline.MIDWIFERY
    direct_phone = factory.Sequence(lambda n: f"06-{10000000 + n}")
    status = Profile.Status.APPROVED

    @factory.post_generation
    def municipalities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.municipalities.set(extracted)

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.themes.set(extracted)

    @factory.post_generation
    def finish(obj, create, extracted, **kwargs):
        if not create:
            return
        if obj.status == Profile.Status.APPROVED:
            obj.user.groups.add(Group.objects.get(name=MEMBER))
        reindex_profiles(Profile.objects.filter(pk=obj.pk))
        obj.refresh_from_db(fields=["search_text"])


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Aanbod {n}")
    description = "Hulp voor (aanstaande) ouders."
    life_phases = factory.LazyAttribute(lambda o: [o.life_phase])

    class Params:
        # One phase, as tests wrote it before offerings had several: OfferingFactory(life_phase=LifePhase.BIRTH).
        life_phase = LifePhase.PREGNANCY

    @factory.post_generation
    def municipalities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.municipalities.set(extracted)

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.themes.set(extracted)

    @factory.post_generation
    def search_index(obj, create, extracted, **kwargs):
        # After its places and themes: the search document covers them.
        if create:
            reindex_offerings(Offering.objects.filter(pk=obj.pk))
            obj.refresh_from_db(fields=["search_text"])
