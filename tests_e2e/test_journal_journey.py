"""The journal: a coordinator builds and mails an edition in the admin; a subscriber reads and leaves; tips."""

import re

import pytest
from django.core import mail
from PIL import Image

import journal.forms
from journal.models import Edition, Subscriber, Tip


@pytest.fixture(autouse=True)
def _forms_may_be_sent_at_machine_speed(monkeypatch):
    # The spam guard refuses forms sent within seconds of opening them; a test types faster than a person.
    monkeypatch.setattr(journal.forms, "MIN_FILL_SECONDS", 0)


@pytest.fixture
def cover_png(tmp_path):
    path = tmp_path / "cover.png"
    Image.new("RGB", (1200, 675), (11, 93, 122)).save(path)
    return path


def run_admin_action(portal, page, changelist, titles, action):
    """Tick the rows holding `titles` on an admin changelist and run the named action."""
    page.goto(changelist)
    for title in titles:
        page.locator("#result_list tbody tr", has_text=title).get_by_role("checkbox").check()
    page.get_by_role("combobox", name=re.compile(r"^Action")).select_option(label=action)
    with page.expect_navigation():
        page.get_by_role("button", name="Run").click()
    return portal.admin_messages(page)


def add_story(portal, page, *, edition, title, lead, body):
    page.goto("/admin/journal/story/add/")
    portal.field(page, "Edition").select_option(label=edition)
    portal.field(page, "Title").press_sequentially(title)  # typed, so the admin fills in the slug
    portal.field(page, "Lead").fill(lead)
    portal.field(page, "Text").fill(body)
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was added successfully" in portal.admin_messages(page), page.url


def subscribe(portal, page, email):
    page.goto("/journal/")
    page.get_by_role("main").get_by_role("link", name=re.compile("Subscribe")).first.click()
    page.wait_for_url("**/journal/subscribe/")
    portal.check(page, "journal-subscribe")
    portal.field(page, "E-mail address").fill(email)
    portal.field(page, "Name").fill("Sanne de Vries")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Subscribe")).click()
    assert page.url.endswith("/journal/subscribe/check-your-mail/")
    portal.check(page, "journal-subscribe-done")
    (confirmation,) = portal.mails_to(email)
    page.goto(portal.link_in(confirmation, r"/journal/confirm/"))
    portal.check(page, "journal-confirm")
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button").click()
    portal.check(page, "journal-confirmed")


