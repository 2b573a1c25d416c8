"""The network of coalitions in the browser: a visitor's organisation asks to join and a trekker accepts it; a
coalition coordinator moves their coalition to the next phase and cannot open another coalition's admin page;
a regional coordinator reads the overview. Every page passes axe."""

import re
from datetime import date

import pytest

from members.models import Discipline, Municipality, Organisation
from network.models import (
    Circle,
    Coalition,
    CoalitionCoordinator,
    Declaration,
    Partnership,
    PhaseChange,
    Signature,
    Trekker,
)


@pytest.fixture
def borsele(transactional_db, make_user):
    """A coalition in the phase 'carrying out', with a partner, a signed declaration and a trekker."""
    coalition = Coalition.objects.create(
        name="Kansrijke Start Borsele",
        slug="borsele",
        description="Een binnenkring van actieve partners en een buitenkring die op de hoogte blijft.",
        vision="Elk kind in Borsele een **kansrijke start**.",
        phase="carrying_out",
        phase_since=date(2022, 1, 20),
    )
    coalition.municipalities.add(Municipality.objects.create(name="Borsele", slug="borsele"))
    for phase, on in (("exploring", date(2020, 9, 1)), ("carrying_out", date(2022, 1, 20))):
        PhaseChange.objects.create(coalition=coalition, phase=phase, changed_on=on)
    midwives = Organisation.objects.create(
        name="Verloskundigen Bevelanden", slug="verloskundigen-bevelanden", discipline=Discipline.MIDWIFERY
    )
    partnership = Partnership.objects.create(
        coalition=coalition, organisation=midwives, circle=Circle.INNER, since=date(2021, 2, 4)
    )
    declaration = Declaration.objects.create(
        coalition=coalition, title="Intentieverklaring", version=1, text="Samen.", dated_on=date(2022, 1, 20)
    )
    Signature.objects.create(
        declaration=declaration,
        partnership=partnership,
        signed_by_name="drs. J. Visser",
        signed_by_function="directeur",
        signed_on=date(2022, 1, 20),
    )
    trekker = make_user("ilse@example.org", role="Member", first_name="Ilse", organisation=midwives)
    Trekker.objects.create(
        coalition=coalition, profile=trekker.profile, role=Trekker.Role.CONTENT, starts_on=date(2021, 2, 4)
    )
    return coalition


def test_a_visitors_organisation_asks_to_join_and_a_trekker_accepts_it(portal, borsele):
    visitor = portal.visitor()
    visitor.goto("/")
    visitor.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Coalitions").click()
    visitor.wait_for_url("**/coalitions/")
    portal.check(visitor, "coalition-list")
    visitor.get_by_role("link", name="Kansrijke Start Borsele").click()
    visitor.wait_for_url("**/coalitions/borsele/")
    main = visitor.get_by_role("main").inner_text()
    assert "Ilse" in main and "ilse@example.org" not in main
    portal.check(visitor, "coalition-page")

    visitor.get_by_role("link", name="Ask to join").click()
    visitor.wait_for_url("**/coalitions/borsele/join/")
    portal.check(visitor, "coalition-join")
    portal.field(visitor, "Your name").fill("Fatima El Amrani")
    portal.field(visitor, "Your e-mail address").fill("fatima@zandloper.example")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Send").click()
    # No organisation: the summary has the focus, links to the field, and what was typed stays.
    summary = visitor.locator(".error-summary")
    assert summary.evaluate("element => element === document.activeElement")
    assert visitor.title().startswith("Error:")
    summary.get_by_role("link", name=re.compile("Your organisation")).click()
    assert visitor.evaluate("document.activeElement.id") == "id_organisation"
    assert portal.field(visitor, "Your name").input_value() == "Fatima El Amrani"
    portal.check(visitor, "coalition-join-errors")
    portal.field(visitor, "Name of your organisation").fill("Peuterspeelzaal De Zandloper")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Send").click()
    assert visitor.url.split("#")[0].endswith("/coalitions/borsele/")  # the fragment survives the redirect
    assert "have your request" in visitor.get_by_role("main").inner_text()

    (request_mail,) = portal.mails_to("ilse@example.org")
    link = portal.link_in(request_mail, r"/coalitions/borsele/requests/\d+/")
    trekker = portal.visitor()
    portal.log_in(trekker, "ilse@example.org", next_url=link.removeprefix(portal.url))
    assert trekker.url == link
    portal.check(trekker, "join-request")
    assert trekker.get_by_role("radio", name="Outer circle").is_checked()
    trekker.get_by_label("Kind of organisation (to add it)").select_option(label="Childcare")
    with trekker.expect_navigation():
        trekker.get_by_role("button", name="Accept as partner").click()
    assert "Peuterspeelzaal De Zandloper is now a partner" in trekker.get_by_role("main").inner_text()
    portal.check(trekker, "join-requests")

    partnership = Partnership.objects.get(coalition=borsele, organisation__name="Peuterspeelzaal De Zandloper")
    assert partnership.circle == "outer"
    (welcome,) = portal.mails_to("fatima@zandloper.example")
    # The mail goes out in the portal's language (Dutch), whatever language the visitor browsed in.
    assert welcome.subject == "Welkom bij Kansrijke Start Borsele"
    visitor.reload()
    assert "Peuterspeelzaal De Zandloper" in visitor.get_by_role("main").inner_text()


