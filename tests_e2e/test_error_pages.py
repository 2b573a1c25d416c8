"""Error pages and refusals look like the portal, say what happened, and pass axe."""

from django.template.loader import render_to_string
from django.utils import translation

from events.tests.factories import EventFactory


def test_page_not_found_is_a_portal_page(portal):
    page = portal.visitor()
    portal.goto_refused(page, "/journal/no-such-edition/", 404)
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert page.get_by_role("link", name="Kansrijke Start Coalitie").count()  # the portal's own header
    portal.check(page, "not-found")


def test_refused_page_is_a_portal_page(portal, make_user):
    event = EventFactory(title="Werkbezoek", slug="werkbezoek")
    make_user("member@example.org", role="Member")
    page = portal.visitor()
    portal.log_in(page, "member@example.org")
    # Only coordinators may send invitations.
    portal.goto_refused(page, f"{event.get_absolute_url()}invite/", 403)
    assert page.get_by_role("heading", level=1).inner_text() == "No access"
    assert page.get_by_role("link", name="Kansrijke Start Coalitie").count()
    portal.check(page, "forbidden")


def test_server_error_page_renders_without_a_request():
    with translation.override("en"):
        html = render_to_string("500.html")
    assert "<h1>Something went wrong</h1>" in html and 'lang="' in html
