"""Axe over every admin form: each add page, one change page per model, and each add page after an empty submit;
the outbox's lists and a mailing with failures.

One page load per form and one logged-in browser context per sweep, axe at desktop width: the add and change
forms in English, every add form after an empty submit in Dutch (there the title must start with "Fout:", the
error summary must hold the focus and each of its links must reach a field). The pages that needed sideways
scrolling on a phone (delete, invitations) are also checked for reflow at 320 px.
"""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from coalition.bounces import suppress
from coalition.mail import Recipient, queue_mailing
from coalition.models import Delivery, Mailing, OptOut
from events.models import Event, Invitation
from events.tests.factories import EventFactory

from .conftest import AXE_TAGS, PASSWORD, REFLOW_JS, REFLOW_WIDTH, format_violations

# Django's own account tables and the outbox's read-only records have no form a coordinator fills in.
NO_FORM = {"mfa.authenticator"}


@pytest.fixture
def admin_world(portal, make_user):
    call_command("seed_demo", stdout=io.StringIO())
    user = make_user("sweep@example.org", role="Coordinator", is_staff=True)
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=True)
    event = Event.objects.order_by("pk").first()
    Invitation.objects.get_or_create(event=event, email="guest@example.org", defaults={"name": "Guest"})
    _mail_records()
    return user


def _mail_records():
    """The outbox's records a coordinator reads: a suppressed address, an unsubscription, and a mailing with a
    delivery that failed and one that was skipped (a draft: nothing is sent)."""
    suppress("bounced@example.org", reason="550 5.1.1 mailbox unavailable")
    OptOut.objects.get_or_create(address="quiet@example.org", topic="announcements")
    mailing = queue_mailing(
        template="",
        recipients=[Recipient("bounced@example.org", name="Bounced"), Recipient("refused@example.org", name="Refused")],
        description="Failures for the sweep",
        draft=True,
    )
    Mailing.objects.filter(pk=mailing.pk).update(subject="News", body_text="News", state=Mailing.State.SENDING)
    Delivery.objects.filter(mailing=mailing, address="refused@example.org").update(
        state=Delivery.State.FAILED, attempts=3, last_error="SMTPRecipientsRefused: 550 unknown user"
    )


def forms_to_check():
    """(name, add URL or None, change URL or None) for every model in the admin."""
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        opts = model._meta
        if opts.label_lower in NO_FORM:
            continue
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        add = reverse(f"{prefix}_add") if model_admin.has_add_permission(_superuser_request()) else None
        first = model._default_manager.order_by("pk").first()
        change = reverse(f"{prefix}_change", args=[first.pk]) if first is not None else None
        yield opts.label_lower, add, change


def _superuser_request():
    class Request:
        user = get_user_model().objects.filter(is_superuser=True).first()
        resolver_match = None

    return Request()


def _axe(page, label):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    return [format_violations(label, page.url, violations)] if violations else []


def _reflow(page, label):
    original = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": original["height"]})
    try:
        overflow = page.evaluate(REFLOW_JS)
    finally:
        page.set_viewport_size(original)
    return [f"{label} ({page.url}) needs sideways scrolling at {REFLOW_WIDTH}px: {overflow}"] if overflow else []


def _empty_submit(page, label, error_word):
    """Save the add form untouched; if the admin refuses it, the summary must say so and hold the focus."""
    problems = []
    with page.expect_navigation():
        page.locator("#content form input[name=_save]").click()
    if page.locator(".admin-error-summary").count():
        if not page.title().startswith(error_word):
            problems.append(f"{label}: the title {page.title()!r} does not start with {error_word!r}")
        focused = page.evaluate("() => document.activeElement.classList.contains('admin-error-summary')")
        if not focused:
            problems.append(f"{label}: the error summary does not have the focus")
        for href in page.locator(".admin-error-summary a").evaluate_all("links => links.map(a => a.hash)"):
            if not page.locator(href).count():
                problems.append(f"{label}: the error link {href} points at no field")
    return problems + _axe(page, label)


def _sweep(page, pages):
    """Open each (label, url, check) in turn; report every problem at the end, each as soon as it is found too."""
    problems = []
    for label, url, check in pages:
        page.goto(url)
        found = check(page, label)
        for problem in found:
            print(problem)  # with -s, a long sweep shows what it found as it goes
        problems += found
    return problems


def test_every_admin_add_and_change_form_passes_axe_in_english(portal, admin_world):
    page = portal.visitor(locale="en-GB")
    page.set_default_navigation_timeout(60_000)  # the biggest change pages (a coalition) on a loaded machine
    portal.log_in(page, admin_world.email, PASSWORD)
    pages = []
    for name, add, change in forms_to_check():
        pages += [(f"{name} change", change, _axe)] if change else []
        pages += [(f"{name} add", add, _axe)] if add else []
    unregistered = EventFactory(title="Nobody registered yet")  # one with registrations is cancelled, not deleted
    invitation = Invitation.objects.order_by("pk").first()
    failures = Mailing.objects.get(description="Failures for the sweep")
    pages += [
        ("mailings", reverse("admin:coalition_mailing_changelist"), _axe_and_reflow),
        ("mailing with failures", reverse("admin:coalition_mailing_change", args=[failures.pk]), _axe_and_reflow),
        ("deliveries", reverse("admin:coalition_delivery_changelist"), _axe),
        ("suppressed addresses", reverse("admin:coalition_suppression_changelist"), _axe_and_reflow),
        ("unsubscriptions", reverse("admin:coalition_optout_changelist"), _axe),
        ("event delete", reverse("admin:events_event_delete", args=[unregistered.pk]), _axe_and_reflow),
        ("invitations", reverse("admin:events_invitation_changelist"), _axe_and_reflow),
        ("invitation change", reverse("admin:events_invitation_change", args=[invitation.pk]), _axe_and_reflow),
    ]
    assert len(pages) > 40
    problems = _sweep(page, pages)
    assert not problems, f"{len(problems)} problem(s):\n\n" + "\n\n".join(problems)
    portal.assert_clean()


def test_every_admin_add_form_after_an_empty_submit_passes_axe_in_dutch(portal, admin_world):
    page = portal.visitor(locale="nl-NL")
    page.set_default_navigation_timeout(60_000)
    portal.log_in(page, admin_world.email, PASSWORD)
    pages = [(f"{name} add, empty submit", add, _submit_empty) for name, add, _change in forms_to_check() if add]
    assert len(pages) > 15
    problems = _sweep(page, pages)
    assert not problems, f"{len(problems)} problem(s):\n\n" + "\n\n".join(problems)
    portal.assert_clean()


def _axe_and_reflow(page, label):
    return _axe(page, label) + _reflow(page, label)


def _submit_empty(page, label):
    return _empty_submit(page, label, "Fout:")


def test_the_admin_password_forms_leave_checking_to_the_server(portal, make_user):
    user = make_user("password@example.org", role="Coordinator", is_staff=True)
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=True)
    page = portal.visitor(locale="nl-NL")
    portal.log_in(page, user.email, PASSWORD)
    for url in (reverse("admin:password_change"), reverse("admin:auth_user_password_change", args=[user.pk])):
        page.goto(url)
        assert page.evaluate("() => document.querySelector('#content form').noValidate"), url
        with page.expect_navigation():
            page.locator("#content form [type=submit]").first.click()
        assert page.title().startswith("Fout:"), f"{url}: the server answered the empty form, not the browser"
    portal.assert_clean()
