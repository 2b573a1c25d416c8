"""A member registers for an event with the keyboard alone, finds it, cancels; the waiting list moves up."""

import re

import pytest
from django.core import mail

from events.models import Registration
from events.tests.factories import EventFactory, IntakeQuestionFactory, RegistrationFactory


@pytest.fixture
def workshop(make_user):
    event = EventFactory(
        title="Vroegsignalering in de kraamweek", slug="vroegsignalering", capacity=2, venue="Wijkcentrum De Brug"
    )
    RegistrationFactory(event=event)  # one of the two seats is already taken
    IntakeQuestionFactory(
        event=event,
        label="Which topic would you like to discuss?",
        kind="one_choice",
        choices=["Poverty and debts", "Early signals"],
        required=True,
        position=0,
    )
    IntakeQuestionFactory(event=event, label="What would you like to learn?", position=1)
    make_user("member@example.org", role="Member", first_name="Mila")
    make_user("wim@jgz.example", role="Member", first_name="Wim")
    return event


def keyboard_log_in(portal, page, email):
    page.goto("/accounts/login/")
    portal.tab_to(page, portal.field(page, "Email"))
    page.keyboard.type(email)
    portal.tab_to(page, portal.field(page, "Password"))
    page.keyboard.type("correct-horse-battery")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == portal.url + "/"


def test_member_registers_finds_and_cancels_with_the_keyboard_and_the_waiting_list_moves_up(portal, workshop):
    page = portal.visitor()
    keyboard_log_in(portal, page, "member@example.org")

    # Home → Events → the workshop, by Tab and Enter only.
    portal.tab_to(page, page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Events"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/")
    portal.check(page, "events")
    portal.tab_to(page, page.get_by_role("link", name="Vroegsignalering in de kraamweek"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/vroegsignalering/")
    portal.check(page, "event")
    assert "1 seat left" in page.get_by_role("main").inner_text()

    portal.tab_to(page, page.get_by_role("link", name="Register", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/vroegsignalering/register/")
    portal.check(page, "event-register")
    # Tab reaches a group of options at its first; the arrow keys choose within it.
    portal.tab_to(page, page.get_by_role("radio", name="Poverty and debts"))
    page.keyboard.press("ArrowDown")
    assert page.get_by_role("radio", name="Early signals").is_checked()
    portal.tab_to(page, page.get_by_role("textbox").first)
    page.keyboard.type("Wij hebben een werkgroep vroegsignalering opgezet.")
    consent = page.get_by_role("checkbox")
    portal.tab_to(page, consent)
    page.keyboard.press("Space")
    assert consent.is_checked()
    portal.tab_to(page, page.get_by_role("button", name="Register"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/vroegsignalering/")
    assert "You are registered." in page.get_by_role("main").inner_text()
    portal.check(page, "event-registered")
    assert any("vroegsignalering" in m.subject.lower() for m in portal.mails_to("member@example.org"))
    mine = Registration.objects.get(profile__user__email="member@example.org")
    assert list(mine.answers.values()) == ["Early signals", "Wij hebben een werkgroep vroegsignalering opgezet."]

    # A colleague finds the event full and joins the waiting list (with the mouse).
    wim = portal.visitor()
    portal.log_in(wim, "wim@jgz.example")
    wim.goto("/events/vroegsignalering/")
    wim.get_by_role("link", name="Join the waiting list").click()
    wim.get_by_role("radio", name="Poverty and debts").check()
    wim.get_by_role("textbox").first.fill("Net begonnen.")
    wim.get_by_role("button", name="Join the waiting list").click()
    wim.wait_for_url("**/events/vroegsignalering/")
    assert "number 1 on the waiting list" in wim.get_by_role("main").inner_text()
    portal.check(wim, "event-waiting")

    # The member finds the registration under "My registrations" and cancels it.
    portal.tab_to(page, page.get_by_role("link", name="My registrations").first)
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/mine/")
    row = page.get_by_role("row", name=re.compile("Vroegsignalering in de kraamweek"))
    assert "Confirmed" in row.inner_text()
    portal.check(page, "my-registrations")
    mail.outbox.clear()
    portal.tab_to(page, row.get_by_role("button", name=re.compile("^Cancel")))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.get_by_role("main").inner_text()
    assert "is cancelled" in main
    assert "You are not registered for any upcoming event." in main
    portal.check(page, "my-registrations-empty")

    # The first on the waiting list has the seat, and a mail that says so.
    # (Mails are written in the portal's language, Dutch, whatever the browser asks for.)
    promoted = portal.mails_to("wim@jgz.example")
    assert len(promoted) == 1, [m.subject for m in mail.outbox]
    assert "Vroegsignalering in de kraamweek" in promoted[0].subject
    assert promoted[0].alternatives
    assert any(attachment.filename.endswith(".ics") for attachment in promoted[0].attachments)
    wim.reload()
    assert "You are registered." in wim.get_by_role("main").inner_text()
