"""A coordinator reads a survey's results: the bar chart drawn by the portal's own Chart.js from the same numbers as
the table under it, a breakdown by coalition, axe clean in both languages; without JavaScript the tables alone
(issue 17, points 3 and 8)."""

import pytest

from network.models import Coalition, Phase
from surveys.models import Question, Response, Survey, SurveyQuestion

ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}
DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}


@pytest.fixture
def survey(transactional_db, make_user):
    make_user("regio@example.org", role="Coordinator", is_staff=True)
    survey = Survey.objects.create(
        title="Wat wil je leren?", slug="wat-wil-je-leren", state=Survey.State.PUBLISHED, is_anonymous=True
    )
    topic = SurveyQuestion.objects.create(
        survey=survey, label="Welk onderwerp?", kind=Question.Kind.ONE_CHOICE, choices=["Sport", "Voeding", "Slaap"]
    )
    hours = SurveyQuestion.objects.create(survey=survey, label="Hoeveel uur?", kind=Question.Kind.NUMBER, position=1)
    wish = SurveyQuestion.objects.create(survey=survey, label="Wat nog meer?", kind=Question.Kind.TEXT, position=2)
    coalitions = [Coalition.objects.create(name=name, slug=name.lower()) for name in ("Borsele", "Goes", "Tholen")]
    for index in range(14):
        Response.objects.create(
            survey=survey,
            answers={
                str(topic.pk): ["Sport", "Voeding", "Voeding", "Slaap"][index % 4],
                str(hours.pk): str(index % 5 + 0.5),
                str(wish.pk): f"Meer over onderwerp {index}",
            },
            coalition=coalitions[0] if index < 6 else coalitions[1] if index < 12 else coalitions[2],
            coalition_phase=Phase.PLANNING,
        )
    return survey


def test_the_coordinator_reads_the_chart_and_its_table(portal, survey):
    page = portal.log_in(portal.visitor(**ENGLISH), "regio@example.org")
    page.goto(f"/surveys/{survey.slug}/results/")
    chart = page.locator("figure.survey-chart canvas")
    assert chart.count() == 1
    assert page.locator("figure.survey-chart").is_visible()  # the script showed it
    # Chart.js drew the bars: it keeps the chart it made on the canvas.
    drawn = page.evaluate(
        "() => { const c = Chart.getChart(document.querySelector('figure.survey-chart canvas'));"
        " return c ? c.data.datasets[0].data : null; }"
    )
    assert drawn == [4, 7, 3]
    table = page.locator("table.survey-table").first
    assert table.locator("tbody td.count").all_inner_texts() == ["4", "7", "3"]
    page.get_by_text("14 answers (in alphabetical order)").click()  # more than 10: folded, opened on request
    assert page.get_by_text("Meer over onderwerp 0", exact=True).is_visible()
    assert "2.36\t2.5\t0.5\t4.5" in page.locator("table.survey-table").nth(1).inner_text()
    portal.check(page, "survey-results")

    with page.expect_navigation():
        page.get_by_role("link", name="By coalition").click()
    main = page.get_by_role("main").inner_text()
    assert "Borsele" in main and "Goes" in main
    # Tholen has two answers: in this anonymous survey it joins "Other" with the next smallest, Borsele.
    assert "Goes (6)" in main and "Other (groups under 5 together) (8)" in main
    assert "shown together as “Other” (in this anonymous survey, so nobody can be recognised): Borsele, Tholen" in main
    portal.check(page, "survey-results-by-coalition")

    dutch = portal.log_in(portal.visitor(**DUTCH), "regio@example.org")
    dutch.goto(f"/surveys/{survey.slug}/results/")
    portal.check(dutch, "survey-results-nl")


def test_without_javascript_the_tables_alone(portal, survey):
    page = portal.log_in(portal.visitor(java_script_enabled=False, **ENGLISH), "regio@example.org")
    page.goto(f"/surveys/{survey.slug}/results/")
    assert not page.locator("figure.survey-chart").is_visible()
    assert page.locator("table.survey-table").count() == 2  # the choice and the number question
    assert page.locator("table.survey-table tbody td.count").all_inner_texts() == ["4", "7", "3"]
