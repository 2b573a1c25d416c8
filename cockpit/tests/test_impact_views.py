"""The impact page, its CSV and its PDF: every kind of figure drawn as a chart with its numbers in a table, hidden
counts read "fewer than 5" everywhere, the choices refused at their field, who may open them, and their queries.

The figures themselves are cockpit.impact's (tested against hand-counted fixtures there); here `report` is replaced
by figures of every shape the page must draw, except in the query-count test, which measures the real one.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from coalition.rules import refusal_reason
from coalition.tests.query_counts import assert_same_count_as_data_grows
from cockpit import impact_views, pdf
from cockpit.figures import HIDDEN, Figure, Section
from cockpit.presentation import cell
from cockpit.scope import Period, Scope
from network.models import Coalition
from network.tests.factories import CoalitionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

URLS = ["cockpit:impact", "cockpit:impact_csv", "cockpit:impact_pdf"]


def sample_sections() -> list[Section]:
    """Figures of every shape the impact page draws, with realistic labels, a hidden count and a missing value."""
    quarters = ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
    return [
        Section(
            "network",
            "Het netwerk",
            [
                Figure(
                    "members-over-time",
                    "network",
                    "Leden en partners door de tijd",
                    "Goedgekeurde leden en partnerorganisaties aan het eind van elk kwartaal.",
                    ["Kwartaal", "Leden", "Partnerorganisaties"],
                    [(q, 120 + 10 * i, 14 + i) for i, q in enumerate(quarters)],
                    chart="line",
                ),
                Figure(
                    "members-by-domain",
                    "network",
                    "Leden per domein",
                    "Goedgekeurde leden op de laatste dag, naar het domein van hun organisatie.",
                    ["Domein", "Leden"],
                    [("Medisch", 1234), ("Sociaal", 48), ("Onderwijs", HIDDEN), ("Gemeente", 0)],
                    chart="bar",
                ),
                Figure(
                    "partners-per-circle",
                    "network",
                    "Partners per kring per coalitie",
                    "",
                    ["Coalitie", "Binnenkring", "Buitenkring"],
                    [("Kansrijke Start Borsele", 6, 9), ("=SUM(A1:A9)", 3, 4)],
                    chart="stacked",
                ),
            ],
        ),
        Section(
            "meeting",
            "Elkaar ontmoeten",
            [
                Figure(
                    "domain-pairs",
                    "meeting",
                    "Domeinen die elkaar ontmoetten",
                    "Verschillende mensen uit twee domeinen bij dezelfde bijeenkomst, uit de aanwezigheid.",
                    ["Paar van domeinen", "Mensen"],
                    [("Verloskunde × schuldhulpverlening", 12), ("Jeugdgezondheidszorg × onderwijs", 7)],
                    chart="horizontal",
                ),
                Figure(
                    "events-table",
                    "meeting",
                    "Bijeenkomsten per soort",
                    "Alleen als tabel.",
                    ["Soort", "Bijeenkomsten", "Bereikt"],
                    [("Werkbezoek", 4, 37), ("Regiobijeenkomst", 2, 160)],
                    chart="",
                ),
            ],
        ),
        Section(
            "satisfaction",
            "Tevredenheid",
            [
                Figure(
                    "feedback-over-time",
                    "satisfaction",
                    "Gemiddelde waardering van bijeenkomsten",
                    "Het gemiddelde cijfer dat deelnemers gaven.",
                    ["Kwartaal", "Waardering"],
                    [("Q1 2025", 4.2), ("Q2 2025", HIDDEN), ("Q3 2025", None), ("Q4 2025", 3.75)],
                    chart="line",
                    unit="score 1–5",
                    note="Alleen bijeenkomsten met 5 of meer antwoorden.",
                ),
                Figure("nothing-yet", "satisfaction", "Netwerkpeiling", "", ["Jaar", "Antwoorden"], [], chart="bar"),
            ],
        ),
    ]


@pytest.fixture
def figures(monkeypatch):
    """The report every view draws, and the (scope, period) each call asked for."""
    calls = []

    def report(scope, period):
        calls.append((scope, period))
        return sample_sections()

    monkeypatch.setattr(impact_views, "report", report)
    return calls


@pytest.fixture
def own_coalition(coalition_coordinator):
    return Coalition.objects.get(coordinators__user=coalition_coordinator)


# --- Who may open it ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, name, figures):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response.url
    assert figures == []


@pytest.mark.parametrize("name", URLS)
def test_members_and_pending_people_are_refused_with_the_reason(client, name, member, pending_member, figures):
    for user in (member, pending_member):
        client.force_login(user)
        response = client.get(reverse(name))
        assert response.status_code == 403, user
        with translation.override(settings.LANGUAGE_CODE):
            assert refusal_reason(user, "cockpit.view_impact") in response.content.decode()
    assert figures == []


@pytest.mark.parametrize("name", URLS)
def test_coordinators_of_the_region_and_of_a_coalition_open_it(
    client, name, coordinator, coalition_coordinator, figures
):
    for user in (coordinator, coalition_coordinator):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 200, user


# --- The page --------------------------------------------------------------------------------------------------------


def test_every_kind_of_figure_has_its_chart_data_and_its_numbers_in_a_table(coordinator_client, figures):
    response = coordinator_client.get(reverse("cockpit:impact"))

    page = response.content.decode()
    for key, kind in (("members-over-time", "line"), ("members-by-domain", "bar"),
                      ("partners-per-circle", "stacked"), ("domain-pairs", "horizontal"),
                      ("feedback-over-time", "line")):  # fmt: skip
        assert f'<canvas aria-hidden="true" data-chart-data="figure-{key}-data">' in page, key
        assert f'<script id="figure-{key}-data" type="application/json">{{"kind": "{kind}"' in page, key
        assert f'class="impact-chart impact-chart-{kind}" hidden>' in page, key
    # The chart data is Figure.chart_data: hidden and missing values are null, never their number.
    assert '"datasets": [{"label": "Waardering", "data": [4.2, null, null, 3.75]}]' in page
    # Every figure, charted or not, has its numbers as a table a screen reader reads.
    assert page.count('<table class="table table-sm impact-table">') == 6
    for text in ('<th scope="col">Domein</th>', '<th scope="col" class="text-end">Leden</th>',
                 '<th scope="row">Verloskunde × schuldhulpverlening</th>', '<td class="text-end">1.234</td>',
                 '<td class="text-end">3,8</td>', '<td class="text-end">–</td>',
                 "Bijeenkomsten per soort", "Regiobijeenkomst", "Alleen bijeenkomsten met 5 of meer antwoorden.",
                 "(score 1–5)</caption>",
                 "Goedgekeurde leden op de laatste dag"):  # fmt: skip
        assert text in page, text
    # A table-only figure and an empty one get no chart; the empty one says so.
    assert 'data-chart-data="figure-events-table-data"' not in page
    assert 'data-chart-data="figure-nothing-yet-data"' not in page
    assert page.count("impact-empty") == 1
    assert "js/impact-charts.js" in page and "vendor/chartjs/chart.umd.min.js" in page


def test_a_count_of_fewer_than_5_people_reads_so_in_the_table_and_is_explained(coordinator_client, figures):
    page = coordinator_client.get(reverse("cockpit:impact")).content.decode()

    assert page.count(f'<td class="text-end">{HIDDEN}</td>') == 2
    # Under each chart with a gap, and in the introduction.
    assert page.count('<p class="impact-note">') == 3  # two gaps, one note of a figure


def test_the_contents_link_to_each_section_and_figure(coordinator_client, figures):
    page = coordinator_client.get(reverse("cockpit:impact")).content.decode()

    for section in sample_sections():
        assert f'<a href="#section-{section.key}">{section.title}</a>' in page
        assert f'id="section-{section.key}"' in page
        for figure in section.figures:
            assert f'<a href="#figure-{figure.key}">{figure.title}</a>' in page
            assert f'<figure class="impact-figure" id="figure-{figure.key}"' in page


def test_without_choices_the_page_shows_the_region_over_the_last_two_years(coordinator_client, figures):
    response = coordinator_client.get(reverse("cockpit:impact"))

    scope, period = figures[-1]
    default = Period.default()
    assert scope.coalition is None and period == default
    page = response.content.decode()
    assert f'value="{default.start.isoformat()}"' in page and f'value="{default.end.isoformat()}"' in page
    query = f"?start={default.start.isoformat()}&amp;end={default.end.isoformat()}"
    assert f'href="/cockpit/impact/figures.csv{query}"' in page
    assert f'href="/cockpit/impact/report.pdf{query}"' in page


def test_a_coalition_and_a_period_chosen_go_to_the_report_and_the_downloads(coordinator_client, figures):
    borsele = CoalitionFactory(name="Kansrijke Start Borsele", slug="borsele")

    response = coordinator_client.get(
        reverse("cockpit:impact"), {"coalition": "borsele", "start": "2025-01-01", "end": "2025-12-31"}
    )

    scope, period = figures[-1]
    assert scope.coalition == borsele and period == Period(date(2025, 1, 1), date(2025, 12, 31))
    page = response.content.decode()
    assert "Kansrijke Start Borsele · " in page
    assert 'href="/cockpit/impact/report.pdf?coalition=borsele&amp;start=2025-01-01&amp;end=2025-12-31"' in page


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"start": "31-02-2025"}, "start", "Voer een geldige datum in."),
        ({"end": "gisteren"}, "end", "Voer een geldige datum in."),
        ({"coalition": "bestaat-niet"}, "coalition", "Selecteer een geldige keuze."),
    ],
)
def test_a_wrong_choice_is_refused_in_dutch_at_its_field_and_the_defaults_are_shown(
    coordinator_client, figures, typed, field, message
):
    response = coordinator_client.get(reverse("cockpit:impact"), typed)

    page = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in page and f'href="#id_{field}"' in page
    assert message in page
    assert f'value="{next(iter(typed.values()))}"' in page or field == "coalition"  # what was typed stays
    assert figures[-1][1] == Period.default()
    assert "Het netwerk" in page  # the figures are still shown below the error
    # The downloads hold what the page shows: the defaults, not the refused choice.
    assert next(iter(typed.values())) not in page.split("impact-downloads")[1].split("</p>")[0]


def test_a_period_ending_in_the_future_is_refused_at_the_until_field(coordinator_client, figures):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = coordinator_client.get(reverse("cockpit:impact"), {"end": tomorrow})

    form = response.context["form"]
    assert list(form.errors) == ["end"]
    assert f'value="{tomorrow}"' in response.content.decode()
    assert figures[-1][1] == Period.default()


def test_a_coalition_coordinator_sees_their_coalition_and_the_region_but_cannot_pick_another(
    client, coalition_coordinator, own_coalition, figures
):
    other = CoalitionFactory(name="Coalitie Ander", slug="ander")
    client.force_login(coalition_coordinator)

    region = client.get(reverse("cockpit:impact"))
    own = client.get(reverse("cockpit:impact"), {"coalition": own_coalition.slug})
    refused = client.get(reverse("cockpit:impact"), {"coalition": other.slug})

    assert figures[0][0].coalition is None and not figures[0][0].regional
    assert figures[1][0].coalition == own_coalition
    assert "Coalitie Ander" not in region.content.decode()  # not even as a choice
    assert list(refused.context["form"].errors) == ["coalition"]
    assert figures[2][0].coalition is None  # the region instead, never the other coalition
    assert own.status_code == region.status_code == 200
    csv_refused = client.get(reverse("cockpit:impact_csv"), {"coalition": other.slug})
    assert "ander" not in csv_refused["Content-Disposition"] and figures[3][0].coalition is None


def test_the_page_has_no_charts_and_says_so_when_there_are_no_figures(coordinator_client, monkeypatch):
    monkeypatch.setattr(impact_views, "report", lambda scope, period: [])

    page = coordinator_client.get(reverse("cockpit:impact")).content.decode()

    assert "impact-none" in page
    assert "chart.umd.min.js" not in page and "<canvas" not in page


def test_the_page_stays_within_a_fixed_number_of_queries_as_the_network_grows(coordinator_client):
    # The real report: the coalitions are choices in the form and rows of the figures.
    def grow(count):
        for coalition in CoalitionFactory.create_batch(count):
            PartnershipFactory.create_batch(2, coalition=coalition)

    assert_same_count_as_data_grows(coordinator_client, reverse("cockpit:impact"), grow)


# --- The CSV ---------------------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_holds_every_value_in_long_format_with_hidden_counts_as_text(coordinator_client, figures):
    CoalitionFactory(name="Kansrijke Start Borsele", slug="borsele")

    response = coordinator_client.get(
        reverse("cockpit:impact_csv"), {"coalition": "borsele", "start": "2025-01-01", "end": "2025-12-31"}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="impact-borsele-2025-01-01-2025-12-31.csv"'
    rows = _csv(response)
    assert len(rows[0]) == 6
    body = rows[1:]
    # One row per value: 4×2 + 4 + 2×2 + 2 + 2×2 + 4 (the empty figure has none).
    assert len(body) == 26
    assert ["Het netwerk", "Leden per domein", "Medisch", "Leden", "1234", ""] in body
    assert ["Het netwerk", "Leden per domein", "Onderwijs", "Leden", str(HIDDEN), ""] in body
    assert ["Tevredenheid", "Gemiddelde waardering van bijeenkomsten", "Q4 2025", "Waardering", "3,8",
            "score 1–5"] in body  # fmt: skip
    assert ["Tevredenheid", "Gemiddelde waardering van bijeenkomsten", "Q3 2025", "Waardering", "", "score 1–5"] in body
    # A label a spreadsheet would run as a formula is made inert.
    assert ["Het netwerk", "Partners per kring per coalitie", "'=SUM(A1:A9)", "Binnenkring", "3", ""] in body


def test_the_csv_of_the_whole_region_is_named_after_the_region(coordinator_client, figures):
    default = Period.default()

    response = coordinator_client.get(reverse("cockpit:impact_csv"))

    assert f"-regio-{default.start:%Y-%m-%d}-{default.end:%Y-%m-%d}.csv" in response["Content-Disposition"] or (
        f"-region-{default.start:%Y-%m-%d}-{default.end:%Y-%m-%d}.csv" in response["Content-Disposition"]
    )


# --- The PDF ---------------------------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_every_section_figure_and_number_with_hidden_counts_as_text(coordinator_client, figures):
    CoalitionFactory(name="Kansrijke Start Borsele", slug="borsele")

    response = coordinator_client.get(
        reverse("cockpit:impact_pdf"), {"coalition": "borsele", "start": "2025-01-01", "end": "2025-12-31"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="impact-borsele-2025-01-01-2025-12-31.pdf"'
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    for expected in ("Kansrijke Start Borsele", "1 januari 2025", "31 december 2025", "Het netwerk",
                     "Leden per domein", "Verloskunde × schuldhulpverlening", "Bijeenkomsten per soort",
                     "Gemiddelde waardering van bijeenkomsten", "1.234", "3,8", str(HIDDEN),
                     "Alleen bijeenkomsten met 5 of meer antwoorden.", "Netwerkpeiling"):  # fmt: skip
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(response.content))
    assert "Kansrijke Start Borsele" in reader.metadata.title
    assert len(reader.pages) >= 2


def test_the_pdf_without_figures_is_still_a_report(coordinator_client, monkeypatch):
    monkeypatch.setattr(impact_views, "report", lambda scope, period: [])

    response = coordinator_client.get(reverse("cockpit:impact_pdf"))

    assert response.content.startswith(b"%PDF")
    assert settings.SITE_NAME in _pdf_text(response.content)


@pytest.mark.parametrize("kind", ["bar", "stacked", "horizontal", "line"])
@pytest.mark.parametrize(
    "rows",
    [
        [("Alleen", 7)],
        [("Een", HIDDEN), ("Twee", 0), ("Drie", 5)],
        [(f"Een heel lang label van een paar domeinen nummer {n}", n * 5, None) for n in range(1, 15)],
    ],
    ids=["one row", "hidden and zero", "many long labels"],
)
def test_every_kind_of_chart_is_drawn_for_awkward_figures(kind, rows):
    columns = ["Label", "Reeks"] if len(rows[0]) == 2 else ["Label", "Reeks", "Andere reeks"]
    figure = Figure("f", "s", "Titel", "", columns, rows, chart=kind)

    drawing = pdf.chart(figure)

    assert drawing is not None and drawing.height > 0
    content = pdf.render_pdf([Section("s", "Sectie", [figure])], scope=_region(), period=Period.default(),
                             generated=date(2026, 12, 1))  # fmt: skip
    assert content.startswith(b"%PDF")


def test_a_figure_without_counts_gets_no_chart_but_its_table(db):
    figure = Figure("f", "s", "Titel", "", ["Label", "Reeks"], [("Een", HIDDEN), ("Twee", 0)], chart="bar")

    assert pdf.chart(figure) is None
    content = pdf.render_pdf(
        [Section("s", "Sectie", [figure])], scope=_region(), period=Period.default(), generated=date(2026, 12, 1)
    )
    assert "Een" in _pdf_text(content)


def _region():
    return Scope(coalition=None, detailed=(), regional=True)


# --- How values read ------------------------------------------------------------------------------------------------


def test_values_read_in_the_active_language():
    assert [cell(1234), cell(3.75), cell(4.0), cell(0), cell(None), cell(HIDDEN)] == [
        "1.234", "3,8", "4", "0", "–", str(HIDDEN)]  # fmt: skip
    assert cell(1234, grouping=False) == "1234"
    with translation.override("en"):
        assert [cell(1234), cell(3.75)] == ["1,234", "3.8"]
