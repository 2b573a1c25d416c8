"""Organisations and the parents' support route: public pages, people for members only, editing by contacts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import LifePhase, Offering, Visibility

from .factories import MunicipalityFactory, OfferingFactory, OrganisationFactory, ProfileFactory, ThemeFactory

OFFERINGS = reverse("members:offering_list")
ORGANISATIONS = reverse("members:organisation_list")


@pytest.fixture
def organisation(db):
    organisation = OrganisationFactory(name="Kraamzorg Zeeuwse Kust", phone="0113-222333")
    OfferingFactory(organisation=organisation, title="Kraamzorg thuis", life_phase=LifePhase.BIRTH)
    ProfileFactory(organisation=organisation, user__last_name="Kraamhulp", direct_phone="06-31313131")
    return organisation


@pytest.mark.parametrize("persona", [None, "pending_member", "declined_member", "member", "coordinator"])
def test_organisations_and_offerings_are_public(client, request, organisation, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    for url in (ORGANISATIONS, organisation.get_absolute_url(), OFFERINGS):
        response = client.get(url)
        assert response.status_code == 200
        assert "Kraamzorg" in response.content.decode()


@pytest.mark.parametrize("persona", [None, "pending_member", "declined_member"])
def test_organisation_people_are_hidden_from_outsiders(client, request, organisation, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    body = client.get(organisation.get_absolute_url()).content.decode()
    assert "Kraamhulp" not in body
    assert "06-31313131" not in body
    assert "0113-222333" in body  # the organisation's general line is public


def test_organisation_page_shows_people_to_members_honouring_visibility(member_client, organisation):
    ProfileFactory(
        organisation=organisation,
        user__last_name="Stil",
        direct_phone="06-77776666",
        phone_visibility=Visibility.COORDINATORS,
    )
    body = member_client.get(organisation.get_absolute_url()).content.decode()
    assert "Kraamhulp" in body and "06-31313131" in body
    assert "Stil" in body and "06-77776666" not in body


def test_offerings_route_is_grouped_by_life_phase_in_order(client, db):
    for phase in reversed(LifePhase.values):
        OfferingFactory(life_phase=phase, title=f"Aanbod {phase}")
    response = client.get(OFFERINGS)
    phases = [phase for phase, _label, _offerings in response.context["phases"]]
    assert phases == list(LifePhase.values)
    assert all(len(offerings) == 1 for _p, _l, offerings in response.context["phases"])


def test_offerings_filter_by_municipality_and_theme(client, db):
    goes, hulst = MunicipalityFactory(name="Goes"), MunicipalityFactory(name="Hulst")
    money = ThemeFactory(name="Armoede en schulden")
    OfferingFactory(title="Alleen Goes", municipalities=[goes], themes=[money])
    OfferingFactory(title="Alleen Hulst", municipalities=[hulst], themes=[money])
    OfferingFactory(title="Hele regio", themes=[money])
    OfferingFactory(title="Ander thema", municipalities=[goes])
    OfferingFactory(title="Niet actief", municipalities=[goes], themes=[money], is_active=False)

    def titles(**params):
        response = client.get(OFFERINGS, params)
        return sorted(o.title for _p, _l, offerings in response.context["phases"] for o in offerings)

    assert titles(municipality=goes.pk) == ["Alleen Goes", "Ander thema", "Hele regio"]
    assert titles(municipality=goes.pk, theme=money.pk) == ["Alleen Goes", "Hele regio"]
    assert titles(theme=money.pk) == ["Alleen Goes", "Alleen Hulst", "Hele regio"]


def _offering_rows(n):
    places, themes = [MunicipalityFactory() for _ in range(2)], [ThemeFactory() for _ in range(2)]
    for i in range(n):
        OfferingFactory(life_phase=LifePhase.values[i % 5], municipalities=places[: i % 3], themes=themes[: i % 3])


def test_offerings_page_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries):
    _offering_rows(3)
    with CaptureQueriesContext(connection) as few:
        client.get(OFFERINGS)
    _offering_rows(30)
    with django_assert_max_num_queries(len(few)):
        response = client.get(OFFERINGS)
    assert sum(len(o) for _p, _l, o in response.context["phases"]) == 33


def test_organisation_list_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries):
    place = MunicipalityFactory()
    for _ in range(3):
        OrganisationFactory().municipalities.add(place)
    with CaptureQueriesContext(connection) as few:
        client.get(ORGANISATIONS)
    for _ in range(25):
        OrganisationFactory().municipalities.add(place)
    with django_assert_max_num_queries(len(few)):
        client.get(ORGANISATIONS)


def test_organisation_page_query_count_does_not_grow_with_people(
    member_client, organisation, django_assert_max_num_queries
):
    member_client.get(organisation.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        member_client.get(organisation.get_absolute_url())
    for _ in range(10):
        ProfileFactory(organisation=organisation)
        OfferingFactory(organisation=organisation, municipalities=[MunicipalityFactory()])
    with django_assert_max_num_queries(len(few)):
        member_client.get(organisation.get_absolute_url())


def test_organisation_list_filters(client, db):
    goes = MunicipalityFactory(name="Goes")
    OrganisationFactory(name="Verloskundigen Goes", discipline="midwifery").municipalities.add(goes)
    OrganisationFactory(name="Schuldhulp Hulst", discipline="debt_counselling")
    names = lambda **p: [o.name for o in client.get(ORGANISATIONS, p).context["page_obj"].object_list]  # noqa: E731
    assert names(municipality=goes.pk) == ["Verloskundigen Goes"]
    assert names(discipline="debt_counselling") == ["Schuldhulp Hulst"]
    assert names(q="goes verlos") == ["Verloskundigen Goes"]


# --- Editing by the organisation's contacts ---------------------------------------------------------


def _edit_data(organisation, **changes):
    data = {"name": organisation.name, "discipline": organisation.discipline, "phone": "0113-999000", "email": "",
            "website": "", "address": "", "description": "Nieuw"}  # fmt: skip
    data.update(changes)
    return data


def test_contact_edits_own_organisation_and_people_follow_a_new_name(client, organisation):
    contact = ProfileFactory(organisation=organisation)
    organisation.contacts.add(contact)
    client.force_login(contact.user)
    url = reverse("members:organisation_edit", args=[organisation.slug])
    assert client.get(url).context["form"].instance == organisation
    response = client.post(url, _edit_data(organisation, name="Kraamzorg Delta"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Kraamzorg Delta" and organisation.phone == "0113-999000"
    contact.refresh_from_db()
    assert "kraamzorg delta" in contact.search_text


@pytest.mark.parametrize("persona", ["member", "pending_member", "declined_member"])
def test_non_contacts_cannot_edit_an_organisation_or_its_offerings(client, request, organisation, persona):
    client.force_login(request.getfixturevalue(persona))
    offering = organisation.offerings.get()
    for url in (
        reverse("members:organisation_edit", args=[organisation.slug]),
        reverse("members:offering_create", args=[organisation.slug]),
        reverse("members:offering_edit", args=[organisation.slug, offering.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, _edit_data(organisation, name="Gekaapt", title="Gekaapt")).status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == "Kraamzorg Zeeuwse Kust"


def test_pending_contact_cannot_edit(client, organisation):
    contact = ProfileFactory(organisation=organisation, status="pending")
    organisation.contacts.add(contact)
    client.force_login(contact.user)
    assert client.get(reverse("members:organisation_edit", args=[organisation.slug])).status_code == 403


def test_anonymous_is_sent_to_login_from_edit(client, organisation):
    assert client.get(reverse("members:organisation_edit", args=[organisation.slug])).status_code == 302


def test_coordinator_edits_any_organisation(coordinator_client, organisation):
    url = reverse("members:organisation_edit", args=[organisation.slug])
    assert coordinator_client.post(url, _edit_data(organisation)).status_code == 302


def test_contact_adds_and_edits_an_offering(client, organisation):
    contact = ProfileFactory(organisation=organisation)
    organisation.contacts.add(contact)
    client.force_login(contact.user)
    place = MunicipalityFactory()
    data = {"title": "Babymassage", "description": "Samen ontspannen", "life_phases": [LifePhase.FIRST_YEAR],
            "access": "self", "municipalities": [place.pk], "is_active": "on"}  # fmt: skip
    response = client.post(reverse("members:offering_create", args=[organisation.slug]), data)
    assert response.status_code == 302
    offering = Offering.objects.get(title="Babymassage")
    assert offering.organisation == organisation and list(offering.municipalities.all()) == [place]
    url = reverse("members:offering_edit", args=[organisation.slug, offering.pk])
    assert client.post(url, {**data, "title": "Babymassage in de groep"}).status_code == 302
    offering.refresh_from_db()
    assert offering.title == "Babymassage in de groep"


def test_offering_of_another_organisation_cannot_be_edited_through_own_slug(client, organisation):
    contact = ProfileFactory(organisation=organisation)
    organisation.contacts.add(contact)
    foreign = OfferingFactory()
    client.force_login(contact.user)
    assert client.get(reverse("members:offering_edit", args=[organisation.slug, foreign.pk])).status_code == 404


def test_bad_logo_is_refused_and_the_rest_kept(client, organisation):
    contact = ProfileFactory(organisation=organisation)
    organisation.contacts.add(contact)
    c = Client()
    c.force_login(contact.user)
    svg = SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml")
    response = c.post(
        reverse("members:organisation_edit", args=[organisation.slug]),
        {**_edit_data(organisation, description="Bewaard"), "logo_upload": svg},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["logo_upload"]
    assert "Bewaard" in response.content.decode()


def test_contact_finds_a_switched_off_offering_to_switch_it_on_again(client, organisation):
    OfferingFactory(organisation=organisation, title="Zwangerschapscursus", is_active=False)
    contact = ProfileFactory(organisation=organisation)
    organisation.contacts.add(contact)
    client.force_login(contact.user)
    body = client.get(organisation.get_absolute_url()).content.decode()
    assert "Zwangerschapscursus" in body
    assert "Not shown to the public" in body or "Niet zichtbaar voor het publiek" in body


@pytest.mark.parametrize("persona", [None, "member"])
def test_switched_off_offering_is_hidden_from_everyone_else(client, request, organisation, persona):
    OfferingFactory(organisation=organisation, title="Zwangerschapscursus", is_active=False)
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert "Zwangerschapscursus" not in client.get(organisation.get_absolute_url()).content.decode()
    assert "Zwangerschapscursus" not in client.get(OFFERINGS).content.decode()


def test_emptied_name_is_refused_at_the_field_and_the_rest_is_kept(client, organisation):
    contact = ProfileFactory(organisation=organisation)
    organisation.contacts.add(contact)
    client.force_login(contact.user)
    url = reverse("members:organisation_edit", args=[organisation.slug])
    response = client.post(url, _edit_data(organisation, name="", description="Getypt en bewaard"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["name"]
    body = response.content.decode()
    heading = body.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "Kraamzorg Zeeuwse Kust" in heading
    assert "Getypt en bewaard" in body
    organisation.refresh_from_db()
    assert organisation.name == "Kraamzorg Zeeuwse Kust"


def test_offering_by_referral_names_who_refers_and_the_rest_is_kept(client, organisation):
    contact = ProfileFactory(organisation=organisation)
    organisation.contacts.add(contact)
    client.force_login(contact.user)
    data = {"title": "Stevig ouderschap", "description": "Huisbezoeken", "life_phases": [LifePhase.FIRST_YEAR],
            "access": "referral", "referral_by": "", "is_active": "on"}  # fmt: skip
    url = reverse("members:offering_create", args=[organisation.slug])
    response = client.post(url, data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["referral_by"]
    assert "Huisbezoeken" in response.content.decode()
    assert client.post(url, {**data, "referral_by": "JGZ-verpleegkundige"}).status_code == 302


def test_the_admin_also_requires_who_refers(coordinator_client, organisation):
    data = {"organisation": organisation.pk, "title": "Stevig ouderschap", "description": "Huisbezoeken",
            "life_phases": [LifePhase.FIRST_YEAR], "access": "referral", "referral_by": "",
            "is_active": "on"}  # fmt: skip
    response = coordinator_client.post(reverse("admin:members_offering_add"), data)
    assert response.status_code == 200
    assert "referral_by" in response.context["adminform"].form.errors
    assert not Offering.objects.filter(title="Stevig ouderschap").exists()
