"""The parents' route as each role sees it: phases with support only, search, whose contact details show, the
print view without staff-only details, the offering form's refusals, and the query counts with many offerings."""

import pytest
from django.urls import reverse

from coalition.tests.query_counts import assert_same_count_as_data_grows
from members.models import CONTACT_PERSON_MESSAGE, LifePhase, Offering, Visibility

from .factories import MunicipalityFactory, OfferingFactory, OrganisationFactory, ProfileFactory, ThemeFactory

ROUTE = reverse("members:offering_list")
PRINT = reverse("members:offering_print")


@pytest.fixture
def contact(db):
    return ProfileFactory(
        first_name="Kim", last_name="Kraamzorg", direct_phone="06-11112222", user__email="kim@schelde.nl"
    )


@pytest.fixture
def offering(contact):
    organisation = OrganisationFactory(name="Kraamzorg De Schelde")
    organisation.contacts.add(contact)
    return OfferingFactory(
        organisation=organisation,
        title="Kraamzorg thuis",
        life_phases=[LifePhase.PREGNANCY, LifePhase.BIRTH],
        phone="0113-123456",
        email="info@schelde.nl",
        contact_person=contact,
    )


def _titles(response):
    return {phase: [o.title for o in offerings] for phase, _label, offerings in response.context["phases"]}


def test_an_offering_in_two_phases_is_listed_in_both_and_empty_phases_are_left_out(client, offering):
    OfferingFactory(title="Opvoedspreekuur", life_phase=LifePhase.SECOND_YEAR)
    response = client.get(ROUTE)
    assert _titles(response) == {
        "pregnancy": ["Kraamzorg thuis"],
        "birth": ["Kraamzorg thuis"],
        "second_year": ["Opvoedspreekuur"],
    }
    assert 'id="phase-wish"' not in response.content.decode()


def test_the_phase_filter_finds_an_offering_by_any_of_its_phases(client, offering):
    assert _titles(client.get(ROUTE, {"life_phase": "birth"})) == {"birth": ["Kraamzorg thuis"]}
    # Filtering on a phase shows that phase only, also for an offering in several.
    assert _titles(client.get(ROUTE, {"life_phase": "first_year"})) == {}


def test_nothing_found_is_said_once(client, offering):
    response = client.get(ROUTE, {"q": "zeilen"})
    assert response.context["phases"] == []
    assert response.content.decode().count('class="alert alert-info"') == 1


def test_the_search_box_finds_by_a_word_typed_halfway_and_ignores_accents(client, offering):
    OfferingFactory(title="Café voor ouders")
    assert _titles(client.get(ROUTE, {"q": "kraam"})) == {
        "pregnancy": ["Kraamzorg thuis"],
        "birth": ["Kraamzorg thuis"],
    }
    assert _titles(client.get(ROUTE, {"q": "cafe"})) == {"pregnancy": ["Café voor ouders"]}


def test_a_visitor_sees_the_public_phone_as_a_link_and_no_contact_person(client, offering):
    page = client.get(ROUTE).content.decode()
    assert 'href="tel:0113123456"' in page
    assert 'href="mailto:info@schelde.nl"' in page
    assert "Kim Kraamzorg" not in page and "06-11112222" not in page and "kim@schelde.nl" not in page


