"""Query counts of the home page: the same for 5× the data, as each role (issue 13, point 7).

The page is rendered with a little data, then with four times as much again: the number of SQL statements must
not change, so an N+1 shows however small the test data is. The other pages' guards live in each app's
tests/test_query_counts.py (and in older tests next to each page).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coalition.tests.query_counts import GROWTH, queries
from events.models import Registration
from events.tests.factories import EventFactory, RegistrationFactory
from journal.tests.factories import published_edition
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def _grow(n, user=None):
    for _ in range(n):
        ProfileFactory(organisation=OrganisationFactory(), municipalities=[MunicipalityFactory()])
        published_edition(stories=2, published_at=timezone.now() - timedelta(days=2))
        RegistrationFactory.create_batch(2, event=EventFactory())
        if user is not None:  # the member's own registrations: home starts with the next one
            RegistrationFactory(event=EventFactory(), profile=user.profile, state=Registration.State.WAITING)
            RegistrationFactory(event=EventFactory(), profile=user.profile)
    if user is not None:  # the more data, the sooner the member's next event and the longer its title
        soonest = EventFactory(title="Eerstvolgende " * n, starts_at=timezone.now() + timedelta(days=2, hours=-n))
        RegistrationFactory(event=soonest, profile=user.profile)


@pytest.mark.parametrize("role", ["visitor", "member", "coordinator"])
def test_the_home_page_takes_as_many_queries_for_many_members_editions_and_events(client, member, coordinator, role):
    user = {"member": member, "coordinator": coordinator}.get(role)
    if user:
        client.force_login(user)
    _grow(2, user)
    few, few_length = queries(client, reverse("home"))
    _grow(2 * GROWTH, user)
    many, many_length = queries(client, reverse("home"))
    assert many == few, f"home as {role}: {few} queries with little data, {many} with five times as much"
    assert many_length > few_length  # the newest members, the upcoming events and the member's next event are on it