def test_a_coalition_coordinator_moves_their_coalition_on_and_cannot_open_another_coalitions_admin_page(
    portal, borsele, make_user
):
    other = Coalition.objects.create(name="Kansrijk Walcheren", slug="walcheren")
    coordinator = make_user("sanne@example.org", role="Member", is_staff=True, first_name="Sanne")
    CoalitionCoordinator.objects.create(coalition=borsele, user=coordinator)

    page = portal.visitor()
    portal.log_in(page, "sanne@example.org")
    page.goto("/coalitions/borsele/")
    page.get_by_role("link", name="Change the phase").click()
    page.wait_for_url("**/coalitions/borsele/phase/")
    assert page.get_by_role("radio", name="Embedding").is_checked()  # the next phase is offered
    portal.field(page, "Note").fill("De aanpak zit in het beleid en de contracten.")
    portal.check(page, "change-phase")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.url.endswith("/coalitions/borsele/")
    assert "is now in the phase Embedding" in page.get_by_role("main").inner_text()
    assert page.locator("[aria-current=step]").inner_text() == "Embedding"
    borsele.refresh_from_db()
    assert borsele.phase == "embedding"

    page.get_by_role("link", name="Edit the coalition").click()
    page.wait_for_url(f"**/admin/network/coalition/{borsele.pk}/change/")
    portal.check(page, "admin-coalition")
    page.get_by_role("link", name="Record signatures").click()
    page.wait_for_url("**/admin/network/declaration/*/change/")
    assert page.locator("#id_signatures-0-signed_by_name").input_value() == "drs. J. Visser"
    portal.check(page, "admin-declaration")
    page.goto("/admin/network/coalition/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "Kansrijke Start Borsele" in rows.inner_text()
    portal.check(page, "admin-coalitions")
    portal.goto_refused(page, f"/admin/network/coalition/{other.pk}/change/", 403)
    assert "Only this coalition" in page.get_by_role("main").inner_text()
    portal.check(page, "admin-coalition-refused")


def test_a_regional_coordinator_reads_the_overview_and_sorts_it(portal, borsele, make_user):
    Coalition.objects.create(name="Kansrijk Walcheren", slug="walcheren")
    make_user("coordinator@example.org", role="Coordinator", is_staff=True, first_name="Cor")
    page = portal.visitor()
    portal.log_in(page, "coordinator@example.org")
    page.goto("/coalitions/")
    page.get_by_role("link", name="Regional overview").click()
    page.wait_for_url("**/coalitions/overview/")
    assert "1 coalition without a current trekker" in page.get_by_role("main").inner_text()
    portal.check(page, "regional-overview")
    with page.expect_navigation():
        page.get_by_role("link", name="Phase").click()
    first = page.locator("tbody tr").first.inner_text()
    assert "Kansrijk Walcheren" in first  # exploring comes first
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Phase")
