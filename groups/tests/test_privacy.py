"""The check that keeps client data out of a case consultation (issue 18, point 6): BSNs that pass the 11-proof,
postcodes with a house number and dates of birth are refused; phone numbers, ages, counts and plain text are not."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from groups.privacy import identifiers_in, passes_eleven_proof, validate_no_identifiers


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _kinds(text):
    """Which kinds of identifier the check names: bsn, address, date."""
    kinds = set()
    for message in map(str, identifiers_in(text)):
        if "BSN" in message:
            kinds.add("bsn")
        elif "postcode" in message:
            kinds.add("address")
        elif "date" in message:
            kinds.add("date")
    return kinds


# --- The 11-proof ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["111222333", "123456782", "010000008", "999999990"])
def test_valid_bsns_pass_the_eleven_proof(number):
    assert passes_eleven_proof(number)


@pytest.mark.parametrize("number", ["123456789", "111222334", "000000000", "12345678", "1234567890", "12345678a"])
def test_other_numbers_fail_the_eleven_proof(number):
    assert not passes_eleven_proof(number)


# --- BSNs in text ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "111222333",
        "BSN 123456782",
        "bsn: 123 456 782",
        "nummer 1234.56.782 genoemd",
        "123-456-782",
        "(111222333)",
        "Moeder heeft bsn 111222333.",
    ],
)
def test_a_bsn_in_any_spelling_is_refused(text):
    assert _kinds(text) == {"bsn"}


@pytest.mark.parametrize(
    "text",
    [
        "123456789",  # nine digits that fail the 11-proof
        "111 222 334",
        "0612345678",  # a mobile number: ten digits
        "06-12345678",
        "06 1234 5678",
        "+31 6 12345678",
        "010-1234567",
        "Bel 0800-1234",
        "1234567890",
        "NL91ABNA0417164300",  # an IBAN holds ten digits, not nine
        "100 200 300",
    ],
)
def test_numbers_that_are_no_bsn_are_not_refused(text):
    assert "bsn" not in _kinds(text)


# --- Postcodes with a house number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1234 AB 12",
        "1234AB 12",
        "1234AB12",
        "1234 ab, 12a",
        "4451 AB nr. 12",
        "4451 AB nr 7",
        "Dorpsstraat 12, 4451 AB",
        "Dorpsstraat 12a 4451AB Heinkenszand",
        "woont op 4451 AB 3 B",
    ],
)
def test_a_postcode_with_a_house_number_is_refused(text):
    assert "address" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "1234 AB",  # a postcode alone is an area, not an address
        "Wijk rond 4451 AB",
        "Kamer 12 AB",
        "1234 SS 12",  # SA, SD and SS are never given as postcode letters
        "In 2024 ruim 1234 gezinnen bereikt",
        "0123 AB 12",  # no postcode starts with 0
    ],
)
def test_no_address_without_a_postcode_and_a_house_number(text):
    assert "address" not in _kinds(text)


# --- Dates (of birth) ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "03-04-2021",
        "3-4-2021",
        "3/4/21",
        "31/12/2019",
        "03.04.2021",
        "2021-04-03",
        "2019-2-5",
        "3 april 2021",
        "3 apr. 2021",
        "15 februari 2018",
        "5 jan 2019",
        "12 May 2020",
        "geboren op 3 april",
        "geb. 3-4",
        "geboortedatum: 03-04",
        "geboren in maart 2023",
        "born on 3 May",
        "geboren 12/2020",
    ],
)
def test_a_full_date_or_a_date_of_birth_is_refused(text):
    assert "date" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "13-13-2021",  # no such date
        "31-02-2021",
        "Het kind is 8 maanden oud",
        "Kind van 2 jaar",
        "te vroeg geboren, vragen over voeding",  # a birth word alone is a theme
        "geboren in maart",
        "Geboortedatum onbekend",
        "Zij is in 2019 geboren",
        "kind geboren, 3 weken oud",
        "Op 7 mei bespreken we het",  # a meeting's day, no year: not a full date
        "score 3/4",
        "Om 10.30 uur",
        "In week 12 van 2024",
        "In het schooljaar 2021-2022",
        "versie 1.2.3",
    ],
)
def test_ages_counts_and_partial_dates_are_not_refused(text):
    assert "date" not in _kinds(text)


# --- Plain text and the validator ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Geldzorgen rond een geboorte",
        "Hoe betrekken we de huisarts bij een gezin met schulden en een baby van 8 maanden?",
        "Moeder (30) met drie kinderen, vader werkt in ploegendienst.",
        "Wat doen we als 1 op de 10 gezinnen niet bereikt wordt?",
        "Thema: schulden; 20 gezinnen in 2024",
    ],
)
def test_plain_text_is_untouched(text):
    assert identifiers_in(text) == []
    validate_no_identifiers(text)  # raises nothing


def test_the_validator_names_every_kind_found_in_one_error():
    with pytest.raises(ValidationError) as refused:
        validate_no_identifiers("BSN 111222333, 1234 AB 12, geboren 3-4-2020")
    messages = [str(message) for message in refused.value.messages]
    assert len(messages) == 3
    assert {error.code for error in refused.value.error_list} == {"identifier"}
    assert any("BSN" in message for message in messages)
    assert any("postcode" in message for message in messages)
    assert any("age in months" in message for message in messages)
