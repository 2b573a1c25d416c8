"""The signal route on a phone (issue 19, point 8): at 375 px a member goes from home to the signal she noticed and
sees what to do first and whom to call, with a call link, in two taps; the urgent signal offers 112 and Veilig Thuis.
In Dutch, the portal's language, with axe on every page."""

import pytest

from members.models import Municipality, Organisation
from network.models import Coalition
from signals.models import Signal, SignalCard, SignalContact

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}, "viewport": PHONE, "is_mobile": True}


@pytest.fixture
def goes(transactional_db, make_user):
    """Goes with a card for money worries naming Kees of the debt counselling, and Mila, a nurse working in Goes."""
    municipality = Municipality.objects.create(name="Goes", slug="goes")
    coalition = Coalition.objects.create(name="Kansrijk Bevelanden", slug="bevelanden")
    coalition.municipalities.add(municipality)
    debts = Organisation.objects.create(name="Schuldhulp Zeeland Samen", slug="schuldhulp", phone="0113-111222")
    debts.municipalities.add(municipality)
    kees = make_user("kees@example.org", role="Member", first_name="Kees", last_name="Dekker", organisation=debts,
                     direct_phone="06-12345678")  # fmt: skip
    mila = make_user("mila@example.org", role="Member", first_name="Mila", last_name="de Vries")
    mila.profile.municipalities.add(municipality)
    signal = Signal.objects.create(
        name="Geldzorgen of schulden",
        slug="geldzorgen",
        description="Ouders kunnen rekeningen niet betalen.",
        first_steps="Vraag rustig door en bel met toestemming de schuldhulp voor een intake.",
        not_to_do="Geef geen eigen geldadvies.",
    )
    card = SignalCard.objects.create(signal=signal, municipality=municipality)
    SignalContact.objects.create(card=card, profile=kees.profile, role="intake schuldhulp, bel voor 10:00")
    Signal.objects.create(
        name="Huiselijk geweld",
        slug="huiselijk-geweld",
        is_urgent=True,
        emergency_numbers="112\nVeilig Thuis 0800-2000",
        description="Je ziet verwondingen of een ouder is bang voor de partner.",
        first_steps="Bij acuut gevaar: bel 112. Anders: volg de meldcode en vraag Veilig Thuis om advies.",
        position=1,
    )
    return card


def test_a_member_picks_a_signal_and_calls_the_contact(portal, goes):
    mila = portal.log_in(portal.visitor(**DUTCH), "mila@example.org")
    portal.check(mila, "journey-signal-home-nl")

    # Tap 1: from home to the route; her municipality comes from her profile.
    with mila.expect_navigation():
        mila.locator("main a[href='/signals/']").click()
    portal.check(mila, "journey-signals-nl")
    main = mila.get_by_role("main").inner_text()
    assert "Goes" in main
    assert "Huiselijk geweld" in main

    # Tap 2: the signal she noticed, straight to its card for Goes.
    with mila.expect_navigation():
        mila.get_by_role("link", name="Geldzorgen of schulden").click()
    assert mila.url.endswith("/signals/geldzorgen/goes/")
    portal.check(mila, "journey-signal-card-nl")
    card = mila.get_by_role("main").inner_text()
    assert "Vraag rustig door" in card
    assert "Kees Dekker" in card and "intake schuldhulp, bel voor 10:00" in card
    # Tap 3 would call him.
    call = mila.locator("main a[href='tel:0612345678']")
    assert call.is_visible()
    box = call.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]

    # The urgent signal says so in words and offers the national numbers.
    mila.goto("/signals/huiselijk-geweld/goes/")
    portal.check(mila, "journey-signal-urgent-nl")
    assert mila.locator("main a[href='tel:112']").is_visible()
    assert mila.locator("main a[href='tel:08002000']").is_visible()

    # The printable card for the noticeboard names Kees with the organisation's number, not his own.
    mila.goto("/signals/print/goes/")
    portal.check(mila, "journey-signal-print-nl")
    printed = mila.get_by_role("main").inner_text()
    assert "Kees Dekker" in printed and "0113-111222" in printed
    assert "06-12345678" not in printed


def test_a_coordinator_keeps_signals_and_cards_in_the_admin(portal, goes, make_user):
    """The signal and card forms pass axe; an empty signal is refused with the error summary, in Dutch."""
    from tests_e2e.test_admin_sweep import _axe, _empty_submit  # noqa: PLC0415 — the sweep's own checks

    make_user("coordinator@example.org", role="Coordinator", is_staff=True)
    page = portal.log_in(portal.visitor(locale="nl-NL"), "coordinator@example.org", next_url="/admin/")
    problems = []
    page.goto("/admin/signals/signal/add/")
    problems += _empty_submit(page, "signal add, empty submit", "Fout:")
    page.goto(f"/admin/signals/signalcard/{goes.pk}/change/")
    problems += _axe(page, "signal card change")
    assert "Kees Dekker" in page.locator("#content").inner_text()
    page.goto("/admin/signals/signalcard/add/")
    problems += _axe(page, "signal card add")
    assert not problems, "\n\n".join(problems)
    portal.assert_clean()