@pytest.mark.parametrize("persona", ["pending_member", "declined_member"])
def test_people_not_approved_see_no_contact_person(client, request, offering, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(ROUTE).content.decode()
    assert "Kim Kraamzorg" not in page and "06-11112222" not in page


def test_a_member_sees_the_contact_person_and_their_details_as_they_allow(client, member, offering, contact):
    client.force_login(member)
    page = client.get(ROUTE).content.decode()
    assert "Kim Kraamzorg" in page and 'href="tel:0611112222"' in page and "kim@schelde.nl" in page
    contact.phone_visibility = Visibility.COORDINATORS
    contact.save()
    page = client.get(ROUTE).content.decode()
    assert "Kim Kraamzorg" in page and "06-11112222" not in page
    assert "0113-123456" in page  # the offering's public number stays


def test_a_coordinator_sees_a_hidden_phone(client, coordinator, offering, contact):
    contact.phone_visibility = Visibility.COORDINATORS
    contact.save()
    client.force_login(coordinator)
    assert "06-11112222" in client.get(ROUTE).content.decode()


def test_an_unlisted_contact_is_not_shown_to_members(client, member, offering, contact):
    contact.is_listed = False
    contact.save()
    client.force_login(member)
    page = client.get(ROUTE).content.decode()
    assert "Kim Kraamzorg" not in page and "06-11112222" not in page


def test_the_print_view_keeps_the_filters_and_holds_no_contact_person_even_for_a_coordinator(
    client, coordinator, offering
):
    OfferingFactory(title="Opvoedspreekuur", life_phase=LifePhase.SECOND_YEAR)
    client.force_login(coordinator)
    response = client.get(PRINT, {"life_phase": "birth"})
    page = response.content.decode()
    assert _titles(response) == {"birth": ["Kraamzorg thuis"]}
    assert "Kim Kraamzorg" not in page and "06-11112222" not in page
    assert 'href="tel:0113123456"' in page
    assert "css/offerings-print.css" in page and "style=" not in page
    assert f"{PRINT}?life_phase=birth" in client.get(ROUTE, {"life_phase": "birth"}).content.decode()


def test_a_possibly_outdated_offering_carries_a_badge_in_words(client, offering):
    from datetime import timedelta  # noqa: PLC0415 — only here

    from django.utils import timezone  # noqa: PLC0415 — only here

    Offering.objects.filter(pk=offering.pk).update(confirmed_at=timezone.now() - timedelta(days=300))
    page = client.get(ROUTE).content.decode()
    assert "badge text-bg-warning" in page


def test_the_review_note_shows_to_the_organisations_contacts_only(client, member, offering, contact):
    Offering.objects.filter(pk=offering.pk).update(needs_review="Telefoonnummer gewijzigd: kijk even.")
    url = offering.organisation.get_absolute_url()
    client.force_login(member)
    assert "Telefoonnummer gewijzigd" not in client.get(url).content.decode()
    client.force_login(contact.user)
    assert "Telefoonnummer gewijzigd" in client.get(url).content.decode()


# --- The offering form ---------------------------------------------------------------------------------------


def _form_data(**extra):
    return {
        "title": "Babymassage",
        "description": "Samen ontspannen",
        "life_phases": [LifePhase.BIRTH, LifePhase.FIRST_YEAR],
        "access": "self",
        "is_active": "on",
        "phone": "0113 123 456",
        "email": "info@schelde.nl",
        **extra,
    }


def test_a_contact_saves_an_offering_in_several_phases_with_a_contact_person(client, offering, contact):
    client.force_login(contact.user)
    url = reverse("members:offering_create", args=[offering.organisation.slug])
    response = client.post(url, _form_data(contact_person=contact.pk))
    assert response.status_code == 302
    saved = Offering.objects.get(title="Babymassage")
    assert saved.life_phases == ["birth", "first_year"] and saved.contact_person == contact
    assert "babymassage" in saved.search_text


def test_a_contact_person_who_is_not_the_organisations_contact_is_refused_at_the_field(client, offering, contact):
    stranger = ProfileFactory()
    client.force_login(contact.user)
    url = reverse("members:offering_create", args=[offering.organisation.slug])
    response = client.post(url, _form_data(contact_person=stranger.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["contact_person"] == [str(CONTACT_PERSON_MESSAGE)]
    assert form["title"].value() == "Babymassage" and form["phone"].value() == "0113 123 456"
    assert not Offering.objects.filter(title="Babymassage").exists()


@pytest.mark.parametrize("phone", ["12345", "0113-12345", "+44 20 7946 0000", "bel ons"])
def test_an_invalid_phone_is_refused_at_the_field_with_the_rest_kept(client, offering, contact, phone):
    client.force_login(contact.user)
    url = reverse("members:offering_create", args=[offering.organisation.slug])
    response = client.post(url, _form_data(phone=phone))
    form = response.context["form"]
    assert list(form.errors) == ["phone"]
    assert form["description"].value() == "Samen ontspannen"


@pytest.mark.parametrize("phone", ["0113 123 456", "+31 (0)113 123456", "06-12345678", "0800 1234", "14 0113"])
def test_dutch_phone_numbers_are_accepted(client, offering, contact, phone):
    client.force_login(contact.user)
    url = reverse("members:offering_create", args=[offering.organisation.slug])
    assert client.post(url, _form_data(phone=phone)).status_code == 302


def test_the_admin_refuses_a_contact_person_of_another_organisation(coordinator_client, offering):
    stranger = ProfileFactory()
    data = {"organisation": offering.organisation.pk, "title": "Babymassage", "description": "Samen",
            "life_phases": ["birth"], "access": "self", "is_active": "on", "contact_person": stranger.pk,
            "confirmed_at_0": "2026-01-01", "confirmed_at_1": "10:00"}  # fmt: skip
    response = coordinator_client.post(reverse("admin:members_offering_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["contact_person"] == [str(CONTACT_PERSON_MESSAGE)]


def test_the_admin_lists_and_filters_possibly_outdated_offerings(coordinator_client, offering):
    from datetime import timedelta  # noqa: PLC0415 — only here

    from django.utils import timezone  # noqa: PLC0415 — only here

    old = OfferingFactory(title="Oud aanbod", confirmed_at=timezone.now() - timedelta(days=300))
    url = reverse("admin:members_offering_changelist")
    response = coordinator_client.get(url, {"outdated": "yes"})
    assert [o.pk for o in response.context["cl"].result_list] == [old.pk]
    response = coordinator_client.get(url, {"phase": "birth"})
    assert [o.pk for o in response.context["cl"].result_list] == [offering.pk]


# --- Query counts ----------------------------------------------------------------------------------------------


def _many(n):
    places = MunicipalityFactory.create_batch(2)
    themes = ThemeFactory.create_batch(2)
    for i in range(n):
        organisation = OrganisationFactory()
        person = ProfileFactory()
        organisation.contacts.add(person)
        OfferingFactory(
            organisation=organisation,
            life_phases=[LifePhase.values[i % 5], LifePhase.values[(i + 2) % 5]],
            municipalities=places[: i % 3],
            themes=themes[: i % 3],
            contact_person=person,
            phone="0113-123456",
        )


@pytest.mark.parametrize("role", [None, "member", "coordinator"])
@pytest.mark.parametrize("url", [ROUTE, f"{ROUTE}?q=aanbod", PRINT])
def test_the_route_takes_as_many_queries_for_many_offerings(client, request, db, role, url):
    if role:
        client.force_login(request.getfixturevalue(role))
    assert_same_count_as_data_grows(client, url, _many)


def test_the_edit_page_tells_the_contact_what_to_check(client, offering, contact):
    Offering.objects.filter(pk=offering.pk).update(needs_review="Telefoonnummer gewijzigd: kijk even.")
    client.force_login(contact.user)
    url = reverse("members:offering_edit", args=[offering.organisation.slug, offering.pk])
    assert "Telefoonnummer gewijzigd" in client.get(url).content.decode()
