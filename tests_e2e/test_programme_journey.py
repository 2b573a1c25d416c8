"""A coordinator builds the programme of a regional online meeting with two breakout sessions in the admin (an item
outside the event's time is refused at its field first), moves and places the participants in sessions, a member
registers and is refused a full session at the field, and the coordinator sends the programme and participant
overview through the check step: every participant's mail holds the programme, the consenting participants and
their own session's link (issue 16, points 4, 5 and 11). Axe on each new page in English and Dutch."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event, IntakeQuestion, ProgrammeItem, Registration, Session
from members.models import Organisation

DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}
SLUG = "projectleiders"
ARMOEDE_LINK = "https://meet.example.org/deelsessie-armoede"
KRAAMZORG_LINK = "https://meet.example.org/deelsessie-kraamzorg"


@pytest.fixture
def meeting(make_user):
    day = timezone.localdate() + timedelta(days=10)
    starts_at = timezone.make_aware(datetime.combine(day, time(13, 0)))
    event = Event.objects.create(
        title="Regionale online bijeenkomst projectleiders",
        slug=SLUG,
        kind=Event.Kind.ONLINE_MEETING,
        state=Event.State.PUBLISHED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2, minutes=30),
        meeting_url="https://meet.example.org/projectleiders",
        capacity=20,
    )
    people = [
        ("anna@example.org", "Anna", "GGD regio Utrecht", True),
        ("bram@example.org", "Bram", "Gemeente Houten", True),
        ("cees@example.org", "Cees", "Gemeente Houten", True),
        ("dirk@example.org", "Dirk", "Pharos", False),  # not on the list
    ]
    for email, first_name, organisation_name, consent in people:
        organisation, _created = Organisation.objects.get_or_create(
            name=organisation_name, defaults={"slug": organisation_name.lower().replace(" ", "-")}
        )
        profile = make_user(email, role="Member", first_name=first_name, organisation=organisation).profile
        Registration.objects.create(
            event=event,
            profile=profile,
            name=profile.full_name,
            organisation=organisation,
            organisation_name=organisation.name,
            consent_to_list=consent,
            confirmed_at=timezone.now(),
        )
    IntakeQuestion.objects.create(event=event, label="What would you like to learn?", kind=IntakeQuestion.Kind.TEXT)
    make_user("nieuw@example.org", role="Member", first_name="Nina")
    make_user("coordinator@example.org", role="Coordinator", is_staff=True, first_name="Cora")
    return event


def _row(page, prefix, index, values):
    for name, value in values.items():
        field = page.locator(f"[name={prefix}-{index}-{name}]")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


def _item(page, index, date, start, end, title, **extra):
    values = {"starts_at_0": date, "starts_at_1": start, "ends_at_0": date, "ends_at_1": end, "title": title}
    _row(page, "programme", index, {**values, **extra})


def _save_and_continue(page):
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()


def test_a_coordinator_builds_a_programme_with_breakouts_and_sends_the_overview(portal, meeting):
    page = portal.log_in(portal.visitor(), "coordinator@example.org")
    page.goto(f"/admin/events/event/{meeting.pk}/change/")

    # Two breakout sessions, edited as a list.
    page.get_by_role("button", name=re.compile("^Add another breakout session", re.I)).click()
    _row(page, "sessions", 0, {"title": "Armoede en schulden", "capacity": "1", "meeting_url": ARMOEDE_LINK})
    page.get_by_role("button", name=re.compile("^Add another breakout session", re.I)).click()
    _row(page, "sessions", 1, {"title": "Kraamzorg", "capacity": "10", "meeting_url": KRAAMZORG_LINK})
    _save_and_continue(page)
    assert list(Session.objects.filter(event=meeting).values_list("title", flat=True)) == [
        "Armoede en schulden",
        "Kraamzorg",
    ], portal.admin_messages(page)

    # The programme; the closing item runs past the event's end and is refused at its field.
    date = page.locator("[name=starts_at_0]").input_value()
    for _ in range(4):
        page.get_by_role("button", name=re.compile("^Add another programme item", re.I)).click()
    _item(page, 0, date, "13:00", "13:15", "Welkom", guest_speakers="Marieke de Vries, GGD regio Utrecht")
    _item(page, 1, date, "13:15", "14:30", "Deelsessie armoede", session="Armoede en schulden")
    _item(page, 2, date, "13:15", "14:30", "Deelsessie kraamzorg", session="Kraamzorg")
    _item(page, 3, date, "14:30", "16:00", "Plenaire afsluiting", guest_speakers="Jeroen Bakker, Pharos")
    _save_and_continue(page)
    assert not ProgrammeItem.objects.exists()
    error = page.locator(".inline-related .errorlist").first.inner_text()
    assert "The programme must lie within the event" in error
    assert page.locator("[name=programme-3-guest_speakers]").input_value() == "Jeroen Bakker, Pharos"  # kept
    page.locator("[name=programme-3-ends_at_1]").fill("15:00")
    _save_and_continue(page)
    assert ProgrammeItem.objects.filter(event=meeting).count() == 4, portal.admin_messages(page)

    # The event page shows the programme; the coordinator moves Anna into a session and places the others.
    page.goto(f"/events/{SLUG}/")
    assert "Marieke de Vries, GGD regio Utrecht" in page.get_by_role("main").inner_text()
    portal.check(page, "event-programme")
    with page.expect_navigation():
        page.get_by_role("link", name="Breakout sessions").click()
    portal.check(page, "event-sessions")
    row = page.locator("tr", has_text="Anna")
    row.get_by_role("combobox").select_option(label="Armoede en schulden")
    with page.expect_navigation():
        row.get_by_role("button", name="Move").click()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Place 3 participants")).click()
    assert "3 participants were placed in a session." in page.get_by_role("main").inner_text()
    assert Registration.objects.filter(event=meeting, session__title="Kraamzorg").count() == 3
    assert Registration.objects.get(event=meeting, profile__first_name="Anna").session.title == "Armoede en schulden"

    # A member registers: the full session is refused at its field, the other is theirs with its own link.
    member = portal.log_in(portal.visitor(), "nieuw@example.org")
    member.goto(f"/events/{SLUG}/register/")
    portal.check(member, "event-register-sessions")
    portal.field(member, "What would you like to learn?").fill("We zijn net begonnen.")
    member.get_by_role("radio", name=re.compile(r"^Armoede en schulden")).check()
    member.locator("[name=consent_to_list]").check()
    with member.expect_navigation():
        member.get_by_role("button", name="Register").click()
    assert member.title().startswith("Error:")
    assert "This breakout session is full." in member.locator("#div_id_session").inner_text()
    assert portal.field(member, "What would you like to learn?").input_value() == "We zijn net begonnen."
    member.get_by_role("radio", name=re.compile(r"^Kraamzorg")).check()
    with member.expect_navigation():
        member.get_by_role("button", name="Register").click()
    assert member.url.endswith(f"/events/{SLUG}/")
    portal.check(member, "event-with-own-session")
    assert member.get_by_role("link", name="Join the online meeting of Kraamzorg").get_attribute("href") == (
        KRAAMZORG_LINK
    )
    assert ARMOEDE_LINK not in member.content()
    mail.outbox.clear()

    # The overview, beside the free message, through the check step.
    page.goto(f"/events/{SLUG}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Send the programme and participant overview").click()
    assert page.url.endswith(f"/events/{SLUG}/overview/")
    assert page.get_by_role("link", name="Write a message to participants").count() == 1
    portal.check(page, "event-overview")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the overview").click()
    assert "/mail/check/" in page.url
    portal.check(page, "event-overview-check")
    assert "This mail goes to 5 people." in page.get_by_role("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Send a test to coordinator@example.org").click()
    assert len(mail.outbox) == 1
    with page.expect_navigation():
        page.get_by_role("button", name="Send to 5 people").click()
    assert page.url.endswith(f"/events/{SLUG}/mailings/")

    for address in (
        "anna@example.org",
        "bram@example.org",
        "cees@example.org",
        "dirk@example.org",
        "nieuw@example.org",
    ):
        (received,) = portal.mails_to(address)
        html = received.alternatives[0][0]
        for part in (received.body, html):
            for text in ("Welkom", "Marieke de Vries, GGD regio Utrecht", "Plenaire afsluiting", "Jeroen Bakker"):
                assert text in part, (address, text)
            for name, organisation in (("Anna", "GGD regio Utrecht"), ("Bram", "Gemeente Houten"), ("Nina", "")):
                assert name in part and organisation in part, (address, name)
            assert "Dirk" not in part.split("Jeroen Bakker")[-1] or address == "dirk@example.org"
    anna = portal.mails_to("anna@example.org")[0].body
    assert ARMOEDE_LINK in anna and KRAAMZORG_LINK not in anna
    nina = portal.mails_to("nieuw@example.org")[0].body
    assert KRAAMZORG_LINK in nina and ARMOEDE_LINK not in nina


def test_the_new_pages_pass_axe_in_dutch(portal, meeting):
    armoede = Session.objects.create(event=meeting, title="Armoede en schulden", capacity=1, meeting_url=ARMOEDE_LINK)
    Session.objects.create(event=meeting, title="Kraamzorg", capacity=10, meeting_url=KRAAMZORG_LINK)
    ProgrammeItem.objects.create(
        event=meeting,
        title="Welkom",
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + timedelta(minutes=15),
        guest_speakers="Marieke de Vries, GGD regio Utrecht",
    )
    ProgrammeItem.objects.create(
        event=meeting,
        title="Deelsessie armoede",
        starts_at=meeting.starts_at + timedelta(minutes=15),
        ends_at=meeting.starts_at + timedelta(minutes=75),
        session=armoede,
    )
    Registration.objects.filter(event=meeting, profile__first_name="Anna").update(session=armoede)
    page = portal.log_in(portal.visitor(**DUTCH), "coordinator@example.org")
    portal.tour(
        page,
        [
            ("event-programme", f"/events/{SLUG}/"),
            ("event-sessions", f"/events/{SLUG}/sessions/"),
            ("event-overview", f"/events/{SLUG}/overview/"),
        ],
        suffix="-nl",
    )
    member = portal.log_in(portal.visitor(**DUTCH), "nieuw@example.org")
    portal.tour(member, [("event-register-sessions", f"/events/{SLUG}/register/")], suffix="-nl")
    anna = portal.log_in(portal.visitor(**DUTCH), "anna@example.org")
    portal.tour(
        anna,
        [
            ("event-with-own-session", f"/events/{SLUG}/"),
            ("event-participants-sessions", f"/events/{SLUG}/participants/"),
        ],
        suffix="-nl",
    )
    assert anna.locator(f"a[href='{ARMOEDE_LINK}']").count() == 0  # the tour ended on the list; back to the page
    anna.goto(f"/events/{SLUG}/")
    assert anna.locator(f"a[href='{ARMOEDE_LINK}']").count() == 1
    assert anna.locator(f"a[href='{KRAAMZORG_LINK}']").count() == 0
