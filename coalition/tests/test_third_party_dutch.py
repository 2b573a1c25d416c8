"""Django's, the admin's and django-allauth's own strings read as the portal's Dutch.

Their Dutch catalogues trail the English ones (Django 6.1 added msgids nl does not have yet, so a password that is
too short was refused in English) and say "u" and "aanmelden" where the portal says "je" and "inloggen"
(DESIGN.md §4). `locale_overrides/nl` fills both gaps; this test reads every msgid of those packages' English
catalogues through Django's own translation machinery, so a package upgrade that adds or rewords a string fails
here instead of showing English or "u" to a coordinator.
"""

import re
from pathlib import Path

import allauth
import django
import polib
import pytest
from django.utils.translation import trans_real

DJANGO = Path(django.__file__).parent
PACKAGES = {
    "django": DJANGO / "conf" / "locale",
    "django.contrib.admin": DJANGO / "contrib" / "admin" / "locale",
    "django.contrib.auth": DJANGO / "contrib" / "auth" / "locale",
    "django.contrib.contenttypes": DJANGO / "contrib" / "contenttypes" / "locale",
    "allauth": Path(allauth.__file__).parent / "locale",
}


OVERRIDES = Path(__file__).resolve().parents[2] / "locale_overrides"

# "u"/"uw" (the portal says "je"), and "aanmelden"/"afmelden" for logging in and out or "registreren" for creating
# an account (the portal keeps "aanmelden" for events: Inloggen, Uitloggen, Account aanmaken).
FORMAL = re.compile(r"\b(?:[Uu]|[Uu]w|[Uu]we)\b")
LOGIN_WORDS = re.compile(r"[Aa]anmeld|[Aa]fmeld|[Rr]egistr")


def _catalogue(domain):
    if domain == "django":
        return trans_real.translation("nl")
    return trans_real.DjangoTranslation("nl", domain=domain, localedirs=[str(path) for path in PACKAGES.values()])


def _translated_by_package(domain):
    # What a package's own Dutch catalogue translates, if only as the same word ("IPv4", "Status").
    done = set()
    for locale in [*PACKAGES.values(), OVERRIDES]:
        path = locale / "nl" / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            done |= {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if e.translated()}
    return done


def _english_entries(domain):
    for package, locale in PACKAGES.items():
        path = locale / "en" / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            for entry in polib.pofile(str(path)):
                if not entry.obsolete:
                    yield package, entry


def _dutch(catalogue, entry):
    if entry.msgid_plural:
        forms = [catalogue.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        if entry.msgctxt:
            forms = [catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        return forms
    if entry.msgctxt:
        return [catalogue.pgettext(entry.msgctxt, entry.msgid)]
    return [catalogue.gettext(entry.msgid)]


def _problems(domain):
    catalogue = _catalogue(domain)
    translated = _translated_by_package(domain)
    problems = []
    for package, entry in _english_entries(domain):
        # Strip placeholders and markup before looking for words, so %(url)s or <a href> never count as Dutch.
        for english, dutch in zip(
            [entry.msgid, entry.msgid_plural or entry.msgid], _dutch(catalogue, entry), strict=False
        ):
            if dutch == english and (entry.msgctxt, entry.msgid) not in translated:
                problems.append(f"{package}: untranslated {english!r}")
            elif FORMAL.search(re.sub(r"%\(\w+\)s|<[^>]+>|a\.u\.b\.", "", dutch)):
                problems.append(f"{package}: 'u' in {dutch!r}")
            elif LOGIN_WORDS.search(dutch):
                problems.append(f"{package}: login word in {dutch!r}")
    return problems


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_third_party_string_reads_as_the_portals_dutch(domain):
    problems = _problems(domain)
    assert not problems, f"{len(problems)} to add to locale_overrides/nl/LC_MESSAGES/{domain}.po: " + "\n".join(
        problems
    )


def test_the_override_catalogue_holds_only_msgids_those_packages_have():
    # An entry for a msgid no package has any more is dead weight that hides nothing.
    known = {(entry.msgctxt, entry.msgid) for domain in ("django", "djangojs") for _, entry in _english_entries(domain)}
    root = OVERRIDES / "nl" / "LC_MESSAGES"
    stale = [
        e.msgid
        for name in ("django.po", "djangojs.po")
        for e in polib.pofile(str(root / name))
        if (e.msgctxt, e.msgid) not in known
    ]
    assert not stale, stale
