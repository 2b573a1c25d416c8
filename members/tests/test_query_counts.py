"""Query counts of the directory's and organisations' pages that had no guard yet (issue 13, point 7).

Each test renders a page with a little data, adds four times as much again, and renders it once more: the number
of SQL statements must not change, so an N+1 shows however small the test data is. Each page is measured as the
role(s) that open it; `shown` checks that the added data is on the page, so the count is taken over it.
"""

import pytest
from django.urls import reverse

from coalition.tests.query_counts import assert_same_count_as_data_grows
from members.models import Profile

from .factories import MunicipalityFactory, OfferingFactory, OrganisationFactory, ProfileFactory, ThemeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("members:profile_list")


def _people(n):
    """Listed members with places, themes and organisations, and people a coordinator sees but members do not."""
    for _ in range(n):
        ProfileFactory(
            municipalities=[MunicipalityFactory(), MunicipalityFactory()],
            themes=[ThemeFactory()],
            organisation=OrganisationFactory(),
        )
        ProfileFactory(status=Profile.Status.PENDING, organisation=OrganisationFactory())


@pytest.mark.parametrize("query", ["", "?q=persoon", "?discipline=midwifery"])
def test_the_directory_takes_as_many_queries_for_many_people_as_a_coordinator(coordinator_client, query):
    assert_same_count_as_data_grows(coordinator_client, LIST + query, _people)


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_a_profile_page_takes_as_many_queries_for_a_person_with_many_places_themes_and_colleagues(
    client, member, coordinator, role
):
    organisation = OrganisationFactory()
    person = ProfileFactory(organisation=organisation)
    client.force_login(member if role == "member" else coordinator)

    def grow(n):
        person.municipalities.add(*MunicipalityFactory.create_batch(n))
        person.themes.add(*ThemeFactory.create_batch(n))
        ProfileFactory.create_batch(n, organisation=organisation)

    assert_same_count_as_data_grows(client, reverse("members:profile_detail", args=[person.pk]), grow)


def test_my_profile_takes_as_many_queries_for_many_places_themes_and_organisations(member_client, member):
    def grow(n):
        places, themes = MunicipalityFactory.create_batch(n), ThemeFactory.create_batch(n)
        member.profile.municipalities.add(*places)
        member.profile.themes.add(*themes)
        for organisation in OrganisationFactory.create_batch(n):
            organisation.contacts.add(member.profile)

    assert_same_count_as_data_grows(member_client, reverse("members:me"), grow)


def test_the_organisation_list_takes_as_many_queries_for_many_organisations_as_a_member(member_client):
    def grow(n):
        for organisation in OrganisationFactory.create_batch(n):
            organisation.municipalities.add(MunicipalityFactory())
            ProfileFactory(organisation=organisation)

    assert_same_count_as_data_grows(member_client, reverse("members:organisation_list"), grow)


@pytest.mark.parametrize("role", ["visitor", "coordinator"])
def test_an_organisation_page_takes_as_many_queries_for_many_people_and_offerings(client, coordinator, role):
    organisation = OrganisationFactory()
    if role == "coordinator":
        client.force_login(coordinator)

    def grow(n):
        organisation.municipalities.add(*MunicipalityFactory.create_batch(n))
        ProfileFactory.create_batch(n, organisation=organisation)
        OfferingFactory.create_batch(n, organisation=organisation, themes=[ThemeFactory()])

    assert_same_count_as_data_grows(client, organisation.get_absolute_url(), grow)


def test_editing_an_organisation_takes_as_many_queries_for_many_places_and_contacts(coordinator_client):
    organisation = OrganisationFactory()

    def grow(n):
        MunicipalityFactory.create_batch(n)
        organisation.contacts.add(*ProfileFactory.create_batch(n, organisation=organisation))

    url = reverse("members:organisation_edit", args=[organisation.slug])
    assert_same_count_as_data_grows(coordinator_client, url, grow)


@pytest.mark.parametrize("new", [True, False])
def test_the_offering_form_takes_as_many_queries_for_many_places_and_themes(coordinator_client, new):
    offering = OfferingFactory()
    grow = lambda n: (MunicipalityFactory.create_batch(n), ThemeFactory.create_batch(n))  # noqa: E731
    slug = offering.organisation.slug
    url = (
        reverse("members:offering_create", args=[slug])
        if new
        else reverse("members:offering_edit", args=[slug, offering.pk])
    )
    assert_same_count_as_data_grows(coordinator_client, url, grow)


def test_deleting_my_account_asks_in_as_many_queries_for_a_busy_account(member_client, member):
    def grow(n):
        member.profile.municipalities.add(*MunicipalityFactory.create_batch(n))
        for organisation in OrganisationFactory.create_batch(n):
            organisation.contacts.add(member.profile)

    assert_same_count_as_data_grows(member_client, reverse("members:me_delete"), grow, shown=False)


def test_my_page_as_others_see_it_takes_as_many_queries_for_many_places_and_themes(member_client, member):
    def grow(n):
        member.profile.municipalities.add(*MunicipalityFactory.create_batch(n))
        member.profile.themes.add(*ThemeFactory.create_batch(n))

    assert_same_count_as_data_grows(member_client, reverse("members:me_preview"), grow)


def test_my_data_takes_as_many_queries_for_many_places_themes_and_organisations(member_client, member):
    def grow(n):
        member.profile.municipalities.add(*MunicipalityFactory.create_batch(n))
        member.profile.themes.add(*ThemeFactory.create_batch(n))
        for organisation in OrganisationFactory.create_batch(n):
            organisation.contacts.add(member.profile)

    assert_same_count_as_data_grows(member_client, reverse("members:me_data"), grow)
