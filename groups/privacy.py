"""What keeps client data out of a case consultation (MDO): a check of typed text for obvious identifiers.

It catches the obvious (a BSN, a postcode with a house number, a date of birth); it cannot recognise a name, which is
why the case form also carries a fixed warning (CASE_WARNING). The professional records consent and the case's
details in their own system, never here.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CASE_WARNING = _(
    "Do not enter names, birth dates, addresses, BSNs or anything else by which a client or family can be "
    "recognised. Describe the theme and your question only; consent and the case's details stay in your own system."
)

# Nine digits, optionally written in groups (123 456 789, 1234.56.789): the shape a BSN takes in typed text.
_NINE_DIGITS = re.compile(r"(?<![\d])(\d(?:[ .-]?\d){8})(?![\d])")
# A Dutch postcode (1234 AB) followed by a house number ("1234 AB 12", "1234AB, 12a", "1234AB12"), or a street-like
# word with a number before the postcode ("Dorpsstraat 12, 4451 AB").
_POSTCODE = r"[1-9]\d{3}\s?(?!SA|SD|SS)[A-Za-z]{2}"
_POSTCODE_AND_NUMBER = re.compile(
    rf"(?<![\w])(?:{_POSTCODE}[\s,]*(?:nr\.?\s*)?\d{{1,5}}\s?[A-Za-z]?(?![\w])|\d{{1,5}}\s?[A-Za-z]?[\s,]+{_POSTCODE}(?![\w]))",
    re.IGNORECASE,
)
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec|"
    "january|february|march|may|june|july|october"
)
# A full date: 03-04-2021, 3/4/21, 2021-04-03, 3 april 2021, 3 apr. 2021.
_NUMERIC_DATE = re.compile(r"(?<![\d])(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?![\d])")
_ISO_DATE = re.compile(r"(?<![\d])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")
_WRITTEN_DATE = re.compile(rf"(?<![\w])\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}}(?![\d])", re.IGNORECASE)
# A birth word alone is no identifier ("te vroeg geboren" is a theme); followed within two words by a day and a month
# or a month and a year it is a date of birth ("geboren op 3 april", "geb. 3-4", "geboortedatum: maart 2023").
_BIRTH_WORDS = r"\b(?:geb\.|geboren|geboortedatum|born|date of birth|d\.o\.b\.?)"
_DAY_AND_MONTH = rf"\d{{1,2}}\s*[-/.]\s*\d{{1,2}}(?!\d)|\d{{1,2}}\s+(?:{_MONTHS})\b"
_MONTH_AND_YEAR = rf"(?:{_MONTHS})\.?\s+\d{{4}}|\d{{1,2}}[-/.]\d{{4}}"
_DATE_OF_BIRTH = re.compile(
    rf"{_BIRTH_WORDS}\W{{0,5}}(?:[^\W\d]+\s+){{0,2}}(?:{_DAY_AND_MONTH}|{_MONTH_AND_YEAR})", re.IGNORECASE
)


def passes_eleven_proof(digits: str) -> bool:
    """The BSN check: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def _is_real_date(day: int, month: int, year: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _has_full_date(text: str) -> bool:
    for match in _NUMERIC_DATE.finditer(text):
        day, month, year = (int(part) for part in match.groups())
        if year < 100:
            year += 2000
        if _is_real_date(day, month, year):
            return True
    for match in _ISO_DATE.finditer(text):
        year, month, day = (int(part) for part in match.groups())
        if _is_real_date(day, month, year):
            return True
    return bool(_WRITTEN_DATE.search(text))


def identifiers_in(text: str) -> list[str]:
    """What kinds of identifier `text` holds, as messages for the person who typed it (empty: none found)."""
    found = []
    for match in _NINE_DIGITS.finditer(text or ""):
        if passes_eleven_proof(re.sub(r"\D", "", match.group(1))):
            found.append(_("This text holds a number that looks like a BSN (citizen service number). Leave it out."))
            break
    if _POSTCODE_AND_NUMBER.search(text or ""):
        found.append(_("This text holds a postcode with a house number, which is an address. Leave it out."))
    if _has_full_date(text or "") or _DATE_OF_BIRTH.search(text or ""):
        found.append(
            _(
                "This text holds a date that could be a date of birth. Leave it out; write an age in months or "
                "years if it matters (“8 months old”)."
            )
        )
    return found


def validate_no_identifiers(value: str) -> None:
    """A field validator for every text field of an MDO case."""
    messages = identifiers_in(value)
    if messages:
        raise ValidationError([ValidationError(message, code="identifier") for message in messages])
