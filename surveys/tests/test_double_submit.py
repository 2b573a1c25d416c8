"""A double click (or two tabs) sending the same answers at once makes one response (real threads, PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from ..models import Participant, Response
from ..services import AlreadyAnswered, submit_response
from .factories import ParticipantFactory, SurveyFactory, SurveyQuestionFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]

CLICKS = 6


def _all_at_once(function, times):
    """Call `function` on `times` threads released together; the results and the errors."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def call(_index):
        try:
            barrier.wait()
            results.append(function())
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=times) as pool:
        list(pool.map(call, range(times)))
    return results, errors


def _survey(**fields):
    survey = SurveyFactory(**fields)
    question = SurveyQuestionFactory(survey=survey)
    return survey, {str(question.pk): "Meer over vroegsignalering"}


def test_a_named_survey_keeps_one_response():
    survey, answers = _survey()
    participant = ParticipantFactory(survey=survey)
    results, errors = _all_at_once(lambda: submit_response(survey, participant=participant, answers=answers), CLICKS)
    assert errors == []
    assert Response.objects.filter(survey=survey).count() == 1
    assert len({response.pk for response in results}) == 1


def test_an_anonymous_survey_takes_one_answer_and_refuses_the_rest():
    survey, answers = _survey(is_anonymous=True)
    participant = ParticipantFactory(survey=survey)
    results, errors = _all_at_once(lambda: submit_response(survey, participant=participant, answers=answers), CLICKS)
    assert len(results) == 1
    assert len(errors) == CLICKS - 1 and all(isinstance(error, AlreadyAnswered) for error in errors)
    assert Response.objects.filter(survey=survey).count() == 1


def test_answering_on_the_site_twice_at_once_makes_one_participant(member):
    survey, answers = _survey(open_on_site=True)
    _results, errors = _all_at_once(lambda: submit_response(survey, user=member, answers=answers), CLICKS)
    assert errors == []
    assert Participant.objects.filter(survey=survey).count() == 1
    assert Response.objects.filter(survey=survey).count() == 1
