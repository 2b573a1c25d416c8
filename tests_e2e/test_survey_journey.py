"""A coordinator sends a survey to a coalition through the check step; a member answers from the link in the mail
without logging in; the coordinator follows the response rate and reads the results, the chart with its table
(issue 17, point 8). In Dutch, the portal's language; axe on every page of it, the results in English too."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from members.models import Organisation
from network.models import Circle, Coalition, Partnership
from surveys.models import Participant, Response, Survey, SurveyQuestion

pytestmark = pytest.mark.browser

DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}
ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}


@pytest.fixture
def borsele(transactional_db, make_user):
    """Borsele with one partner and its three people; a published named survey with a choice and an open question."""
    coalition = Coalition.objects.create(name="Kansrijke Start Borsele", slug="borsele", phase_since=date(2022, 1, 20))
    midwives = Organisation.objects.create(name="Verloskundigen Bevelanden", slug="verloskundigen-bevelanden")
    Partnership.objects.create(coalition=coalition, organisation=midwives, circle=Circle.INNER, since=date(2021, 2, 4))
    people = [
        make_user(f"vk{n}@example.org", role="Member", organisation=midwives, first_name=name)
        for n, name in enumerate(["Anna", "Bram", "Cees"])
    ]
    make_user("coordinator@example.org", role="Coordinator", is_staff=True, first_name="Cora")
    now = timezone.now()
    survey = Survey.objects.create(
        title="Wat wil je leren?",
        slug="wat-wil-je-leren",
        introduction="Drie minuten. Je antwoorden bepalen het programma.",
        state=Survey.State.PUBLISHED,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=14),
    )
    SurveyQuestion.objects.create(
        survey=survey,
        label="Welk onderwerp?",
        kind=SurveyQuestion.Kind.ONE_CHOICE,
        choices=["Geldzorgen", "Vroegsignalering"],
        required=True,
        position=0,
    )
    SurveyQuestion.objects.create(survey=survey, label="Wat nog meer?", kind=SurveyQuestion.Kind.LONG_TEXT, position=1)
    return {"survey": survey, "people": [user.email for user in people]}


def test_a_survey_is_sent_answered_from_the_mailed_link_and_read_with_its_chart_and_table(portal, borsele):
    survey = borsele["survey"]
    page = portal.log_in(portal.visitor(**DUTCH), "coordinator@example.org")

    # Sending: the audience, then the check step (count, preview), then confirm.
    page.goto(f"/surveys/{survey.slug}/send/")
    portal.check(page, "survey-send-nl")
    page.get_by_role("checkbox", name="Kansrijke Start Borsele").check()
    with page.expect_navigation():
        page.get_by_role("button", name="De mail controleren").click()
    assert "/mail/check/" in page.url, page.get_by_role("main").inner_text()
    assert page.locator("[data-recipient-count]").get_attribute("data-recipient-count") == "3"
    portal.check(page, "survey-check-nl")
    assert mail.outbox == []
    with page.expect_navigation():
        page.get_by_role("button", name="Versturen naar 3 mensen").click()
    for address in borsele["people"]:
        assert len(portal.mails_to(address)) == 1, address
    assert Participant.objects.filter(survey=survey).count() == 3

    # Anna answers from the link in her mail, in a browser where nobody is logged in.
    (message,) = portal.mails_to(borsele["people"][0])
    link = portal.link_in(message, "/surveys/answer/")
    anna = portal.visitor(**DUTCH)
    anna.goto(link)
    assert "Wat wil je leren?" in anna.get_by_role("heading", level=1).inner_text()
    portal.check(anna, "survey-answer-from-mail-nl")
    anna.get_by_role("radio", name="Geldzorgen").check()
    portal.field(anna, "Wat nog meer?").fill("Graag voorbeelden uit de praktijk.")
    with anna.expect_navigation():
        anna.get_by_role("button", name="Mijn antwoorden versturen").click()
    assert "/thanks/" in anna.url
    response = Response.objects.get(survey=survey)
    assert response.coalition.slug == "borsele"  # recorded for the breakdowns

    # The coordinator follows the response rate, then reads the results: a chart and the same numbers in a table.
    page.goto(f"/surveys/{survey.slug}/manage/")
    assert page.locator("[data-invited]").inner_text() == "3"
    assert page.locator("[data-answered]").inner_text() == "1"
    portal.check(page, "survey-manage-nl")
    page.goto(f"/surveys/{survey.slug}/results/")
    main = page.get_by_role("main")
    assert main.locator("canvas").count() >= 1
    table = main.locator("table", has_text="Geldzorgen")
    assert "Geldzorgen" in table.inner_text() and "100" in table.inner_text()
    portal.check(page, "survey-results-journey-nl")

    english = portal.log_in(portal.visitor(**ENGLISH), "coordinator@example.org")
    english.goto(f"/surveys/{survey.slug}/results/")
    assert english.locator("html").get_attribute("lang") == "en"
    portal.check(english, "survey-results-journey-en")
