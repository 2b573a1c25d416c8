"""Query counts of the journal's pages that had no guard yet: the same for 5× the data (issue 13, point 7).

Each test renders a page with a little data, adds four times as much again, and renders it once more: the number
of SQL statements must not change, so an N+1 shows however small the test data is. Each page is measured as the
role(s) that open it; `shown` checks that the added data is on the page, so the count is taken over it.
"""

import pytest
from django.urls import reverse

from coalition.tests.query_counts import assert_same_count_as_data_grows
from journal.models import State
from network.tests.factories import CoalitionFactory

from .factories import (
    EditorialMembershipFactory,
    OrganisationFactory,
    ProfileFactory,
    StoryFactory,
    TipFactory,
    published_edition,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_a_story_takes_as_many_queries_for_many_people_organisations_authors_and_coalitions(client, member, role):
    edition = published_edition(stories=1)
    story = edition.stories.get()
    if role == "member":
        client.force_login(member)

    def grow(n):
        story.featured_people.add(*ProfileFactory.create_batch(n, organisation=OrganisationFactory()))
        story.featured_organisations.add(*OrganisationFactory.create_batch(n))
        story.authors.add(*ProfileFactory.create_batch(n))
        story.coalitions.add(*CoalitionFactory.create_batch(n))
        StoryFactory.create_batch(n, edition=edition, state=State.PUBLISHED, published_at=edition.published_at)

    assert_same_count_as_data_grows(client, story.get_absolute_url(), grow)


def test_a_tip_takes_as_many_queries_for_a_larger_team_and_more_stories(client, coordinator):
    client.force_login(coordinator)
    tip = TipFactory()
    edition = published_edition(stories=0)

    def grow(n):
        EditorialMembershipFactory.create_batch(n)
        StoryFactory.create_batch(n, edition=edition)
        TipFactory.create_batch(n)

    assert_same_count_as_data_grows(client, reverse("journal:tip_detail", args=[tip.pk]), grow)
