"""No mass mail is queued without passing the check step (issue 15): the test that enumerates the kinds.

Every kind of mailing is either checked or on a short exempt list; every checked kind the portal sends has a
registered MassMail; every registered MassMail is complete; and no code queues a checked kind without its check
(a look at the source, so a bypass written tomorrow fails today's suite).
"""

import ast
import re
from importlib import import_module
from pathlib import Path

import pytest
import rules
from django.apps import apps
from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from coalition import checkstep
from coalition.models import CHECKED_KINDS, Mailing

ROOT = Path(settings.BASE_DIR)

# Kinds that do not pass the check step, and why. A new Mailing.Kind must be put in CHECKED_KINDS or here.
EXEMPT_KINDS = {
    # One person's own business (a confirmation, a password, a registration): nobody composes it for many.
    Mailing.Kind.TRANSACTIONAL,
    # Due for one registration at a time, sent by the beat, with nobody there to ask.
    Mailing.Kind.REMINDER,
    # One member's own action or daily digest of a group, sent by a service or the beat for that person alone.
    Mailing.Kind.GROUP_NOTICE,
}

# Checked kinds that no MassMail sends yet (a new checked kind waits here until its MassMail is registered).
NOT_SENT_YET = set()

# The registry as the running portal has it: apps ready (django.setup) and every view module imported. At import,
# because the parametrised test below is collected from it.
import_module(settings.ROOT_URLCONF)


def _kinds_sending(mailing_kind):
    return sorted(key for key, cls in checkstep.KINDS.items() if cls.mailing_kind == mailing_kind)


# --- (a) every kind of mailing is placed ---------------------------------------------------------------------------


def test_every_kind_of_mailing_is_either_checked_or_exempt():
    kinds = set(Mailing.Kind)
    assert not (CHECKED_KINDS & EXEMPT_KINDS), "a kind cannot be both checked and exempt"
    unplaced = kinds - CHECKED_KINDS - EXEMPT_KINDS
    assert unplaced == set(), f"put each new Mailing.Kind in models.CHECKED_KINDS or in EXEMPT_KINDS: {unplaced}"
    assert kinds == (CHECKED_KINDS | EXEMPT_KINDS)


def test_the_exempt_kinds_are_only_the_personal_ones():
    assert {Mailing.Kind.TRANSACTIONAL, Mailing.Kind.REMINDER, Mailing.Kind.GROUP_NOTICE} == EXEMPT_KINDS


# --- (b) every checked kind the portal sends has its MassMail -----------------------------------------------------


def test_every_checked_kind_the_portal_sends_has_a_registered_mass_mail():
    """Red in a tree without the journal, events and announcement kinds; green once they are registered."""
    without = {kind for kind in CHECKED_KINDS if not _kinds_sending(kind)}
    assert without == NOT_SENT_YET, (
        f"checked kinds without a registered MassMail: {sorted(without)} (only {sorted(NOT_SENT_YET)} may lack one)"
    )


@pytest.mark.parametrize(
    "mailing_kind",
    [
        Mailing.Kind.JOURNAL,
        Mailing.Kind.INVITATION,
        Mailing.Kind.MATERIALS,
        Mailing.Kind.ANNOUNCEMENT,
        Mailing.Kind.EVENT_MESSAGE,
        Mailing.Kind.SURVEY,
        Mailing.Kind.GROUP_NOTES,
    ],
)
def test_each_mass_mail_the_issue_names_goes_through_the_check_step(mailing_kind):
    assert _kinds_sending(mailing_kind), f"no MassMail kind in coalition.checkstep.KINDS sends {mailing_kind!r} mail"


# --- (c) every registered MassMail is complete ---------------------------------------------------------------------


def _registered():
    return sorted(checkstep.KINDS.items())


@pytest.mark.parametrize(("key", "cls"), _registered(), ids=[key for key, _cls in _registered()])
def test_a_registered_mass_mail_is_complete(key, cls):
    app_label, _dot, _name = key.partition(".")
    assert re.fullmatch(r"[a-z_]+\.[a-z_]+", key), f"{key!r}: a key is 'app.name'"
    assert cls.key == key
    assert apps.is_installed(app_label) or app_label in {config.label for config in apps.get_app_configs()}, key
    assert str(cls.label).strip(), f"{key}: no label for the check page"
    for part in ("subject.txt", "body.txt", "body.html"):
        try:
            get_template(f"emails/{cls.template}/{part}")
        except TemplateDoesNotExist:
            pytest.fail(f"{key}: templates/emails/{cls.template}/{part} does not exist")
    assert rules.perm_exists(cls.permission), f"{key}: {cls.permission!r} is not a registered rule"
    assert cls.mailing_kind in CHECKED_KINDS, f"{key}: {cls.mailing_kind!r} is not a checked kind"
    assert cls.topic is None or cls.topic in checkstep.TOPICS, f"{key}: topic {cls.topic!r} is not in TOPICS"
    for method in ("audience", "context", "description", "change_url"):
        assert getattr(cls, method) is not getattr(checkstep.MassMail, method), f"{key} does not implement {method}()"
    assert cls.fingerprint is checkstep.MassMail.fingerprint, f"{key} overrides fingerprint(), which compares"


