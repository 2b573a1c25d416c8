"""A coalition coordinator writes an announcement to their outer circle, sees 12 recipients and the preview, sends it
to themselves, confirms, and a recipient unsubscribes with one click (issue 15, point 8). In Dutch, the portal's
language; the check page passes axe in English too."""

from datetime import date

import pytest
from django.core import mail

from coalition.models import OptOut
from members.models import Organisation
from network.models import Circle, Coalition, CoalitionCoordinator, Partnership

DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}
ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}
BODY = "Op **12 maart** praten we over *voorlezen aan baby's*. Iedereen uit de buitenkring is welkom."


def organisation(name, slug):
    return Organisation.objects.create(name=name, slug=slug)


@pytest.fixture
def borsele(transactional_db, make_user):
    """A coalition with one inner and two outer partners: 12 people in the outer circle, 2 in the inner one, and 2
    people of another coalition's outer circle; Sanne coordinates the coalition."""
    coalition = Coalition.objects.create(name="Kansrijke Start Borsele", slug="borsele", phase_since=date(2022, 1, 20))
    midwives = organisation("Verloskundigen Bevelanden", "verloskundigen-bevelanden")
    playgroup = organisation("Peuterspeelzaal De Zandloper", "zandloper")
    library = organisation("Bibliotheek Borsele", "bibliotheek-borsele")
    Partnership.objects.create(coalition=coalition, organisation=midwives, circle=Circle.INNER, since=date(2021, 2, 4))
    for outer in (playgroup, library):
        Partnership.objects.create(coalition=coalition, organisation=outer, circle=Circle.OUTER, since=date(2022, 3, 1))
    walcheren = Coalition.objects.create(name="Kansrijk Walcheren", slug="walcheren")
    jgz = organisation("JGZ Walcheren", "jgz-walcheren")
    Partnership.objects.create(coalition=walcheren, organisation=jgz, circle=Circle.OUTER, since=date(2022, 3, 1))

    outer = [make_user(f"zandloper{n}@example.org", role="Member", organisation=playgroup) for n in range(7)]
    outer += [make_user(f"bieb{n}@example.org", role="Member", organisation=library) for n in range(5)]
    inner = [make_user(f"vk{n}@example.org", role="Member", organisation=midwives) for n in range(2)]
    other = [make_user(f"jgz{n}@example.org", role="Member", organisation=jgz) for n in range(2)]
    coordinator = make_user("sanne@example.org", role="Member", is_staff=True, first_name="Sanne")
    CoalitionCoordinator.objects.create(coalition=coalition, user=coordinator)
    return {
        "outer": [user.email for user in outer],
        "not_reached": [user.email for user in inner + other],
    }


def compose(portal, page, subject, *, check_page=None):
    """From the header's "Mededelingen" to the check page of a new announcement to Borsele's outer circle."""
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("link", name="Mededelingen").click()
    assert page.url.endswith("/announcements/")
    with page.expect_navigation():
        page.get_by_role("link", name="Nieuwe mededeling").click()
    assert page.url.endswith("/announcements/new/")
    portal.field(page, "Onderwerp").fill(subject)
    portal.field(page, "Tekst").fill(BODY)
    portal.field(page, "Tekst op de knop").fill("Meld je aan")
    portal.field(page, "Link van de knop").fill("https://example.org/voorlezen")
    page.get_by_role("checkbox", name="Kansrijke Start Borsele").check()
    portal.field(page, "Kring").select_option(label="Buitenkring")
    if check_page:
        portal.check(page, check_page)
    with page.expect_navigation():
        page.get_by_role("button", name="Controleren en versturen").click()
    assert "/mail/check/" in page.url, page.get_by_role("main").inner_text()
    return page


