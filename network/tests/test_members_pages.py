"""What the network adds to the members app: the directory and the organisation list filter by coalition and
circle, an organisation's page and the organisations CSV name its coalitions, and coalition coordinators approve
the people who work in their coalition."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from members.models import Level, Profile
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory
from network.models import Circle

from .factories import (
    CoalitionFactory,
    DeclarationFactory,
    PartnershipFactory,
    SignatureFactory,
    coalition_coordinator_of,
)

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("members:profile_list")
ORGANISATIONS = reverse("members:organisation_list")
PENDING = reverse("members:pending")


def _names(response):
    return sorted(p.full_name for p in response.context["page_obj"].object_list)


@pytest.fixture
def bevelanden():
    """A coalition of Goes, with an inner and an outer partner, and people around it."""
    goes = MunicipalityFactory(name="Goes")
    coalition = CoalitionFactory(name="Kansrijk de Bevelanden", municipalities=[goes])
    inner = PartnershipFactory(coalition=coalition, circle=Circle.INNER, organisation__name="JGZ Oosterschelde")
    outer = PartnershipFactory(coalition=coalition, circle=Circle.OUTER, organisation__name="Huisartsen Goes")
    ProfileFactory(first_name="Ina", last_name="Binnen", organisation=inner.organisation, level=Level.POLICY)
    ProfileFactory(first_name="Bas", last_name="Buiten", organisation=outer.organisation)
    ProfileFactory(first_name="Gea", last_name="Goes", municipalities=[goes], organisation=OrganisationFactory())
    ProfileFactory(first_name="Eva", last_name="Elders", municipalities=[MunicipalityFactory(name="Sluis")])
    return coalition


def test_the_directory_filters_by_coalition_circle_and_level(member_client, bevelanden):
    by_coalition = _names(member_client.get(DIRECTORY, {"coalition": bevelanden.pk}))
    assert by_coalition == ["Bas Buiten", "Gea Goes", "Ina Binnen"]  # partners' people and people working there
    inner = _names(member_client.get(DIRECTORY, {"coalition": bevelanden.pk, "circle": Circle.INNER}))
    assert inner == ["Ina Binnen"]
    # Every project lead of every coalition, for a regional coordinator's invitation.
    leads = _names(member_client.get(DIRECTORY, {"level": Level.POLICY, "circle": Circle.INNER}))
    assert leads == ["Ina Binnen"]


def test_the_organisation_list_filters_by_coalition_and_circle(client, bevelanden):
    OrganisationFactory(name="Nergens partner")
    partners = client.get(ORGANISATIONS, {"coalition": bevelanden.pk}).context["page_obj"].object_list
    assert sorted(o.name for o in partners) == ["Huisartsen Goes", "JGZ Oosterschelde"]
    outer = client.get(ORGANISATIONS, {"circle": Circle.OUTER}).context["page_obj"].object_list
    assert [o.name for o in outer] == ["Huisartsen Goes"]


def test_an_organisation_page_names_its_coalitions_circles_and_signatures(client, bevelanden):
    partnership = bevelanden.partnerships.get(circle=Circle.INNER)
    other = PartnershipFactory(organisation=partnership.organisation, circle=Circle.OUTER)
    SignatureFactory(declaration=DeclarationFactory(coalition=bevelanden), partnership=partnership)
    html = client.get(partnership.organisation.get_absolute_url()).text
    section = html.split("Partner in coalitions")[1]
    assert "Kansrijk de Bevelanden" in section and "inner circle since January 2022" in section
    assert other.coalition.name in section and "outer circle since" in section
    assert "signed the declaration of intent (version 1) on 20 Jan. 2022" in section


def test_the_organisations_csv_names_the_coalitions(coordinator_client, bevelanden):
    partnership = bevelanden.partnerships.get(circle=Circle.INNER)
    SignatureFactory(declaration=DeclarationFactory(coalition=bevelanden), partnership=partnership)
    response = coordinator_client.post(
        reverse("admin:members_organisation_changelist"),
        {"action": "export_csv", "_selected_action": [partnership.organisation_id]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("coalitions (circle, declaration of intent signed)")
    assert rows[1][column] == "Kansrijk de Bevelanden (Inner circle, signed version 1 on 2022-01-20)"


# --- Approving people who work in one's coalition ---------------------------------------------------------


@pytest.fixture
def newcomers(bevelanden):
    nearby = ProfileFactory(
        status=Profile.Status.PENDING,
        first_name="Nina",
        last_name="Nabij",
        municipalities=[bevelanden.municipalities.get()],
    )
    far = ProfileFactory(
        status=Profile.Status.PENDING, first_name="Vera", last_name="Verweg", municipalities=[MunicipalityFactory()]
    )
    return nearby, far


def test_a_coalition_coordinator_sees_and_approves_the_sign_ups_of_their_coalition_only(
    client, bevelanden, newcomers, django_capture_on_commit_callbacks
):
    nearby, far = newcomers
    client.force_login(coalition_coordinator_of(bevelanden))
    listed = client.get(PENDING).context["profiles"]
    assert [p.pk for p in listed] == [nearby.pk]
    assert client.post(reverse("members:approve", args=[far.pk])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("members:approve", args=[nearby.pk])).status_code == 302
    nearby.refresh_from_db()
    far.refresh_from_db()
    assert nearby.is_approved and far.is_pending
    assert [m.to[0].rsplit("<", 1)[1].rstrip(">") for m in mail.outbox] == [nearby.user.email]


def test_a_regional_coordinator_sees_every_sign_up(coordinator_client, newcomers):
    assert {p.pk for p in coordinator_client.get(PENDING).context["profiles"]} == {p.pk for p in newcomers}


def test_the_pending_page_takes_as_many_queries_for_many_sign_ups_as_for_few(
    client, bevelanden, django_assert_max_num_queries
):
    client.force_login(coalition_coordinator_of(bevelanden))
    place = bevelanden.municipalities.get()

    def sign_ups(count):
        for _number in range(count):
            ProfileFactory(status=Profile.Status.PENDING, municipalities=[place, MunicipalityFactory()])

    sign_ups(2)
    with django_assert_max_num_queries(100) as few:
        client.get(PENDING)
    sign_ups(12)
    with django_assert_max_num_queries(len(few)):
        response = client.get(PENDING)
    assert len(response.context["profiles"]) == 14


def test_the_level_is_part_of_the_profile_form(client):
    profile = ProfileFactory(first_name="Lotte", last_name="Leider")
    client.force_login(profile.user)
    data = {"first_name": "Lotte", "last_name": "Leider", "level": Level.MANAGEMENT}
    data.update({"phone_visibility": "members", "email_visibility": "members", "is_listed": "on"})
    assert client.post(reverse("members:me"), data).status_code == 302
    profile.refresh_from_db()
    assert profile.level == Level.MANAGEMENT