def test_coordinator_builds_publishes_and_mails_an_edition_and_a_subscriber_unsubscribes(portal, make_user, cover_png):
    make_user("coordinator@example.org", role="Coordinator", is_staff=True, first_name="Cor")
    reader = portal.visitor()
    subscribe(portal, reader, "sanne@gemeente.example")
    mail.outbox.clear()

    admin = portal.visitor()
    portal.log_in(admin, "coordinator@example.org")
    admin.goto("/admin/journal/edition/add/")
    portal.check(admin, "admin-edition-add")
    portal.field(admin, "Number").fill("7")
    portal.field(admin, "Title").press_sequentially("Samen sterk in de kraamweek")
    assert portal.field(admin, "Slug").input_value() == "samen-sterk-in-de-kraamweek"  # the admin's own JS ran
    portal.field(admin, "Introduction").fill("In deze editie: hoe kraamzorg en JGZ elkaar vinden.")
    portal.field(admin, "Cover image").set_input_files(cover_png)
    cover_alt = "Een kraamverzorgster en een jeugdverpleegkundige in gesprek"
    portal.field(admin, "Description of the cover image").fill(cover_alt)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Save", exact=True).click()
    assert "was added successfully" in portal.admin_messages(admin)

    edition_label = "7. Samen sterk in de kraamweek"
    add_story(
        portal,
        admin,
        edition=edition_label,
        title="De warme overdracht",
        lead="Hoe de kraamverzorgster de JGZ belt voordat ze vertrekt.",
        body="Een **warme** overdracht begint...",
    )
    add_story(
        portal,
        admin,
        edition=edition_label,
        title="Geldzorgen vroeg zien",
        lead="Schuldhulp schuift aan bij het consultatiebureau.",
        body="Elke dinsdag zit er iemand van schuldhulp.",
    )
    stories = ["De warme overdracht", "Geldzorgen vroeg zien"]
    assert "2 submitted for review." in run_admin_action(
        portal, admin, "/admin/journal/story/", stories, "Submit for review"
    )
    assert "2 approved." in run_admin_action(portal, admin, "/admin/journal/story/", stories, "Approve")
    portal.check(admin, "admin-stories")
    editions = ["Samen sterk in de kraamweek"]
    run_admin_action(portal, admin, "/admin/journal/edition/", editions, "Submit for review")
    run_admin_action(portal, admin, "/admin/journal/edition/", editions, "Approve")
    # Publish and mail opens the check step: how many, the mail as it goes out, a test to yourself, then confirm.
    run_admin_action(portal, admin, "/admin/journal/edition/", editions, "Publish and mail")
    assert "/mail/check/" in admin.url
    assert admin.locator("[data-recipient-count]").get_attribute("data-recipient-count") == "1"
    assert "Samen sterk in de kraamweek" in admin.locator("[data-preview-subject]").inner_text()
    portal.check(admin, "mail-check-edition")
    assert portal.mails_to("sanne@gemeente.example") == []  # nothing before the confirm
    with admin.expect_navigation():
        admin.get_by_role("button", name=re.compile("Send a test to")).click()
    (test_mail,) = portal.mails_to("coordinator@example.org")
    assert "Samen sterk in de kraamweek" in test_mail.subject
    with admin.expect_navigation():
        admin.get_by_role("button", name="Send to 1 person").click()
    assert admin.url.endswith(f"/admin/journal/edition/{Edition.objects.get(number=7).pk}/change/")
    assert "its mail is on its way to 1 person" in portal.admin_messages(admin)
    admin.goto("/admin/journal/edition/")
    portal.check(admin, "admin-editions")

    # The subscriber receives the edition, with both stories, in text and HTML, with unsubscribe headers.
    (edition_mail,) = portal.mails_to("sanne@gemeente.example")
    assert "Samen sterk in de kraamweek" in edition_mail.subject
    html = next(content for content, mimetype in edition_mail.alternatives if mimetype == "text/html")
    for story in stories:
        assert story in edition_mail.body and story in html
    unsubscribe_url = portal.link_in(edition_mail, r"/journal/unsubscribe/")
    assert edition_mail.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert edition_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Reading: the story link in the mail leads to the story on the site.
    reader.goto(portal.link_in(edition_mail, r"/journal/samen-sterk-in-de-kraamweek/de-warme-overdracht/"))
    assert reader.get_by_role("heading", level=1).inner_text() == "De warme overdracht"
    assert reader.locator("main strong", has_text="warme").count() == 1  # Markdown rendered
    portal.check(reader, "story")
    reader.get_by_role("main").get_by_role("link", name=re.compile("Samen sterk in de kraamweek")).first.click()
    reader.wait_for_url("**/journal/samen-sterk-in-de-kraamweek/")
    portal.check(reader, "edition")
    reader.goto("/journal/")
    assert reader.get_by_role("main").get_by_role("link", name=re.compile("Samen sterk in de kraamweek")).count()
    portal.check(reader, "journal")

    # One click on the link, one on the button: no login, no questions.
    reader.goto(unsubscribe_url)
    portal.check(reader, "journal-unsubscribe")
    with reader.expect_navigation():
        reader.get_by_role("main").get_by_role("button", name="Unsubscribe").click()
    portal.check(reader, "journal-unsubscribed")
    assert not Subscriber.objects.get(email="sanne@gemeente.example").wants_journal


def test_visitor_sends_a_tip_and_an_editor_assigns_it(portal, make_user):
    make_user("editor@example.org", role="Editorial team", first_name="Eva")
    visitor = portal.visitor()
    visitor.goto("/journal/")
    visitor.get_by_role("main").get_by_role("link", name=re.compile("tip", re.IGNORECASE)).first.click()
    visitor.wait_for_url("**/journal/tips/new/")
    portal.check(visitor, "tip-form")
    portal.field(visitor, "What is the tip?").fill("Het consultatiebureau in Kampen werkt samen met de voedselbank.")
    portal.field(visitor, "Who is involved?").fill("Consultatiebureau Kampen, Voedselbank IJsseldelta")
    portal.field(visitor, "Your name").fill("Joost Visser")
    portal.field(visitor, "Your e-mail address").fill("joost@voedselbank.example")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name=re.compile("Send")).click()
    assert visitor.url.endswith("/journal/tips/thanks/")
    portal.check(visitor, "tip-thanks")

    editor = portal.visitor()
    portal.log_in(editor, "editor@example.org")
    editor.goto("/journal/tips/")
    portal.check(editor, "tip-list")
    editor.get_by_role("link", name=re.compile("consultatiebureau in Kampen")).click()
    editor.wait_for_url(re.compile(r"/journal/tips/\d+/$"))
    portal.check(editor, "tip-detail")
    portal.field(editor, "State").select_option(label="Assigned to an editor")
    editors = portal.field(editor, "Editor")
    editors.select_option(editors.locator("option", has_text="Eva").get_attribute("value"))
    with editor.expect_navigation():
        editor.get_by_role("button", name="Save").click()
    assert "The tip was saved." in editor.get_by_role("main").inner_text()
    row = editor.get_by_role("row", name=re.compile("consultatiebureau in Kampen"))
    assert "Assigned to an editor" in row.inner_text()
    portal.check(editor, "tip-list-assigned")

    tip = Tip.objects.get()
    assert tip.state == Tip.State.ASSIGNED and tip.assigned_to.email == "editor@example.org"
