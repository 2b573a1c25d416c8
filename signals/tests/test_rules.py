"""Who edits what: regional coordinators everything, a coalition coordinator their places' cards, nobody else."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from members.tests.factories import ProfileFactory
from signals.models import SignalCard, SignalContact
from signals.tests.factories import SignalCardFactory, SignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coalition_card(place):
    return SignalCardFactory(signal=SignalFactory(), municipality=None, coalition=place["coalition"])


@pytest.fixture
def elsewhere_card(other_coordinator):
    coalition = other_coordinator.coalition_roles.get().coalition
    return SignalCardFactory(signal=SignalFactory(), municipality=coalition.municipalities.get())


def test_the_route_is_for_approved_members(member, pending_member, declined_member, coordinator):
    assert member.has_perm("signals.view_route")
    assert coordinator.has_perm("signals.view_route")
    assert not pending_member.has_perm("signals.view_route")
    assert not declined_member.has_perm("signals.view_route")
    assert not AnonymousUser().has_perm("signals.view_route")


def test_a_regional_coordinator_edits_signals_and_every_card(coordinator, place, coalition_card, elsewhere_card):
    assert coordinator.has_perm("signals.add_signal")
    assert coordinator.has_perm("signals.change_signal", place["signal"])
    for card in (place["card"], coalition_card, elsewhere_card):
        assert coordinator.has_perm("signals.change_signalcard", card)
        assert coordinator.has_perm("signals.delete_signalcard", card)


def test_a_coalition_coordinator_edits_the_cards_of_their_places_only(own_coordinator, place, coalition_card,
                                                                       elsewhere_card):  # fmt: skip
    assert own_coordinator.has_perm("signals.change_signalcard", place["card"])
    assert own_coordinator.has_perm("signals.change_signalcard", coalition_card)
    assert own_coordinator.has_perm("signals.change_signalcontact", place["card"].contacts.get())
    assert not own_coordinator.has_perm("signals.change_signalcard", elsewhere_card)
    # The signals themselves are the region's.
    assert not own_coordinator.has_perm("signals.add_signal")
    assert not own_coordinator.has_perm("signals.change_signal", place["signal"])
    assert own_coordinator.has_perm("signals.view_signal")


def test_a_coordinator_of_another_coalition_edits_nothing_here(other_coordinator, place, coalition_card):
    assert not other_coordinator.has_perm("signals.change_signalcard", place["card"])
    assert not other_coordinator.has_perm("signals.change_signalcard", coalition_card)
    assert not other_coordinator.has_perm("signals.view_signalcard", place["card"])


@pytest.mark.parametrize("persona", ["member", "pending_member"])
def test_members_and_pending_people_edit_nothing(persona, request, place):
    user = request.getfixturevalue(persona)
    assert not user.has_perm("signals.change_signalcard", place["card"])
    assert not user.has_perm("signals.add_signalcard")
    assert not user.has_perm("signals.view_signal")
    assert not AnonymousUser().has_perm("signals.change_signalcard", place["card"])


def test_cards_managed_by_follow_the_rules(coordinator, own_coordinator, other_coordinator, place, coalition_card,
                                           elsewhere_card):  # fmt: skip
    assert set(SignalCard.objects.managed_by(coordinator)) == {place["card"], coalition_card, elsewhere_card}
    assert set(SignalCard.objects.managed_by(own_coordinator)) == {place["card"], coalition_card}
    assert set(SignalCard.objects.managed_by(other_coordinator)) == {elsewhere_card}


# --- The admin, as the coordinators meet it ----------------------------------------------------------------


def test_the_admin_list_holds_a_coalition_coordinators_own_cards(client, own_coordinator, place, elsewhere_card):
    client.force_login(own_coordinator)
    content = client.get(reverse("admin:signals_signalcard_changelist")).content.decode()
    assert reverse("admin:signals_signalcard_change", args=[place["card"].pk]) in content
    assert reverse("admin:signals_signalcard_change", args=[elsewhere_card.pk]) not in content


def test_another_coalitions_card_is_refused_with_the_reason(client, other_coordinator, place):
    client.force_login(other_coordinator)
    response = client.get(
        reverse("admin:signals_signalcard_change", args=[place["card"].pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert b"coordinators of this card" in response.content


def _card_post(card, profile, role="intake"):
    existing = list(card.contacts.all())
    data = {
        "signal": card.signal_id,
        "municipality": card.municipality_id or "",
        "coalition": card.coalition_id or "",
        "local_note": "",
        "contacts-TOTAL_FORMS": str(len(existing) + 1),
        "contacts-INITIAL_FORMS": str(len(existing)),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    for index, contact in enumerate(existing):
        data |= {
            f"contacts-{index}-id": contact.pk,
            f"contacts-{index}-card": card.pk,
            f"contacts-{index}-profile": contact.profile_id,
            f"contacts-{index}-role": contact.role,
            f"contacts-{index}-position": contact.position,
        }
    new = len(existing)
    data |= {f"contacts-{new}-card": card.pk, f"contacts-{new}-profile": profile.pk, f"contacts-{new}-role": role,
             f"contacts-{new}-position": 1}  # fmt: skip
    return data


def test_the_admin_refuses_a_contact_from_elsewhere_at_the_field(client, coordinator, place):
    outsider = ProfileFactory(first_name="Piet", last_name="Buiten")
    client.force_login(coordinator)
    url = reverse("admin:signals_signalcard_change", args=[place["card"].pk])
    with translation.override("en"):
        response = client.post(url, _card_post(place["card"], outsider), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Piet Buiten does not work for an organisation in this municipality" in response.content.decode()
    assert SignalContact.objects.count() == 1


def test_a_coalition_coordinator_cannot_name_someone_from_elsewhere(client, own_coordinator, place):
    outsider = ProfileFactory(first_name="Piet", last_name="Buiten")
    client.force_login(own_coordinator)
    url = reverse("admin:signals_signalcard_change", args=[place["card"].pk])
    response = client.post(url, _card_post(place["card"], outsider), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.forms[1].errors["profile"]
    assert SignalContact.objects.count() == 1


def test_the_admin_adds_a_contact_who_works_there(client, own_coordinator, place):
    colleague = ProfileFactory(organisation=place["organisation"], first_name="Bram", last_name="Dieleman")
    client.force_login(own_coordinator)
    url = reverse("admin:signals_signalcard_change", args=[place["card"].pk])
    response = client.post(url, _card_post(place["card"], colleague, role="tweede lijn"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert SignalContact.objects.filter(profile=colleague, role="tweede lijn").exists()


def test_a_coalition_coordinator_opens_a_signal_read_only(client, own_coordinator, place):
    client.force_login(own_coordinator)
    response = client.get(reverse("admin:signals_signal_change", args=[place["signal"].pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_a_coordinator_finds_contacts_in_the_autocomplete(client, coordinator, place):
    client.force_login(coordinator)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "signals", "model_name": "signalcontact", "field_name": "profile", "term": "Dekker"},
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Kees Dekker"]


def test_a_coalition_coordinator_picks_contacts_from_their_municipalities(client, own_coordinator, place):
    ProfileFactory(first_name="Piet", last_name="Buiten")  # works nowhere near
    ProfileFactory(organisation=place["organisation"], first_name="Ina", last_name="Verborgen", is_listed=False)
    client.force_login(own_coordinator)
    response = client.get(reverse("admin:signals_signalcard_change", args=[place["card"].pk]))
    choices = [label for _value, label in response.context["inline_admin_formsets"][0].formset.forms[0].fields[
        "profile"].choices]  # fmt: skip
    assert "Kees Dekker (Schuldhulp Goes)" in choices
    assert not [label for label in choices if "Buiten" in label or "Verborgen" in label]
