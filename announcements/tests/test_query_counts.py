"""The announcement pages cost the same number of queries for five times the data (no query per row)."""

import pytest
from django.test import Client
from django.urls import reverse

from coalition.tests.query_counts import GROWTH, assert_same_count_as_data_grows, queries
from members.tests.factories import OrganisationFactory, ProfileFactory, ThemeFactory
from network.models import Partnership
from network.tests.factories import CoalitionFactory

from .conftest import draft, outer_circle_of, send

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _announcements(network, by):
    def grow(count):
        for _i in range(count):
            send(draft(by, outer_circle_of(network.own)), by)
            draft(by, outer_circle_of(network.own), subject="Concept")

    return grow


def test_the_coordinators_list(network, coalition_coordinator):
    url = reverse("announcements:announcement_list")
    assert_same_count_as_data_grows(_client(coalition_coordinator), url, _announcements(network, coalition_coordinator))


def test_the_regional_coordinators_list(network, coordinator):
    url = reverse("announcements:announcement_list")
    assert_same_count_as_data_grows(_client(coordinator), url, _announcements(network, coordinator))


def test_the_members_list(network, coalition_coordinator):
    url = reverse("announcements:announcement_list")
    client = _client(network.outer[0].user)
    assert_same_count_as_data_grows(client, url, _announcements(network, coalition_coordinator))


@pytest.mark.parametrize("reader", ["recipient", "coordinator"])
def test_the_announcement_page(network, coalition_coordinator, reader):
    """An announcement to 5 people against one to 25 (more deliveries, a longer body)."""
    organisation = Partnership.objects.get(coalition=network.own, circle="outer").organisation
    client = _client(network.outer[0].user if reader == "recipient" else coalition_coordinator)
    counts = []
    for size in (2, 2 * GROWTH):
        ProfileFactory.create_batch(size, organisation=organisation)
        announcement = draft(coalition_coordinator, outer_circle_of(network.own), body="Tekst. " * (20 * size))
        send(announcement, coalition_coordinator)
        counts.append(queries(client, announcement.get_absolute_url())[0])
    assert counts[0] == counts[1]


@pytest.mark.parametrize("page", ["new", "edit"])
def test_the_compose_page(network, coordinator, page):
    """More coalitions, organisations and themes to choose from on the segment form."""
    url = reverse("announcements:announcement_new")
    if page == "edit":
        url = reverse("announcements:announcement_edit", args=[draft(coordinator, outer_circle_of(network.own)).pk])

    def grow(count):
        for _i in range(count):
            CoalitionFactory()
            OrganisationFactory()
            ThemeFactory()

    assert_same_count_as_data_grows(_client(coordinator), url, grow)
