"""A recipient unsubscribes from announcements with the link in a mail, takes it back, and sets their preferences."""

import pytest

from coalition import checkstep
from coalition.models import OptOut

LANGUAGES = pytest.mark.parametrize(("locale", "suffix"), [("en-GB", ""), ("nl-NL", "-nl")], ids=["en", "nl"])


@LANGUAGES
def test_a_recipient_unsubscribes_with_one_click_undoes_it_and_chooses_their_mail(portal, make_user, locale, suffix):
    make_user("lezer@example.org", first_name="Lies")
    page = portal.visitor(locale=locale)

    page.goto(checkstep.unsubscribe_url("lezer@example.org", "announcements").removeprefix(portal.url))
    portal.check(page, "mail-unsubscribe" + suffix)
    assert not OptOut.objects.exists(), "opening the link must not unsubscribe"

    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "lezer@example.org" in page.get_by_role("status").inner_text()
    assert OptOut.objects.filter(address="lezer@example.org", topic="announcements").exists()
    portal.check(page, "mail-unsubscribed" + suffix)

    with page.expect_navigation():
        page.locator("main form:has(input[name=action][value=resubscribe]) button").click()
    assert "lezer@example.org" in page.get_by_role("status").inner_text()
    assert not OptOut.objects.exists(), "Undo must resubscribe"

    with page.expect_navigation():
        page.locator("main a[href^='/mail/preferences/']").click()
    portal.check(page, "mail-preferences-link" + suffix)
    announcements = page.locator("input[name=announcements]")
    assert announcements.is_checked()
    announcements.uncheck()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".alert-success").count() == 1
    assert not page.locator("input[name=announcements]").is_checked()
    assert OptOut.objects.filter(address="lezer@example.org", topic="announcements").exists()

    portal.log_in(page, "lezer@example.org", next_url="/mail/preferences/")
    assert page.url.endswith("/mail/preferences/")
    assert not page.locator("input[name=announcements]").is_checked()
    assert page.locator("main a[href='/journal/subscription/']").count() == 1
    portal.check(page, "mail-preferences" + suffix)
