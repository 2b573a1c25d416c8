"""Query counts of the network's pages that had no guard yet: the same for 5× the data (issue 13, point 7).

Each test renders a page with a little data, adds four times as much again, and renders it once more: the number
of SQL statements must not change, so an N+1 shows however small the test data is. Each page is measured as the
role(s) that open it; `shown` checks that the added data is on the page, so the count is taken over it.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coalition.tests.query_counts import assert_same_count_as_data_grows
from members.tests.factories import OrganisationFactory
from network.models import JoinRequest, Phase, PhaseChange

from .factories import CoalitionFactory, JoinRequestFactory, PartnershipFactory, coalition_coordinator_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def coalition(db):
    return CoalitionFactory(name="Kansrijke Start Borsele", slug="borsele")


def _as(client, role, coalition, member, coordinator):
    user = {"member": member, "coordinator": coordinator}.get(role)
    if role == "coalition coordinator":
        user = coalition_coordinator_of(coalition)
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_the_join_form_takes_as_many_queries_for_many_organisations_and_partners(
    client, coalition, member, coordinator, role
):
    _as(client, role, coalition, member, coordinator)

    def grow(n):
        OrganisationFactory.create_batch(n)
        PartnershipFactory.create_batch(n, coalition=coalition)

    # The organisation select lists every organisation for a member; a visitor types a name.
    url = reverse("network:join", args=[coalition.slug])
    assert_same_count_as_data_grows(client, url, grow, shown=role == "member")


@pytest.mark.parametrize("role", ["coordinator", "coalition coordinator"])
def test_the_join_requests_take_as_many_queries_for_many_requests(client, coalition, member, coordinator, role):
    _as(client, role, coalition, member, coordinator)

    def grow(n):
        JoinRequestFactory.create_batch(n, coalition=coalition)
        JoinRequestFactory.create_batch(
            n,
            coalition=coalition,
            state=JoinRequest.State.DECLINED,
            decided_at=timezone.now(),
            decided_by=coordinator,
            decline_reason="Niet in ons werkgebied.",
        )

    assert_same_count_as_data_grows(client, reverse("network:join_request_list", args=[coalition.slug]), grow)


def test_a_join_request_takes_as_many_queries_for_many_organisations_and_partners(client, coalition, coordinator):
    client.force_login(coordinator)
    join_request = JoinRequestFactory(coalition=coalition)

    def grow(n):
        OrganisationFactory.create_batch(n)
        PartnershipFactory.create_batch(n, coalition=coalition)
        JoinRequestFactory.create_batch(n, coalition=coalition)

    # The page shows the one request; the others and the organisations must still not cost queries.
    url = reverse("network:join_request_detail", args=[coalition.slug, join_request.pk])
    assert_same_count_as_data_grows(client, url, grow, shown=False)


@pytest.mark.parametrize("role", ["coordinator", "coalition coordinator"])
def test_the_phase_page_takes_as_many_queries_for_a_long_history(client, coalition, member, coordinator, role):
    _as(client, role, coalition, member, coordinator)
    phases = list(Phase)

    def grow(n):
        start = PhaseChange.objects.filter(coalition=coalition).count()
        for i in range(start, start + n):
            PhaseChange.objects.create(
                coalition=coalition,
                phase=phases[i % len(phases)],
                changed_on=date(2020, 1, 1) + timedelta(days=30 * i),
                note=f"Stap {i}",
                changed_by=coordinator,
            )

    assert_same_count_as_data_grows(client, reverse("network:change_phase", args=[coalition.slug]), grow)
