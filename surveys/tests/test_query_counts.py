"""The answering pages cost a fixed number of queries: 40 questions in 5 sections as few as 8 in 1."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalition.tests.query_counts import assert_same_count_as_data_grows, queries

from ..models import SurveyQuestion
from .factories import ParticipantFactory, ResponseFactory, SectionFactory, SurveyFactory, SurveyQuestionFactory

pytestmark = pytest.mark.django_db

KINDS = list(SurveyQuestion.Kind)


def _survey(sections, per_section, **fields):
    """A survey of `sections` sections with `per_section` questions each, every kind in turn, half required."""
    survey = SurveyFactory(**fields)
    for number in range(sections):
        section = SectionFactory(survey=survey, introduction=f"Inleiding {number}")
        for index in range(per_section):
            SurveyQuestionFactory(section=section, kind=KINDS[index % len(KINDS)], required=index % 2 == 0)
    return survey


def _link(participant):
    return reverse("surveys:answer_by_link", kwargs={"token": participant.token})


@pytest.mark.parametrize("answered", [False, True], ids=["new", "to change"])
def test_the_answer_page_by_link(answered):
    counts = []
    for sections in (1, 5):
        survey = _survey(sections, 8)
        participant = ParticipantFactory(survey=survey)
        if answered:
            ResponseFactory(survey=survey, participant=participant)
        counts.append(queries(Client(), _link(participant)))
    (few, few_length), (many, many_length) = counts
    assert many_length > few_length
    assert many == few
    # The participant with its survey, the sections, the questions (and the stored answers).
    assert many == (4 if answered else 3)


def test_the_answer_page_after_a_submit_with_errors():
    survey = _survey(5, 8)
    participant = ParticipantFactory(survey=survey)
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.post(_link(participant), {})
    assert response.status_code == 200
    assert len(captured) == 3


def test_the_answer_page_on_the_site(member):
    client = Client()
    client.force_login(member)
    counts = []
    for sections in (1, 5):
        survey = _survey(sections, 8, open_on_site=True)
        ResponseFactory(survey=survey, participant=ParticipantFactory(survey=survey, profile=member.profile))
        counts.append(queries(client, survey.get_absolute_url())[0])
    assert counts[0] == counts[1]


def test_the_list(member):
    client = Client()
    client.force_login(member)

    def grow(count):
        for _i in range(count):
            SurveyFactory(open_on_site=True)
            ParticipantFactory(survey=SurveyFactory(), profile=member.profile)

    assert_same_count_as_data_grows(client, reverse("surveys:survey_list"), grow)
