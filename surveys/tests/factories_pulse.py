"""Factories for the pulse, privacy and demo tests (helper 5's surveys/tests/factories.py may absorb them)."""

from datetime import timedelta

import factory
from django.utils import timezone

from members.tests.factories import ProfileFactory
from surveys.models import Participant, Response, Section, Survey, SurveyQuestion


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Vragenlijst {n}")
    slug = factory.Sequence(lambda n: f"vragenlijst-{n}")
    state = Survey.State.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    title = factory.Sequence(lambda n: f"Deel {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    label = factory.Sequence(lambda n: f"Vraag {n}?")
    kind = SurveyQuestion.Kind.LONG_TEXT
    position = factory.Sequence(int)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    survey = factory.SubFactory(SurveyFactory)
    profile = factory.SubFactory(ProfileFactory)
    email = factory.LazyAttribute(lambda o: o.profile.user.email if o.profile else "")
    name = factory.LazyAttribute(lambda o: o.profile.full_name if o.profile else "")
    invited_at = factory.LazyFunction(timezone.now)


def answer(survey, answers, *, profile=None, discipline="midwifery", coalition=None, participant=None):
    """One person's completed form as the answering service leaves it: a named survey ties the response to the
    participant, an anonymous one only marks the participant as having answered."""
    now = timezone.now()
    if participant is None:
        participant = ParticipantFactory(survey=survey, **({"profile": profile} if profile else {}))
    participant.answered_at = now
    participant.save(update_fields=["answered_at"])
    return Response.objects.create(
        survey=survey,
        participant=None if survey.is_anonymous else participant,
        answers={str(key): value for key, value in answers.items()},
        coalition=coalition,
        coalition_phase=coalition.phase if coalition else "",
        discipline=discipline,
        submitted_at=now,
    )
