"""The directory, profile pages and vCards: who may see them, what they show, how search behaves."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Discipline, Level, Profile, Visibility

from .factories import MunicipalityFactory, OrganisationFactory, ProfileFactory, ThemeFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")

LIST = reverse("members:profile_list")


@pytest.fixture
def colleague(db):
    organisation = OrganisationFactory(name="Kraamzorg Zeeuwse Kust", discipline=Discipline.MATERNITY_CARE)
    return ProfileFactory(
        user__first_name="Joëlle",
        user__last_name="de Kraker",
        user__email="joelle@example.org",
        organisation=organisation,
        job_title="Kraamverzorgende",
        discipline=Discipline.MATERNITY_CARE,
        direct_phone="06-11112222",
        team_phone="0113-444555",
        municipalities=[MunicipalityFactory(name="Borsele")],
        themes=[ThemeFactory(name="Vroegsignalering")],
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _names(response):
    return [p.full_name for p in response.context["page_obj"].object_list]


# --- Who may enter --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["profile_list", "profile_detail", "profile_vcard"])
def test_anonymous_visitor_is_sent_to_login(client, colleague, name):
    url = reverse(f"members:{name}", args=[colleague.pk] if name != "profile_list" else [])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("persona", ["pending_member", "declined_member"])
@pytest.mark.parametrize("name", ["profile_list", "profile_detail", "profile_vcard"])
def test_pending_and_declined_people_see_nothing_of_the_directory(client, colleague, request, persona, name):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(f"members:{name}", args=[colleague.pk] if name != "profile_list" else [])
    response = client.get(url)
    assert response.status_code == 403
    assert "06-11112222" not in response.content.decode()
    assert "Kraker" not in response.content.decode()


def test_member_finds_colleague_with_ways_to_reach_them(member_client, colleague):
    response = member_client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Joëlle de Kraker" in body
    assert 'href="tel:06-11112222"' not in body  # spaces/dashes are cut from tel: links
    assert 'href="tel:0611112222"' in body
    assert 'href="mailto:joelle@example.org"' in body
    assert "0113-444555" in body


def test_coordinator_sees_directory(coordinator_client, colleague):
    response = coordinator_client.get(LIST)
    assert response.status_code == 200
    assert "Joëlle de Kraker" in _names(response)


def test_pending_and_declined_profiles_are_not_in_the_directory(member_client, colleague):
    ProfileFactory(user__last_name="Wachtend", status=Profile.Status.PENDING)
    ProfileFactory(user__last_name="Afgewezen", status=Profile.Status.DECLINED)
    names = " ".join(_names(member_client.get(LIST)))
    assert "Wachtend" not in names
    assert "Afgewezen" not in names


def test_pending_profile_page_is_not_found(member_client):
    pending = ProfileFactory(status=Profile.Status.PENDING)
    assert member_client.get(reverse("members:profile_detail", args=[pending.pk])).status_code == 404


# --- Privacy per field ------------------------------------------------------------------------------


@pytest.fixture
def private_colleague(db):
    return ProfileFactory(
        user__last_name="Verborgen",
        user__email="hidden@example.org",
        direct_phone="06-99998888",
        phone_visibility=Visibility.COORDINATORS,
        email_visibility=Visibility.COORDINATORS,
    )


def test_hidden_phone_and_email_are_not_shown_to_members(member_client, private_colleague):
    for url in (LIST, reverse("members:profile_detail", args=[private_colleague.pk])):
        body = member_client.get(url).content.decode()
        assert "Verborgen" in body
        assert "06-99998888" not in body
        assert "hidden@example.org" not in body


def test_hidden_phone_and_email_are_shown_to_coordinators(coordinator_client, private_colleague):
    body = coordinator_client.get(reverse("members:profile_detail", args=[private_colleague.pk])).content.decode()
    assert "06-99998888" in body
    assert "hidden@example.org" in body


def test_owner_sees_own_hidden_details(client, private_colleague):
    client.force_login(private_colleague.user)
    body = client.get(reverse("members:profile_detail", args=[private_colleague.pk])).content.decode()
    assert "06-99998888" in body


def test_hidden_number_cannot_be_found_by_searching_it(member, coordinator, private_colleague):
    for client in (_client(member), _client(coordinator)):
        for query in ("06-99998888", "0699998888", "99998888", "hidden@example.org"):
            assert _names(client.get(LIST, {"q": query})) == []


def test_visible_number_is_not_searchable_either(member_client, colleague):
    # The search covers name, organisation, job, discipline, themes and municipality only.
    assert _names(member_client.get(LIST, {"q": "06-11112222"})) == []


def test_unlisted_member_is_hidden_from_members_but_not_from_coordinators(member, coordinator):
    member_client, coordinator_client = _client(member), _client(coordinator)
    ProfileFactory(user__last_name="Onvindbaar", is_listed=False)
    assert "Onvindbaar" not in " ".join(_names(member_client.get(LIST)))
    assert "Onvindbaar" not in " ".join(_names(member_client.get(LIST, {"q": "Onvindbaar"})))
    assert "Onvindbaar" in " ".join(_names(coordinator_client.get(LIST, {"q": "onvindbaar"})))


def test_unlisted_member_still_sees_own_page(client, db):
    profile = ProfileFactory(is_listed=False)
    client.force_login(profile.user)
    response = client.get(reverse("members:profile_detail", args=[profile.pk]))
    assert response.status_code == 200
    assert response.context["profile"] == profile and profile.full_name in response.content.decode()


def test_vcard_holds_only_what_the_viewer_may_see(member, coordinator, private_colleague):
    member_client, coordinator_client = _client(member), _client(coordinator)
    url = reverse("members:profile_vcard", args=[private_colleague.pk])
    response = member_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vcard")
    body = response.content.decode()
    assert "BEGIN:VCARD" in body and "FN:" in body
    assert "06-99998888" not in body and "hidden@example.org" not in body
    body = coordinator_client.get(url).content.decode()
    assert "TEL;TYPE=WORK,VOICE,PREF:06-99998888" in body
    assert "EMAIL;TYPE=INTERNET,WORK:hidden@example.org" in body


def test_vcard_escapes_separators(member_client):
    profile = ProfileFactory(user__first_name="Anna;X", job_title="Arts, jeugd\nEND:VCARD")
    body = member_client.get(reverse("members:profile_vcard", args=[profile.pk])).content.decode()
    assert "TITLE:Arts\\, jeugd\\nEND:VCARD" in body
    assert body.split("\r\n").count("END:VCARD") == 1


# --- Search and filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["Joëlle", "joelle", "JOELLE", "de kraker joelle", "Kraker Joëlle", "kraamverzorgende borsele",
     "BORSELE kraamzorg", "vroegsignalering", "Zeeuwse kust"],
)  # fmt: skip
def test_search_ignores_case_accents_and_word_order(member_client, colleague, query):
    ProfileFactory(user__first_name="Bram", user__last_name="Bakker", job_title="Schuldhulpverlener")
    assert _names(member_client.get(LIST, {"q": query})) == ["Joëlle de Kraker"]


def test_search_finds_accented_name_when_typed_without_accent(member_client):
    ProfileFactory(user__first_name="Özlem", user__last_name="Yılmaz")
    assert _names(member_client.get(LIST, {"q": "ozlem"})) == ["Özlem Yılmaz"]


def test_search_by_discipline_label_in_dutch_or_english(member_client, colleague):
    assert _names(member_client.get(LIST, {"q": "maternity"})) == ["Joëlle de Kraker"]


@postgres_only
def test_search_tolerates_a_typo_on_postgresql(member_client, colleague):
    assert "Joëlle de Kraker" in _names(member_client.get(LIST, {"q": "kraamverzorgnde"}))


@postgres_only
def test_search_uses_dutch_stemming_on_postgresql(member_client, colleague):
    assert "Joëlle de Kraker" in _names(member_client.get(LIST, {"q": "kraamverzorgenden"}))


def test_filters_combine(member_client, colleague):
    borsele = colleague.municipalities.get()
    other_place = ProfileFactory(discipline=Discipline.MATERNITY_CARE, user__last_name="Elders")
    ProfileFactory(discipline=Discipline.MIDWIFERY, municipalities=[borsele], user__last_name="Verloskundig")
    response = member_client.get(LIST, {"discipline": Discipline.MATERNITY_CARE, "municipality": borsele.pk})
    assert _names(response) == ["Joëlle de Kraker"]
    assert other_place.full_name not in _names(response)


def test_filter_by_theme_organisation_and_level(member_client, colleague):
    colleague.level = Level.POLICY
    colleague.save()
    ProfileFactory(user__last_name="Buiten", organisation=OrganisationFactory(), level=Level.PRACTICE)
    theme = colleague.themes.get()
    assert _names(member_client.get(LIST, {"theme": theme.pk})) == ["Joëlle de Kraker"]
    assert _names(member_client.get(LIST, {"organisation": colleague.organisation.pk})) == ["Joëlle de Kraker"]
    assert _names(member_client.get(LIST, {"level": Level.POLICY})) == ["Joëlle de Kraker"]


def test_filter_with_several_municipalities_lists_a_person_once(member_client):
    a, b = MunicipalityFactory(name="Goes"), MunicipalityFactory(name="Kapelle")
    ProfileFactory(municipalities=[a, b], user__last_name="Tweemaal")
    assert len(_names(member_client.get(LIST, {"q": "goes kapelle tweemaal"}))) == 1


def test_directory_pages(member_client):
    for _ in range(30):
        ProfileFactory()
    first = member_client.get(LIST)
    second = member_client.get(LIST, {"page": 2})
    assert len(first.context["page_obj"].object_list) == 25
    assert first.context["page_obj"].paginator.count == 31  # 30 plus the member
    assert not set(_names(first)) & set(_names(second))


def test_directory_marks_long_unconfirmed_details_as_possibly_outdated(member_client):
    old = ProfileFactory(details_confirmed_at=timezone.now() - timedelta(days=280))
    ProfileFactory(details_confirmed_at=timezone.now() - timedelta(days=200))
    profiles = {p.pk: p for p in member_client.get(LIST).context["page_obj"].object_list}
    assert [pk for pk, p in profiles.items() if p.is_possibly_outdated] == [old.pk]
    body = member_client.get(LIST, {"q": old.last_name}).content.decode()
    assert "badge text-bg-warning" in body


# --- Query counts -----------------------------------------------------------------------------------


def _fill_directory(n):
    places = [MunicipalityFactory() for _ in range(3)]
    organisations = [OrganisationFactory() for _ in range(3)]
    for i in range(n):
        ProfileFactory(municipalities=places[: 1 + i % 3], themes=[ThemeFactory()], organisation=organisations[i % 3])


@pytest.mark.parametrize("query", [{}, {"q": "anna"}])
def test_directory_query_count_does_not_grow_with_rows(member_client, django_assert_max_num_queries, query):
    _fill_directory(3)
    member_client.get(LIST, query)  # warm the session and role caches
    with CaptureQueriesContext(connection) as few:
        member_client.get(LIST, query)
    expected = len(few)  # read now: the next request empties the log it is a view of
    _fill_directory(20)
    member_client.get(LIST, query)  # the new organisations made the filter's choices be read again, once
    with django_assert_max_num_queries(expected):
        response = member_client.get(LIST, query)
    assert len(response.context["page_obj"].object_list) >= 20


def test_profile_page_query_count_is_small(member_client, colleague, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        member_client.get(reverse("members:profile_detail", args=[colleague.pk]))


def test_person_without_a_name_is_not_shown_by_a_hidden_email(member, coordinator):
    nameless = ProfileFactory(
        first_name="", last_name="", user__email="nameless@example.org", email_visibility=Visibility.COORDINATORS
    )
    client = Client()
    client.force_login(member)
    for url in (LIST, reverse("members:profile_detail", args=[nameless.pk])):
        assert "nameless@example.org" not in client.get(url).content.decode()
    vcard = client.get(reverse("members:profile_vcard", args=[nameless.pk])).content.decode()
    assert "nameless@example.org" not in vcard and "\r\nFN:" in vcard
    client.force_login(coordinator)
    assert "nameless@example.org" in client.get(reverse("members:profile_detail", args=[nameless.pk])).content.decode()
