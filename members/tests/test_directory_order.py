"""Paging through the directory and the organisations shows everyone exactly once, however many share a name."""

import random

import pytest
from django.urls import reverse

from members.models import Discipline, Organisation, Profile, User
from members.services import reindex_profiles

JANS = 60  # four pages of people called Jan de Vries


def _people(names):
    """Approved, listed people with these (first, last) names, inserted in a shuffled order."""
    users = User.objects.bulk_create(
        User(email=f"namesake{n}@example.org", first_name=first, last_name=last)
        for n, (first, last) in enumerate(names)
    )
    Profile.objects.bulk_create(
        Profile(user=user, first_name=user.first_name, last_name=user.last_name, status=Profile.Status.APPROVED)
        for user in users
    )


def _walk(client, url, **params):
    """The primary keys on every page, in order, and the count the paginator announced."""
    first = client.get(url, params).context["page_obj"]
    seen = []
    for number in first.paginator.page_range:
        page = client.get(url, {**params, "page": number}).context["page_obj"]
        seen.extend(item.pk for item in page.object_list)
    return seen, first.paginator.count


@pytest.fixture
def namesakes(db, member):
    rng = random.Random(13)
    names = [("Jan", "de Vries")] * JANS + [("Anna", "de Vries")] * 20 + [("Piet", f"Bakker {n}") for n in range(30)]
    rng.shuffle(names)
    _people(names)
    # Neither of these is in a member's directory: the count must not include them.
    hidden = User.objects.create(email="unlisted@example.org", first_name="Jan", last_name="de Vries")
    Profile.objects.create(user=hidden, first_name="Jan", last_name="de Vries", status="approved", is_listed=False)
    pending = User.objects.create(email="pending-jan@example.org", first_name="Jan", last_name="de Vries")
    Profile.objects.create(user=pending, first_name="Jan", last_name="de Vries", status=Profile.Status.PENDING)
    reindex_profiles(Profile.objects.all())


def test_paging_the_directory_shows_every_person_exactly_once(member_client, member, namesakes):
    seen, count = _walk(member_client, reverse("members:profile_list"))
    expected = set(Profile.objects.visible_to(member).values_list("pk", flat=True))
    assert count == len(expected) == JANS + 20 + 30 + 1  # the namesakes, the others and the member themselves
    assert len(seen) == len(set(seen)) == count  # no one twice ...
    assert set(seen) == expected  # ... and no one left out


def test_people_with_equal_names_are_listed_by_id_within_the_name(member_client, namesakes):
    seen, _count = _walk(member_client, reverse("members:profile_list"))
    jan_de_vries = set(Profile.objects.filter(first_name="Jan", last_name="de Vries").values_list("pk", flat=True))
    jans = [pk for pk in seen if pk in jan_de_vries]
    assert len(jans) == JANS
    assert jans == sorted(jans)


def test_searching_pages_through_equal_names_once_each(member_client, namesakes):
    seen, count = _walk(member_client, reverse("members:profile_list"), q="vries")
    assert count == JANS + 20
    assert len(seen) == len(set(seen)) == count


def test_paging_the_organisations_shows_every_organisation_exactly_once(client, db):
    rng = random.Random(13)
    names = ["Kraamzorg Zeeland"] * 70 + [f"Stichting {n}" for n in range(25)]
    rng.shuffle(names)
    Organisation.objects.bulk_create(
        Organisation(name=name, slug=f"organisatie-{n}", discipline=Discipline.MATERNITY_CARE)
        for n, name in enumerate(names)
    )
    seen, count = _walk(client, reverse("members:organisation_list"))
    assert count == 95
    assert len(seen) == len(set(seen)) == count
    assert set(seen) == set(Organisation.objects.values_list("pk", flat=True))
