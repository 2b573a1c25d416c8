"""An offering kept current (issue 19, points 4, 5 and 8): an organisation's contact gets the six-monthly mail, confirms
the offering on her phone from the mailed link with one button, and a parent's professional finds it with the route's
search box and its print view. At 375 px, in Dutch, with axe on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members import services
from members.models import LifePhase, Offering, Organisation

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}, "viewport": PHONE}


@pytest.fixture
def schelde(transactional_db, make_user):
    organisation = Organisation.objects.create(
        name="Kraamzorg De Schelde", slug="kraamzorg-de-schelde", phone="0113-123456", email="info@schelde.nl"
    )
    ilse = make_user(
        "ilse@example.org", role="Member", first_name="Ilse", last_name="Verhage", organisation=organisation
    )
    organisation.contacts.add(ilse.profile)
    offering = Offering.objects.create(
        organisation=organisation,
        title="Kraamzorg thuis",
        description="Een kraamverzorgende helpt thuis in de eerste week na de bevalling.",
        life_phases=[LifePhase.PREGNANCY, LifePhase.BIRTH],
        phone="0113-123456",
        email="info@schelde.nl",
        contact_person=ilse.profile,
        confirmed_at=timezone.now() - timedelta(days=290),
    )
    services.reindex_offerings(Offering.objects.filter(pk=offering.pk))
    return offering


def test_a_contact_confirms_an_offering_from_the_mail_and_the_route_finds_it(portal, schelde):
    assert schelde.is_possibly_outdated
    assert services.request_offering_confirmations() == 1
    (message,) = portal.mails_to("ilse@example.org")
    assert "Kraamzorg thuis" in message.body
    link = portal.link_in(message, r"/offerings/confirm/")

    # On her phone, without logging in: the link shows the offering and one button; opening it changes nothing.
    page = portal.visitor(**DUTCH)
    page.goto(link)
    portal.check(page, "offering-confirm-nl")
    assert "Kraamzorg thuis" in page.get_by_role("main").inner_text()
    schelde.refresh_from_db()
    assert schelde.is_possibly_outdated
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    portal.check(page, "offering-confirmed-nl")
    schelde.refresh_from_db()
    assert not schelde.is_possibly_outdated

    # A professional searches the route for it, and opens the view to print or send to parents.
    page.goto("/offerings/")
    page.locator("input[name=q]").fill("kraam")
    with page.expect_navigation():
        page.locator("input[name=q]").press("Enter")
    portal.check(page, "offering-route-search-nl")
    main = page.get_by_role("main").inner_text()
    assert "Kraamzorg thuis" in main
    assert page.locator("a[href='tel:0113123456']").count() == 2  # listed under pregnancy and birth
    assert "Ilse Verhage" not in main  # a visitor sees no contact person
    with page.expect_navigation():
        page.locator("a[href^='/offerings/print/']").click()
    portal.check(page, "offering-print-nl")
    assert "Kraamzorg thuis" in page.get_by_role("main").inner_text()
