"""The Dutch catalogue is whole: every msgid translated, nothing fuzzy, placeholders kept, pages render in Dutch.

The portal speaks Dutch by default, so an untranslated msgid shows English in the middle of a Dutch page and a fuzzy
one shows nothing of its guess (gettext skips fuzzy entries): both are found here rather than by a reader. The .mo
is not in git: `make install` compiles it (the `translations` target), so only the .po is checked in.
"""

import re
import shutil
import subprocess

import polib
import pytest

from .test_settings import BASE_DIR

PO = BASE_DIR / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# %(name)s, %d, %s … (not %%), and {name} / {0} for brace-format strings.
PERCENT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")
BRACES = re.compile(r"\{\w*\}")


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO))


def _name(entry):
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


def _forms(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def _placeholders(text, flags):
    found = set()
    if "python-format" in flags:
        found |= set(PERCENT.findall(text.replace("%%", "")))
    if "python-brace-format" in flags:
        found |= set(BRACES.findall(text))
    return found


def test_every_dutch_entry_is_translated_in_every_plural_form(catalogue):
    missing = [_name(e) for e in catalogue if not e.obsolete and not all(_forms(e))]
    assert not missing, f"{len(missing)} untranslated (run `make messages`, then translate): {missing}"


def test_no_dutch_entry_is_fuzzy(catalogue):
    # The header is fuzzy by makemessages' own making and is not an entry here (polib keeps it as metadata).
    fuzzy = [_name(e) for e in catalogue.fuzzy_entries()]
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check the guess against the msgid, then remove the flag): {fuzzy}"


def test_dutch_translations_keep_the_placeholders_of_their_msgid(catalogue):
    wrong = []
    for entry in catalogue.translated_entries():
        # Dutch has the same two plural forms as English: msgstr[0] goes with msgid, msgstr[1] with msgid_plural.
        for index, form in enumerate(_forms(entry)):
            source = entry.msgid_plural if index else entry.msgid
            if _placeholders(form, entry.flags) != _placeholders(source, entry.flags):
                wrong.append(f"{_name(entry)} → {form!r}")
    assert not wrong, wrong


def test_the_compiled_catalogue_is_built_by_make_install_not_kept_in_git():
    if shutil.which("make") is None or shutil.which("git") is None or not (BASE_DIR / ".git").exists():
        pytest.skip("make, git or the repository is missing")
    clean = {"PATH": "/usr/bin:/bin:/usr/local/bin"}
    planned = subprocess.run(
        ["make", "-n", "install"], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )
    assert planned.returncode == 0, planned.stderr
    assert "manage.py compilemessages" in planned.stdout
    # check-ignore answers 0 only for a path that is ignored and not tracked.
    ignored = subprocess.run(["git", "check-ignore", "-q", str(MO.relative_to(BASE_DIR))], cwd=BASE_DIR, timeout=60)
    assert ignored.returncode == 0, f"{MO.relative_to(BASE_DIR)} is tracked or not ignored by .gitignore"


@pytest.fixture
def dutch_from_the_po(settings, tmp_path, catalogue):
    """The pages translated by this .po itself, compiled here, whatever .mo the working tree holds."""
    messages = tmp_path / "locale" / "nl" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    catalogue.save_as_mofile(str(messages / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]  # the setting_changed signal empties Django's translation cache


@pytest.mark.parametrize(
    ("url", "texts"),
    [
        ("/coalitions/", ["<h1>Coalities</h1>", "Er zijn nog geen coalities toegevoegd."]),
        ("/events/", ["Bijeenkomsten", "Er zijn nog geen bijeenkomsten gepland."]),
    ],
)
def test_public_pages_render_in_dutch(client, db, dutch_from_the_po, url, texts):
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="nl"' in page
    for text in texts:
        assert text in page
