"""Factories for the results' tests (surveys.results, the results page and CSV): surveys, questions and responses.

Kept apart from the app's main factories (surveys/tests/factories.py, written alongside) so the two do not clash;
the lead may fold them together.
"""

import factory
from django.utils import timezone

from surveys.models import Participant, Question, Response, Survey, SurveyQuestion


class SurveyFactory(factory.django.DjangoModelFactory):
    """A published, named regional survey."""

    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Vragenlijst {n}")
    slug = factory.Sequence(lambda n: f"vragenlijst-{n}")
    state = Survey.State.PUBLISHED


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    label = factory.Sequence(lambda n: f"Vraag {n}")
    kind = Question.Kind.TEXT
    position = factory.Sequence(lambda n: n)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    answers = factory.LazyFunction(dict)
    submitted_at = factory.LazyFunction(timezone.now)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    survey = factory.SubFactory(SurveyFactory)
    email = factory.Sequence(lambda n: f"deelnemer{n}@example.org")
    invited_at = factory.LazyFunction(timezone.now)


def respond(survey, answers_by_question, **snapshot):
    """A response to `survey` with answers keyed by the SurveyQuestion objects (stored by their ids, as JSON)."""
    answers = {str(question.pk): value for question, value in answers_by_question.items()}
    return ResponseFactory(survey=survey, answers=answers, **snapshot)
