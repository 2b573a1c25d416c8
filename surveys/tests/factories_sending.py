"""Factories of the sending tests: a published survey with questions, its participants and responses.

Kept apart from the surveys' main factories (surveys/tests/factories.py, written at the same time); the lead may fold
them together.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from surveys.models import Participant, Response, Section, Survey, SurveyQuestion


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Behoeftepeiling {n}")
    slug = factory.Sequence(lambda n: f"behoeftepeiling-{n}")
    kind = Survey.Kind.NEEDS
    introduction = "Wat wil je leren op de regiobijeenkomst?"
    state = Survey.State.PUBLISHED
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    title = factory.Sequence(lambda n: f"Onderdeel {n}")
    position = factory.Sequence(lambda n: n)


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    label = factory.Sequence(lambda n: f"Vraag {n}")
    kind = SurveyQuestion.Kind.LONG_TEXT
    position = factory.Sequence(lambda n: n)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    survey = factory.SubFactory(SurveyFactory)
    email = factory.Sequence(lambda n: f"deelnemer{n}@example.org")
    name = factory.Sequence(lambda n: f"Deelnemer {n}")
    invited_at = factory.LazyFunction(timezone.now)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    answers = factory.LazyFunction(dict)


def survey_with_questions(**fields):
    """A published survey with two questions (about one minute), open for two weeks."""
    survey = SurveyFactory(**fields)
    SurveyQuestionFactory(survey=survey, label="Welk onderwerp?", kind=SurveyQuestion.Kind.TEXT)
    SurveyQuestionFactory(survey=survey, label="Waarom?", kind=SurveyQuestion.Kind.LONG_TEXT)
    return survey
