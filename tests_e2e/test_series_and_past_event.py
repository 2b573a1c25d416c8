"""A series' page and a past date of it in a real browser, in Dutch and English: dates listed, no register button
after the event, the series' calendar feed linked; axe finds nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, Series
from events.tests.factories import EventFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def series(transactional_db):
    now = timezone.now()
    series = Series.objects.create(
        slug="halfjaarlijkse-partnerbijeenkomst",
        title="Halfjaarlijkse partnerbijeenkomst",
        description="Elk half jaar kijken alle partners samen terug en vooruit.",
    )
    EventFactory(
        series=series,
        slug="partnerbijeenkomst-voorjaar",
        title="Partnerbijeenkomst voorjaar",
        kind=Event.Kind.PARTNER_MEETING,
        starts_at=now - timedelta(days=180),
        ends_at=now - timedelta(days=180) + timedelta(hours=3),
        capacity=30,
    )
    EventFactory(
        series=series,
        slug="partnerbijeenkomst-najaar",
        title="Partnerbijeenkomst najaar",
        kind=Event.Kind.PARTNER_MEETING,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=3),
        capacity=30,
    )
    return series


@pytest.mark.parametrize(
    ("locale", "coming", "past", "register"),
    [("nl-NL", "Komende datums", "Eerdere datums", "Aanmelden"), ("en-GB", "Coming dates", "Past dates", "Register")],
)
def test_the_series_lists_its_dates_and_a_past_date_takes_no_registrations(
    portal, series, locale, coming, past, register
):
    page = portal.visitor(locale=locale)
    page.goto(f"/events/series/{series.slug}/")
    main = page.get_by_role("main").inner_text()
    assert coming in main and past in main
    assert main.index("Partnerbijeenkomst najaar") < main.index("Partnerbijeenkomst voorjaar")
    assert page.locator(f"a[href$='/events/series/{series.slug}/calendar.ics']").count() >= 1
    portal.check(page, f"series-{locale[:2]}")

    with page.expect_navigation():
        page.locator("main li", has_text="Partnerbijeenkomst voorjaar").get_by_role("link").click()
    assert page.locator("html").get_attribute("lang") == locale[:2]
    # A past event says so: no seats, no register button.
    assert page.get_by_role("button", name=register).count() == 0
    assert page.get_by_role("link", name=register).count() == 0
    portal.check(page, f"past-event-{locale[:2]}")
