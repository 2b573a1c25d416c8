"""The factories make what the models and the services accept, so other tests can build on them."""

import pytest

from ..models import Response, SurveyQuestion, clean_answers
from .factories import (
    AnonymousResponseFactory,
    ParticipantFactory,
    ResponseFactory,
    SectionFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    answers_to,
    questions_of_every_kind,
)

pytestmark = pytest.mark.django_db


def test_a_survey_is_open_now_unless_a_trait_says_otherwise():
    assert SurveyFactory().is_open()
    assert not SurveyFactory(draft=True).is_open()
    assert SurveyFactory(closed=True).has_closed()
    not_yet = SurveyFactory(not_yet_open=True)
    assert not not_yet.is_open() and not not_yet.has_closed()
    for survey in [SurveyFactory.build(closed=True), SurveyFactory.build(not_yet_open=True), SurveyFactory.build()]:
        survey.full_clean(exclude=["slug"])


def test_every_kind_of_question_is_valid_and_so_is_its_answer():
    survey = SurveyFactory()
    questions = questions_of_every_kind(survey, section=SectionFactory(survey=survey), required=True)
    assert set(questions) == set(SurveyQuestion.Kind)
    for question in questions.values():
        question.full_clean()
        assert question.section.survey == survey
    answers = answers_to(questions)
    assert clean_answers(survey.questions.all(), answers) == answers


def test_a_question_of_a_section_belongs_to_the_sections_survey():
    section = SectionFactory()
    assert SurveyQuestionFactory(section=section).survey == section.survey


def test_a_response_marks_its_participant_and_an_anonymous_one_is_tied_to_nobody():
    survey = SurveyFactory()
    SurveyQuestionFactory(survey=survey, kind=SurveyQuestion.Kind.YES_NO)
    named = ResponseFactory(survey=survey)
    assert named.participant.survey == survey and named.participant.answered_at is not None
    assert named.answers == answers_to(survey.questions.all())
    anonymous = AnonymousResponseFactory()
    assert anonymous.participant is None and anonymous.survey.is_anonymous
    assert Response.objects.count() == 2


def test_a_participant_is_an_approved_member_with_their_address():
    participant = ParticipantFactory()
    assert participant.profile.is_approved
    assert participant.email == participant.profile.user.email
    assert participant.token and len(participant.token) >= 40
