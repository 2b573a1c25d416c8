"""Bad input on signals, cards and contacts is refused at its field with a message that says what to do."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory
from signals.models import Signal, SignalContact, is_dutch_number, parse_emergency_numbers
from signals.tests.factories import SignalCardFactory, SignalFactory

pytestmark = pytest.mark.django_db


def _errors(obj):
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize("number", ["112", "0800-2000", "0800 2000", "0900-1234567", "0113 238000", "06-12345678",
                                    "+31 6 12345678"])  # fmt: skip
def test_dutch_numbers_are_accepted(number):
    assert is_dutch_number(number)


@pytest.mark.parametrize("number", ["113", "0800-20", "12345", "0113-2380", "+32 3 1234567", "00 12345678"])
def test_numbers_that_are_not_dutch_are_refused(number):
    assert not is_dutch_number(number)


def test_emergency_numbers_keep_their_label_and_dial_digits_only():
    numbers = parse_emergency_numbers("112\nVeilig Thuis 0800-2000\n")
    assert [(n.label, n.number, n.tel) for n in numbers] == [
        ("", "112", "112"),
        ("Veilig Thuis", "0800-2000", "08002000"),
    ]


def test_an_invalid_emergency_number_is_refused_in_dutch_at_its_field():
    signal = SignalFactory.build(emergency_numbers="112\nVeilig Thuis 0800-20")
    with translation.override("en"):
        errors = _errors(signal)
    assert errors["emergency_numbers"][0].startswith("“Veilig Thuis 0800-20” is not a Dutch phone number.")


def test_a_signal_without_what_to_do_first_is_refused_at_that_field():
    signal = SignalFactory.build(first_steps="  ")
    with translation.override("en"):
        errors = _errors(signal)
    assert errors["first_steps"] == ["Say what to do first: that is what a professional looks for on the card."]


def test_the_print_slug_is_reserved():
    with translation.override("en"):
        errors = _errors(SignalFactory.build(slug="print"))
    assert "slug" in errors


def test_a_card_needs_a_municipality_or_a_coalition_but_not_both(db):
    card = SignalCardFactory.build(signal=SignalFactory(), municipality=None, coalition=None)
    with translation.override("en"):
        errors = _errors(card)
    assert errors["municipality"] == ["Choose a municipality or a coalition (one of the two)."]


def test_a_second_card_for_the_same_place_is_refused_at_the_field(place):
    again = SignalCardFactory.build(signal=place["signal"], municipality=place["municipality"])
    with translation.override("en"):
        errors = _errors(again)
    assert "already has a card" in errors["municipality"][0]


def test_a_contact_from_an_organisation_elsewhere_is_refused_at_the_field(place):
    elsewhere = OrganisationFactory(name="Elders")
    elsewhere.municipalities.set([MunicipalityFactory(name="Hulst", slug="hulst")])
    outsider = ProfileFactory(organisation=elsewhere, first_name="Piet", last_name="Buiten")
    contact = SignalContact(card=place["card"], profile=outsider, role="intake")
    with translation.override("en"):
        errors = _errors(contact)
    assert errors["profile"] == [
        "Piet Buiten does not work for an organisation in this municipality. Choose someone from an organisation "
        "that serves it."
    ]


def test_a_pending_member_cannot_be_a_contact(place):
    pending = ProfileFactory(organisation=place["organisation"], status="pending")
    with translation.override("en"):
        errors = _errors(SignalContact(card=place["card"], profile=pending, role="intake"))
    assert errors["profile"] == ["A contact must be an approved member of the network."]


def test_a_coalition_card_accepts_a_contact_from_any_of_its_municipalities(place):
    card = SignalCardFactory(signal=SignalFactory(), municipality=None, coalition=place["coalition"])
    SignalContact(card=card, profile=place["contact"], role="intake").full_clean()


def test_search_folds_case_and_accents(db):
    SignalFactory(name="Taalbarrière", slug="taal", description="Ouders begrijpen de informatie niet.")
    SignalFactory(name="Eenzaamheid", slug="eenzaam", description="Alleen.")
    assert [s.slug for s in Signal.objects.search("TAALBARRIERE")] == ["taal"]
    assert [s.slug for s in Signal.objects.search("informatie")] == ["taal"]
    assert list(Signal.objects.search("geenwoord")) == []
