"""Issue 14, phones and look: at 375 px the pages with actions are cards, filters fold away, contact details are
tappable, nothing scrolls sideways; at 1280 px the same pages use the width. Axe in English and Dutch."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from events.models import Event, Registration
from journal.models import Edition, Story
from members.models import Offering, Organisation

from .conftest import DESKTOP

DEMO_PASSWORD = "kansrijke-start-demo"
PHONE = {"width": 375, "height": 800}
LONG_NAME = "Stichting Jeugdgezondheidszorg en Kraamzorgondersteuning Oosterschelde-Zuid"

NO_SIDEWAYS_SCROLL_JS = "() => document.scrollingElement.scrollWidth"
# The contrast of two CSS colours (rgb()/rgba() strings as getComputedStyle gives them), WCAG's formula.
CONTRAST_JS = """([a, b]) => {
    const lum = c => {
        const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(v => {
            v = v / 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
}"""


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (400, 160), "#2f6b3a").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="logo.png")


@pytest.fixture
def demo(portal):
    """The demo data, with what the phone checks need: a long organisation name beside a logo, a cancelled
    event, an edition without a cover (its designed fallback) and an offering with a phone and an address."""
    call_command("seed_demo", stdout=io.StringIO())
    organisation = Organisation.objects.order_by("name").first()
    organisation.name = LONG_NAME
    organisation.logo.save("logo.png", _png(), save=False)
    organisation.save()
    upcoming = Event.objects.filter(state="published").order_by("starts_at")
    Event.objects.filter(pk=upcoming.last().pk).update(state=Event.State.CANCELLED)
    edition = Edition.objects.published().order_by("-published_at").first()
    Edition.objects.filter(pk=edition.pk).update(cover="")
    Offering.objects.filter(pk=Offering.objects.order_by("pk").first().pk).update(
        contact="Bel 0113 123 456 of mail naar ouders@example.nl"
    )
    return {"organisation": organisation, "edition": edition}


def at(page, size):
    page.set_viewport_size(size)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def assert_no_sideways_scroll(page):
    width = page.evaluate(NO_SIDEWAYS_SCROLL_JS)
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at {PHONE['width']}px"


def assert_rows_are_cards(page, table):
    """At 375 px each row of `table` is a block (a card) with its cells labelled; at 1280 px a table again."""
    at(page, PHONE)
    rows = table.locator("tbody tr")
    assert rows.count() > 0
    assert rows.first.evaluate("row => getComputedStyle(row).display") == "block"
    label = rows.first.locator("td[data-label]").first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label not in {"none", "normal", '""'}
    assert_no_sideways_scroll(page)
    at(page, DESKTOP)
    assert rows.first.evaluate("row => getComputedStyle(row).display") == "table-row"


def member_pages_are_cards_with_folded_filters(portal, page, suffix):
    # My registrations: each registration a card, the cancel button full width inside it.
    page.goto("/events/mine/")
    portal.check(page, f"phone-my-registrations{suffix}")
    assert_rows_are_cards(page, page.locator("table.table-cards"))
    at(page, PHONE)
    cancel = page.locator("table.table-cards form button").first
    box = cancel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["width"] > PHONE["width"] / 2, "the cancel button fills its card on a phone"

    # The directory: on a phone the filters fold behind one button, the search box stays; on a laptop each
    # select is wide enough to read; the avatars stay round.
    page.goto("/members/")
    portal.check(page, f"phone-directory{suffix}")
    at(page, PHONE)
    filters = page.locator(".filter-more")
    toggle = page.locator(".filter-toggle")
    assert page.locator("input[name=q]").is_visible()
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not filters.is_visible()
    toggle.click()
    page.locator(".filter-more.show").wait_for()
    assert page.locator("select[name=discipline]").is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    sizes = page.locator(".avatar, .avatar-placeholder").evaluate_all(
        "els => els.map(el => [el.getBoundingClientRect().width, el.getBoundingClientRect().height])"
    )
    assert sizes and all(abs(w - h) < 0.5 for w, h in sizes), f"avatars squashed: {sizes}"
    assert_no_sideways_scroll(page)
    at(page, DESKTOP)
    assert not toggle.is_visible()
    widths = page.locator(".filter-form select").evaluate_all("els => els.map(el => el.offsetWidth)")
    assert widths and min(widths) >= 200, f"filters too narrow on a laptop: {widths}"

    # A filter in use keeps the fold open on a phone.
    page.goto("/members/?discipline=midwifery")
    at(page, PHONE)
    assert page.locator("select[name=discipline]").is_visible()
    at(page, DESKTOP)


def public_pages_look_and_work_on_a_phone(portal, page, demo, suffix, *, every_page):
    # The parents' route: an offering's phone number and address can be tapped.
    page.goto("/offerings/")
    portal.check(page, f"look-offerings{suffix}")
    at(page, PHONE)
    phone = page.locator('a[href="tel:0113123456"]').first
    mail = page.locator('a[href="mailto:ouders@example.nl"]').first
    assert phone.is_visible() and mail.is_visible()
    assert_no_sideways_scroll(page)
    at(page, DESKTOP)

    # The edition without a cover gets a designed one, not an empty grey box.
    page.goto(demo["edition"].get_absolute_url())
    portal.check(page, f"look-edition{suffix}")
    fallback = page.locator("header .cover-art")
    assert fallback.is_visible()
    assert fallback.evaluate("el => getComputedStyle(el, '::after').content").strip('"') == demo["edition"].title
    if not every_page:  # the pages below show no words of their own that changed: one language is enough
        return

    # An organisation's long name wraps beside (or under) its logo.
    page.goto(demo["organisation"].get_absolute_url())
    portal.check(page, f"look-organisation-logo{suffix}")
    at(page, PHONE)
    heading = page.locator("main h1").bounding_box()
    assert heading["x"] + heading["width"] <= PHONE["width"]
    assert_no_sideways_scroll(page)
    at(page, DESKTOP)

    page.goto("/journal/")
    portal.check(page, f"look-journal{suffix}")

    # The film's play button: its focus ring stands out 3:1 against the dark placeholder.
    film = Story.objects.filter(kind=Story.Kind.FILM, state="published").first()
    page.goto(film.get_absolute_url())
    portal.check(page, f"look-story-film{suffix}")
    play = page.locator(".journal-video-play")
    portal.tab_to(page, play)
    ring, placeholder = play.evaluate(
        "el => [getComputedStyle(el).outlineColor, getComputedStyle(el.closest('.journal-video')).backgroundColor]"
    )
    assert page.evaluate(CONTRAST_JS, [ring, placeholder]) >= 3

    # Events: the cancelled event's card keeps its text readable (axe checks 4.5:1 at both widths).
    page.goto("/events/")
    assert page.locator(".event-cancelled").count() == 1
    portal.check(page, f"look-events{suffix}")
    page.goto("/")
    portal.check(page, f"look-home{suffix}")


def coordinator_tables_are_cards(portal, page, suffix, *, every_page):
    registration = (
        Registration.objects.filter(consent_to_list=True, state="confirmed", profile__isnull=False)
        .select_related("event")
        .first()
    )
    page.goto(f"{registration.event.get_absolute_url()}participants/")
    portal.check(page, f"phone-participants{suffix}")
    assert_rows_are_cards(page, page.locator("table.table-cards"))
    if not every_page:
        return
    page.goto("/members/pending/")
    portal.check(page, f"phone-pending{suffix}")
    assert_rows_are_cards(page, page.locator("table.table-cards"))


def without_javascript_the_filters_are_open(portal, locale):
    page = portal.visitor(locale=locale, java_script_enabled=False, viewport=PHONE)
    page.goto("/offerings/")
    assert page.locator(".filter-more select").first.is_visible()
    assert not page.locator(".filter-toggle").is_visible()


@pytest.mark.parametrize("locale", ["en-GB", "nl-NL"], ids=["en", "nl"])
def test_phone_cards_folded_filters_tappable_contacts_and_the_look(portal, demo, locale):
    """One seed per language: a visitor, a member and a coordinator, each in one browser context. In Dutch only
    the pages with new words (card labels, the filter button, the covers) are checked again."""
    suffix, every_page = ("", True) if locale == "en-GB" else ("-nl", False)
    public_pages_look_and_work_on_a_phone(portal, portal.visitor(locale=locale), demo, suffix, every_page=every_page)
    without_javascript_the_filters_are_open(portal, locale)
    member = portal.log_in(portal.visitor(locale=locale), "member@example.org", DEMO_PASSWORD)
    member_pages_are_cards_with_folded_filters(portal, member, suffix)
    coordinator = portal.log_in(portal.visitor(locale=locale), "coordinator@example.org", DEMO_PASSWORD)
    coordinator_tables_are_cards(portal, coordinator, suffix, every_page=every_page)
