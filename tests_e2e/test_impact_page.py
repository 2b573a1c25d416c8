"""The impact page in the browser: every kind of chart is drawn beside the table of its numbers and prints without
the controls; a coalition coordinator reads the network's figures, switches to their coalition, and downloads the
figures as CSV and the report as PDF. axe finds nothing in English or Dutch (issue 20, points 2, 3 and 7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cockpit import impact_views
from cockpit.tests.test_impact_views import sample_sections
from events.models import Event, Registration
from events.tests.factories import EventFactory, ProfileFactory, RegistrationFactory
from members.models import Discipline
from members.tests.factories import OrganisationFactory
from network.models import Circle, Coalition, CoalitionCoordinator
from network.tests.factories import CoalitionFactory, PartnershipFactory

ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}
DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}

CHARTED = ["members-over-time", "members-by-domain", "partners-per-circle", "domain-pairs", "feedback-over-time"]


def drawn_charts(page) -> list[str]:
    """The figures whose canvas Chart.js drew, visible on the page."""
    return page.evaluate(
        """() => [...document.querySelectorAll(".impact-chart canvas")]
            .filter(canvas => window.Chart.getChart(canvas) && canvas.offsetHeight > 0)
            .map(canvas => canvas.closest("figure").id.replace("figure-", ""))"""
    )


def test_every_kind_of_chart_is_drawn_beside_its_table_and_prints_without_the_controls(portal, make_user, monkeypatch):
    make_user("coordinator@example.org", role="Coordinator", is_staff=True)
    monkeypatch.setattr(impact_views, "report", lambda scope, period: sample_sections())
    page = portal.log_in(portal.visitor(**ENGLISH), "coordinator@example.org")
    page.goto("/cockpit/impact/")

    assert drawn_charts(page) == CHARTED
    main = page.get_by_role("main")
    # Each chart's numbers as a table a screen reader reads; the hidden count as words.
    assert main.get_by_role("table").count() == 6
    domains = main.get_by_role("table", name="Leden per domein")
    assert domains.get_by_role("row", name="Medisch").inner_text().split() == ["Medisch", "1,234"]
    assert "fewer than 5" in domains.inner_text()
    # A multi-series chart has a legend; the contents lead to each figure.
    assert page.evaluate(
        "() => window.Chart.getChart(document.querySelector('#figure-partners-per-circle canvas'))"
        ".options.plugins.legend.display"
    )
    main.get_by_role("navigation").get_by_role("link", name="Domeinen die elkaar ontmoetten").click()
    assert page.url.endswith("#figure-domain-pairs")
    portal.check(page, "impact-charts")

    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Show").is_visible()
    assert not page.get_by_role("link", name="Download report (PDF)").is_visible()
    assert page.locator("#figure-domain-pairs canvas").is_visible()
    assert page.get_by_role("table", name="Leden per domein").is_visible()
    page.emulate_media(media="screen")

    dutch = portal.log_in(portal.visitor(**DUTCH), "coordinator@example.org")
    dutch.goto("/cockpit/impact/")
    assert drawn_charts(dutch) == CHARTED
    assert "1.234" in dutch.get_by_role("table", name="Leden per domein").inner_text()
    portal.check(dutch, "impact-charts-nl")


@pytest.fixture
def network(transactional_db, make_user):
    """Two coalitions with partners from several domains, approved members, and events people checked in at."""
    borsele = CoalitionFactory(name="Kansrijke Start Borsele", slug="borsele")
    steenwijkerland = CoalitionFactory(name="Kansrijke Start Steenwijkerland", slug="steenwijkerland")
    trekker = make_user("trekker@example.org", first_name="Sanne", last_name="de Wit", is_staff=True)
    CoalitionCoordinator.objects.create(coalition=borsele, user=trekker)
    since = timezone.localdate() - timedelta(days=400)
    people = []
    for number, discipline in enumerate(
        [Discipline.MIDWIFERY, Discipline.SOCIAL_WORK, Discipline.DEBT_COUNSELLING, Discipline.YOUTH_HEALTH_CARE]
    ):
        organisation = OrganisationFactory(discipline=discipline)
        for coalition in (borsele, steenwijkerland):
            PartnershipFactory(
                coalition=coalition, organisation=organisation, since=since, circle=list(Circle)[number % 2]
            )
        people += ProfileFactory.create_batch(6, organisation=organisation, discipline=discipline)
    for weeks in (10, 20, 30):
        event = EventFactory(
            coalition=borsele,
            kind=Event.Kind.WORKSHOP,
            starts_at=timezone.now() - timedelta(weeks=weeks),
            capacity=40,
        )
        for profile in people:
            RegistrationFactory(event=event, profile=profile, state=Registration.State.CONFIRMED, checked_in=True)
    return Coalition.objects.get(slug="borsele")


def test_a_coalition_coordinator_reads_the_impact_of_their_coalition_and_downloads_it(portal, network):
    page = portal.log_in(portal.visitor(**ENGLISH), "trekker@example.org")
    page.goto("/cockpit/impact/")
    main = page.get_by_role("main")
    assert "The whole region" in main.locator(".lead").inner_text()
    # Every figure has its numbers as a table (or says there is nothing to count), and every chart is drawn.
    figures = main.locator("figure.impact-figure")
    assert figures.count() == main.locator("figure.impact-figure table").count() + main.locator(".impact-empty").count()
    assert drawn_charts(page)  # the real figures of this network: members, partners, events and domains met
    assert len(drawn_charts(page)) == main.locator(".impact-chart").count()
    portal.check(page, "impact")

    # Only their own coalition to choose, besides the whole region.
    coalition = portal.field(page, "Coalition")
    assert coalition.locator("option").all_inner_texts() == ["The whole region", "Kansrijke Start Borsele"]
    coalition.select_option(label="Kansrijke Start Borsele")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "coalition=borsele" in page.url
    assert main.locator(".lead").inner_text().startswith("Kansrijke Start Borsele")
    assert len(drawn_charts(page)) == main.locator(".impact-chart").count()
    portal.check(page, "impact-coalition")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download figures (CSV)").click()
    assert download.value.suggested_filename.startswith("impact-borsele-")
    with open(download.value.path(), encoding="utf-8-sig") as figures_csv:
        assert figures_csv.readline().strip() == "Section;Figure;Row;Series;Value;Unit"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download report (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as report:
        assert report.read(4) == b"%PDF"

    # A period ending in the future is refused at its field, with the figures still below.
    portal.field(page, "Until").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert page.title().startswith("Error:")
    assert "The period cannot end in the future." in page.locator(".error-summary").inner_text()
    portal.check(page, "impact-error")

    dutch = portal.log_in(portal.visitor(**DUTCH), "trekker@example.org")
    dutch.goto("/cockpit/impact/?coalition=borsele")
    assert len(drawn_charts(dutch)) == dutch.locator(".impact-chart").count()
    portal.check(dutch, "impact-nl")
