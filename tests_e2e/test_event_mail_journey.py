"""A coordinator tells an event's participants of a room change and then cancels the event, each time through the
check step: the count, the mail as it goes out, a test to themselves, then confirm."""

import pytest
from django.core import mail

from events.models import Event
from events.tests.factories import EventFactory, RegistrationFactory


@pytest.fixture
def morning(make_user):
    event = EventFactory(title="Inloopochtend kraamzorg", slug="inloopochtend", capacity=10)
    for email in ("mila@example.org", "wim@jgz.example"):
        RegistrationFactory(event=event, profile=make_user(email, role="Member").profile)
    make_user("coordinator@example.org", role="Coordinator", is_staff=True, first_name="Cora")
    return event


def test_a_coordinator_checks_a_message_and_a_cancellation_before_they_go_out(portal, morning):
    page = portal.visitor()
    portal.log_in(page, "coordinator@example.org")
    page.goto("/events/inloopochtend/")
    with page.expect_navigation():
        page.get_by_role("link", name="Message to participants").click()
    assert page.url.endswith("/events/inloopochtend/message/")
    portal.check(page, "event-message")
    page.get_by_label("Both").check()
    portal.field(page, "Subject").fill("Andere zaal")
    portal.field(page, "Message").fill("We zitten in zaal 3, op de eerste verdieping.")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the message").click()
    assert "/mail/check/" in page.url
    portal.check(page, "event-message-check")
    main = page.get_by_role("main").inner_text()
    assert "This mail goes to 2 people." in main
    assert "zaal 3" in page.locator("[data-preview-text]").text_content()
    assert mail.outbox == []

    with page.expect_navigation():
        page.get_by_role("button", name="Send a test to coordinator@example.org").click()
    assert len(portal.mails_to("coordinator@example.org")) == 1 and len(mail.outbox) == 1
    with page.expect_navigation():
        page.get_by_role("button", name="Send to 2 people").click()
    assert page.url.endswith("/events/inloopochtend/mailings/")
    assert len(portal.mails_to("mila@example.org")) == len(portal.mails_to("wim@jgz.example")) == 1
    assert "Andere zaal" in portal.mails_to("mila@example.org")[0].subject

    page.goto("/events/inloopochtend/cancel/")
    portal.check(page, "event-cancel-with-people")
    portal.field(page, "Message to the participants").fill("De spreker is ziek.")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the cancellation").click()
    assert "/mail/check/" in page.url
    assert not Event.objects.get(pk=morning.pk).is_cancelled  # nothing happens before the confirm
    with page.expect_navigation():
        page.get_by_role("button", name="Send to 2 people").click()
    assert page.url.endswith("/events/inloopochtend/")
    assert Event.objects.get(pk=morning.pk).is_cancelled
    cancelled = portal.mails_to("wim@jgz.example")[-1]
    assert "De spreker is ziek." in cancelled.body
    assert any(name.endswith(".ics") for name, _content, _type in cancelled.attachments)
