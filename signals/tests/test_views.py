"""The signal route as every role: who sees the cards, what of each contact they see, and the fallback number."""

import pytest
from django.urls import reverse

from members.tests.factories import MunicipalityFactory, ProfileFactory
from signals.tests.factories import SignalCardFactory, SignalContactFactory, SignalFactory
from signals.views import SESSION_HEADER

pytestmark = pytest.mark.django_db


def _pages(place):
    goes = place["municipality"].slug
    return [
        reverse("signals:signal_list"),
        reverse("signals:signal_detail", kwargs={"slug": place["signal"].slug}),
        reverse("signals:card", kwargs={"slug": place["signal"].slug, "municipality": goes}),
        reverse("signals:print", kwargs={"municipality": goes}),
    ]


def test_visitors_are_sent_to_log_in_and_see_no_contact(client, place):
    for url in _pages(place):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert b"06-12345678" not in response.content


@pytest.mark.parametrize("persona", ["pending_member", "declined_member"])
def test_pending_and_declined_people_are_refused_with_the_reason(client, place, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in _pages(place):
        response = client.get(url)
        assert response.status_code == 403
        assert b"06-12345678" not in response.content
        assert b"Kees" not in response.content


@pytest.mark.parametrize("persona", ["member", "coordinator", "own_coordinator", "other_coordinator"])
def test_approved_members_and_coordinators_read_every_page(client, place, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in _pages(place):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response[SESSION_HEADER]
        assert "private" in response["Cache-Control"]


def test_the_card_shows_the_contact_with_a_call_link_and_the_offering(client, member, place):
    client.force_login(member)
    response = client.get(_pages(place)[2])
    content = response.content.decode()
    assert "Kees Dekker" in content
    assert "intake schuldhulp, bel voor 10:00" in content
    assert 'href="tel:0612345678"' in content
    assert "Geldplan" in content and "bel 0113-333444" in content
    assert "What to do first" in content


def test_a_hidden_phone_is_not_shown_to_members_but_to_coordinators(client, member, coordinator, hidden_phone):
    url = _pages(hidden_phone)[2]
    client.force_login(member)
    assert "06-12345678" not in client.get(url).content.decode()
    client.force_login(coordinator)
    assert "06-12345678" in client.get(url).content.decode()


def test_an_unlisted_contact_is_replaced_by_the_organisation_number(client, member, place):
    contact = place["contact"]
    contact.is_listed = False
    contact.save()
    client.force_login(member)
    content = client.get(_pages(place)[2]).content.decode()
    assert "Kees Dekker" not in content
    assert "06-12345678" not in content
    assert 'href="tel:0113111222"' in content
    assert "being replaced" in content


def test_a_deleted_account_leaves_the_organisation_number(client, member, place):
    place["contact"].user.delete()
    client.force_login(member)
    content = client.get(_pages(place)[2]).content.decode()
    assert "Kees" not in content
    assert 'href="tel:0113111222"' in content


def test_the_printed_card_names_people_but_never_their_direct_phone(client, coordinator, place):
    client.force_login(coordinator)
    content = client.get(_pages(place)[3]).content.decode()
    assert "Kees Dekker" in content
    assert "0113-111222" in content
    assert "06-12345678" not in content
    assert place["contact"].user.email not in content


def test_urgent_signals_say_so_in_words_and_offer_the_emergency_numbers(client, member, place):
    signal = SignalFactory(name="Huiselijk geweld", slug="geweld", is_urgent=True,
                           emergency_numbers="112\nVeilig Thuis 0800-2000")  # fmt: skip
    client.force_login(member)
    listing = client.get(reverse("signals:signal_list")).content.decode()
    assert "Urgent" in listing
    detail = client.get(reverse("signals:card", kwargs={"slug": signal.slug, "municipality": "goes"})).content.decode()
    assert 'href="tel:112"' in detail and 'href="tel:08002000"' in detail
    assert "No contact people have been named" in detail


def test_the_municipality_comes_from_the_profile_and_then_from_the_choice(client, place):
    profile = ProfileFactory(municipalities=[place["municipality"]])
    client.force_login(profile.user)
    card_url = _pages(place)[2]
    assert card_url in client.get(reverse("signals:signal_list")).content.decode()
    MunicipalityFactory(name="Hulst", slug="hulst")
    response = client.get(reverse("signals:signal_list"), {"municipality": "hulst"})
    assert reverse("signals:card", kwargs={"slug": "geldzorgen", "municipality": "hulst"}) in response.content.decode()
    # Remembered for the rest of the session.
    again = client.get(reverse("signals:signal_list")).content.decode()
    assert reverse("signals:card", kwargs={"slug": "geldzorgen", "municipality": "hulst"}) in again


def test_without_a_municipality_a_signal_asks_for_one(client, member, place):
    client.force_login(member)
    listing = client.get(reverse("signals:signal_list")).content.decode()
    assert _pages(place)[1] in listing
    detail = client.get(_pages(place)[1]).content.decode()
    assert _pages(place)[2] in detail


def test_a_coalition_card_serves_its_municipalities(client, member, place):
    signal = SignalFactory(name="Eenzaamheid", slug="eenzaamheid")
    SignalCardFactory(signal=signal, municipality=None, coalition=place["coalition"], local_note="Inloop op dinsdag.")
    client.force_login(member)
    content = client.get(reverse("signals:card", kwargs={"slug": "eenzaamheid", "municipality": "goes"})).content
    assert "Inloop op dinsdag." in content.decode()


def test_the_search_box_finds_signals(client, member, place):
    SignalFactory(name="Taalbarrière", slug="taal")
    client.force_login(member)
    content = client.get(reverse("signals:signal_list"), {"q": "taalbarriere"}).content.decode()
    assert "Taalbarrière" in content
    assert "Geldzorgen of schulden" not in content


def test_the_service_worker_is_served_from_the_route_for_its_scope(client):
    response = client.get(reverse("signals:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"X-Signals-Session" in response.content


def test_logging_out_clears_the_offline_copies(client, member):
    client.force_login(member)
    response = client.post(reverse("account_logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_session_marker_changes_with_a_new_login(client, member, place):
    client.force_login(member)
    first = client.get(reverse("signals:signal_list"))[SESSION_HEADER]
    client.logout()
    client.force_login(member)
    assert client.get(reverse("signals:signal_list"))[SESSION_HEADER] != first


def test_the_printed_card_takes_a_coalition_card_where_the_municipality_has_none(client, member, place):
    signal = SignalFactory(name="Zorgmijding", slug="zorgmijding")
    SignalCardFactory(signal=signal, municipality=None, coalition=place["coalition"])
    SignalContactFactory(card=signal.cards.get(), profile=place["contact"], role="vaste contactpersoon")
    client.force_login(member)
    content = client.get(_pages(place)[3]).content.decode()
    assert "vaste contactpersoon" in content
    assert "intake schuldhulp, bel voor 10:00" in content