def test_every_key_names_one_kind():
    assert all(cls.key == key for key, cls in checkstep.KINDS.items())
    assert len(set(checkstep.KINDS.values())) == len(checkstep.KINDS)


# --- (d) nothing in the source queues a checked kind without its check ----------------------------------------------

SKIPPED_FOLDERS = {"tests", "bench", "migrations", ".venv", "node_modules", "tests_e2e", "var", "static"}
# The outbox itself makes the Mailing rows queue_mailing is asked for.
# Where a Mailing row of a checked kind may be made: the outbox itself, and the demo, which writes the history of
# announcements sent before (state SENT, deliveries sent: nothing is queued, so there is nothing to check).
MAILING_MAKERS = {Path("coalition/mail.py"), Path("announcements/demo.py")}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_FOLDERS & set(relative.parts[:-1]) or relative.parts[0].startswith("."):
            continue
        yield relative, ast.parse(path.read_text(), filename=str(path))


def _checked_kind(node):
    """The checked Mailing.Kind an expression names (Mailing.Kind.JOURNAL, Kind.JOURNAL, "journal"), or None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute | ast.Name):
        owner = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id
        if owner == "Kind" and node.attr in Mailing.Kind.__members__:
            kind = Mailing.Kind[node.attr]
            return kind if kind in CHECKED_KINDS else None
    if isinstance(node, ast.Constant) and node.value in CHECKED_KINDS:
        return node.value
    return None


def _called(node):
    function = node.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""


def _keyword(node, name):
    return next((keyword.value for keyword in node.keywords if keyword.arg == name), None)


def _calls(name):
    for relative, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) == name:
                yield relative, node


def test_the_source_scan_sees_the_outbox_and_its_callers():
    """The scan below measures something: it finds queue_mailing's callers and reads their kinds."""
    files = {relative for relative, _node in _sources()}
    assert Path("coalition/checkstep.py") in files
    assert Path("coalition/tests/test_checkstep.py") not in files
    assert any(relative == Path("coalition/checkstep.py") for relative, _node in _calls("queue_mailing"))
    assert _checked_kind(ast.parse("Mailing.Kind.JOURNAL", mode="eval").body) == Mailing.Kind.JOURNAL
    assert _checked_kind(ast.parse("'invitation'", mode="eval").body) == Mailing.Kind.INVITATION
    assert _checked_kind(ast.parse("Mailing.Kind.REMINDER", mode="eval").body) is None


def test_every_call_that_queues_a_checked_kind_passes_its_check():
    bypasses = []
    for relative, node in _calls("queue_mailing"):
        kind = _checked_kind(_keyword(node, "kind")) if _keyword(node, "kind") is not None else None
        check = _keyword(node, "check")
        if kind and (check is None or (isinstance(check, ast.Constant) and check.value is None)):
            bypasses.append(f"{relative}:{node.lineno} queues {kind} without check=")
    assert bypasses == [], "queue a checked kind through coalition.checkstep (a MassMail kind):\n" + "\n".join(bypasses)


def test_no_code_makes_a_mailing_of_a_checked_kind_around_the_outbox():
    makers = []
    for name in ("Mailing", "create", "update_or_create", "get_or_create", "update"):
        for relative, node in _calls(name):
            if relative in MAILING_MAKERS:
                continue
            if name != "Mailing" and not _on_mailings(node):
                continue
            kind = _keyword(node, "kind")
            if kind is not None and _checked_kind(kind):
                makers.append(f"{relative}:{node.lineno} makes a {_checked_kind(kind)} mailing itself")
    assert makers == [], "\n".join(makers)


def _on_mailings(node):
    """Whether a call is Mailing.objects.<something>(…) (or a queryset of it written in one chain)."""
    text = ast.unparse(node.func)
    return text.startswith(("Mailing.objects.", "Mailing._default_manager."))
