"""Issue 17, answering: on a phone, without logging in, a person answers a survey from the personal link in its mail —
a forgotten required answer is pointed out with everything kept, the answers can be changed until the close — and
a member finds the surveys open on the site under "Surveys". axe finds nothing on any of these pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Response, SurveyQuestion
from surveys.tests.factories import ParticipantFactory, SectionFactory, SurveyFactory, SurveyQuestionFactory

ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}
PHONE = {"width": 375, "height": 800}
FOCUSED_SUMMARY = "() => document.activeElement && document.activeElement.classList.contains('error-summary')"

Kind = SurveyQuestion.Kind


@pytest.fixture
def needs_inventory(transactional_db):
    survey = SurveyFactory(
        title="What do you want to learn at the regional meeting?",
        introduction="Three minutes. Your answers shape the programme.",
        open_on_site=True,
    )
    SurveyQuestionFactory(survey=survey, kind=Kind.TEXT, label="Your role", required=True, position=0)
    work = SectionFactory(survey=survey, title="Working together", introduction="About your coalition.", position=1)
    SurveyQuestionFactory(
        section=work,
        kind=Kind.ONE_CHOICE,
        label="Whom do you call first?",
        choices=["Midwife", "Maternity care", "Youth health care"],
        required=True,
    )
    SurveyQuestionFactory(section=work, kind=Kind.YES_NO, label="Do you call earlier than a year ago?", required=True)
    meeting = SectionFactory(survey=survey, title="The meeting", introduction="", position=2)
    SurveyQuestionFactory(
        section=meeting,
        kind=Kind.SEVERAL_CHOICES,
        label="Which topics?",
        choices=["Early signals", "Debt", "Reading to babies"],
    )
    SurveyQuestionFactory(section=meeting, kind=Kind.NUMBER, label="How many colleagues come along?")
    SurveyQuestionFactory(section=meeting, kind=Kind.LONG_TEXT, label="Anything else?")
    return survey


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_a_person_answers_from_the_link_on_a_phone_and_changes_an_answer(portal, needs_inventory):
    participant = ParticipantFactory(survey=needs_inventory)
    link = f"/surveys/answer/{participant.token}/"
    page = portal.visitor(**ENGLISH, viewport=PHONE)
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == needs_inventory.title
    assert page.get_by_role("group", name="Working together").is_visible()
    portal.check(page, "survey-answer")

    # A required answer forgotten: the summary takes the focus and links to it; what was typed stays.
    portal.field(page, "Your role").fill("Maternity carer")
    page.get_by_role("radio", name="Youth health care").check()
    page.get_by_role("checkbox", name="Debt").check()
    portal.field(page, "Anything else?").fill("Coffee, please.")
    submit(page, "Send my answers")
    page.wait_for_load_state("load")
    assert page.evaluate(FOCUSED_SUMMARY)
    assert page.title().startswith("Error:")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link").count() == 1
    assert portal.field(page, "Your role").input_value() == "Maternity carer"
    assert page.get_by_role("radio", name="Youth health care").is_checked()
    assert page.get_by_role("checkbox", name="Debt").is_checked()
    assert portal.field(page, "Anything else?").input_value() == "Coffee, please."
    portal.check(page, "survey-answer-errors")
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.type") == "radio"

    page.get_by_role("group", name="Do you call earlier than a year ago?").get_by_role("radio", name="Yes").check()
    submit(page, "Send my answers")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your answers"
    portal.check(page, "survey-thanks")
    assert (
        Response.objects.get(participant=participant).answers[str(needs_inventory.questions.get(label="Your role").pk)]
        == "Maternity carer"
    )

    # Until the close the same link shows the answers to change.
    with page.expect_navigation():
        page.get_by_role("link", name="Change my answers").click()
    assert portal.field(page, "Your role").input_value() == "Maternity carer"
    portal.field(page, "Your role").fill("Maternity care nurse")
    submit(page, "Save my answers")
    assert Response.objects.get(participant=participant).updated_at is not None
    assert Response.objects.count() == 1


def test_the_pages_that_say_no(portal, needs_inventory, make_user):
    page = portal.visitor(**ENGLISH, viewport=PHONE)
    portal.goto_refused(page, "/surveys/answer/not-the-real-link/", 404)
    assert page.get_by_role("heading", level=1).inner_text() == "This link is not valid"
    portal.check(page, "survey-invalid-link")

    closed = SurveyFactory(opens_at=timezone.now() - timedelta(days=20), closes_at=timezone.now() - timedelta(days=2))
    page.goto(f"/surveys/answer/{ParticipantFactory(survey=closed).token}/")
    assert "This survey closed on" in page.get_by_role("main").inner_text()
    portal.check(page, "survey-closed")

    anonymous = SurveyFactory(is_anonymous=True)
    SurveyQuestionFactory(survey=anonymous, kind=Kind.LONG_TEXT, label="What should change?")
    link = f"/surveys/answer/{ParticipantFactory(survey=anonymous).token}/"
    page.goto(link)
    portal.field(page, "What should change?").fill("More time for each other.")
    submit(page, "Send my answers")
    page.goto(link)
    assert "You have already answered this anonymous survey" in page.get_by_role("main").inner_text()
    portal.check(page, "survey-already-answered")

    # A member finds the survey open on the site under "Surveys" in the header.
    make_user("member@example.org", role="Member")
    member = portal.log_in(portal.visitor(**ENGLISH), "member@example.org")
    with member.expect_navigation():
        member.get_by_role("banner").get_by_role("link", name="Surveys").click()
    portal.check(member, "survey-list")
    with member.expect_navigation():
        member.get_by_role("link", name=needs_inventory.title).click()
    assert member.url.endswith(needs_inventory.get_absolute_url())