def test_a_coalition_coordinator_announces_to_the_outer_circle_and_a_recipient_unsubscribes_with_one_click(
    portal, borsele, playwright
):
    page = portal.log_in(portal.visitor(**DUTCH), "sanne@example.org")
    compose(portal, page, "Voorleesavond in de bibliotheek", check_page="announcement-compose-nl")

    # The check page: the count, the subject, the HTML part in its frame and the text version.
    main = page.get_by_role("main")
    assert page.locator("[data-recipient-count]").get_attribute("data-recipient-count") == "12"
    assert "Deze mail gaat naar 12 mensen." in main.inner_text()
    assert page.locator("[data-preview-subject]").inner_text() == "Voorleesavond in de bibliotheek"
    frame = page.frame_locator("iframe.mail-preview")
    assert "voorlezen aan baby" in frame.locator("body").inner_text()
    assert frame.get_by_role("link", name="Meld je aan").count() == 1
    text = page.locator("[data-preview-text]").text_content()
    assert "12 maart" in text and "voorlezen aan baby's" in text
    portal.check(page, "announcement-check-nl")
    assert mail.outbox == []
    check_url = page.url

    # The same check page in English passes axe too (another visitor, the same coordinator).
    english = portal.log_in(portal.visitor(**ENGLISH), "sanne@example.org")
    english.goto(check_url)
    assert "This mail goes to 12 people." in english.get_by_role("main").inner_text()
    portal.check(english, "announcement-check")

    # A test to themselves: one mail, to the coordinator only.
    with page.expect_navigation():
        page.get_by_role("button", name="Een test sturen naar sanne@example.org").click()
    (test,) = mail.outbox
    assert portal.mails_to("sanne@example.org") == [test]
    assert test.subject.startswith("[Test]")

    # Confirm: the announcement's page says it is on its way, and the 12 people of the outer circle get it.
    with page.expect_navigation():
        page.get_by_role("button", name="Versturen naar 12 mensen").click()
    assert "/announcements/" in page.url and "/mail/check/" not in page.url
    assert page.locator(".alert-success").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "Voorleesavond in de bibliotheek"
    portal.check(page, "announcement-sent-nl")
    for address in borsele["outer"]:
        assert len(portal.mails_to(address)) == 1, address
    for address in borsele["not_reached"]:
        assert portal.mails_to(address) == [], address
    assert len(mail.outbox) == 1 + 12
    assert len(portal.mails_to("sanne@example.org")) == 1  # the test only

    # The mail program's one-click (RFC 8058): a POST without cookies or CSRF token.
    recipient = borsele["outer"][0]
    (message,) = portal.mails_to(recipient)
    headers = message.extra_headers
    link = headers["List-Unsubscribe"].strip("<>")
    assert "/mail/unsubscribe/" in link and link.startswith(portal.url)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert portal.link_in(message, "/mail/unsubscribe/") == link  # the same link in the mail's text
    assert "voorlezen aan baby's" in message.body and message.subject == "Voorleesavond in de bibliotheek"
    # The test showed Bieb0's mail, but its unsubscribe link was the tester's own.
    assert portal.link_in(test, "/mail/unsubscribe/") not in {
        portal.link_in(m, "/mail/unsubscribe/") for m in mail.outbox[1:]
    }
    mail_program = playwright.request.new_context()
    try:
        answer = mail_program.post(
            link,
            data="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert answer.status == 200, answer.text()
    finally:
        mail_program.dispose()
    assert OptOut.objects.filter(address=recipient, topic="announcements").exists()

    # The same link in a browser: it asks, the button unsubscribes, the page confirms.
    reader = portal.visitor(**DUTCH)
    reader.goto(link)
    assert reader.get_by_role("button", name="Ja, stop deze mail").count() == 1
    portal.check(reader, "announcement-unsubscribe-nl")
    with reader.expect_navigation():
        reader.get_by_role("button", name="Ja, stop deze mail").click()
    assert f"{recipient} krijgt geen" in reader.get_by_role("status").inner_text()
    portal.check(reader, "announcement-unsubscribed-nl")
    assert OptOut.objects.filter(address=recipient, topic="announcements").count() == 1

    # A second announcement to the same people now reaches 11, and says who is left out and why.
    compose(portal, page, "Nog een voorleesavond")
    assert page.locator("[data-recipient-count]").get_attribute("data-recipient-count") == "11"
    left_out = page.locator("[data-left-out]").inner_text()
    assert "1 persoon: afgemeld voor deze soort mail" in left_out
    assert page.get_by_role("button", name="Versturen naar 11 mensen").count() == 1
    portal.check(page, "announcement-check-unsubscribed-nl")
