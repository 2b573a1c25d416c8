"""Factories of the surveys: a survey, its sections and questions of each kind, its participants and responses.

A `SurveyFactory()` is published and open now (opened yesterday, closing in two weeks), named, answered by link
only; `open_on_site=True`, `is_anonymous=True` or the traits `draft`, `closed` and `not_yet_open` say otherwise.
A question's kind decides its choices and limits (`SurveyQuestionFactory(kind=SurveyQuestion.Kind.NUMBER)`);
`questions_of_every_kind(survey)` adds one of each. A `ParticipantFactory` is an approved member invited to the
survey; a `ResponseFactory` of a named survey is that participant's answer (their `answered_at` set with it), of
an anonymous survey tied to nobody (`AnonymousResponseFactory`). `answers_to(questions)` gives a valid answer to
each question, as stored.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from members.tests.factories import ProfileFactory
from surveys.models import Participant, Response, Section, Survey, SurveyQuestion

Kind = SurveyQuestion.Kind

CHOICES = ["Verloskunde", "Kraamzorg", "Jeugdgezondheidszorg", "Sociaal werk"]
NUMBER_LIMITS = (0, 10)
SCALE_LIMITS = (1, 5)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    class Params:
        draft = factory.Trait(state=Survey.State.DRAFT)
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=30)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        not_yet_open = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=3)),
            closes_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=20)),
        )

    title = factory.Sequence(lambda n: f"Behoeftepeiling {n}")
    slug = factory.Sequence(lambda n: f"behoeftepeiling-{n}")
    kind = Survey.Kind.NEEDS
    introduction = "Wat wil je leren op de regiobijeenkomst? Het invullen duurt drie minuten."
    state = Survey.State.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    is_anonymous = False
    open_on_site = False


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    title = factory.Sequence(lambda n: f"Onderdeel {n}")
    introduction = "Over je werk in de coalitie."
    position = factory.Sequence(lambda n: n)


def _choices(question):
    return list(CHOICES) if question.kind in (Kind.ONE_CHOICE, Kind.SEVERAL_CHOICES) else []


def _limit(index):
    limits = {Kind.NUMBER: NUMBER_LIMITS, Kind.SCALE: SCALE_LIMITS}
    return lambda question: limits[question.kind][index] if question.kind in limits else None


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    """A question of the given kind (long text unless told), with choices when it has them and 0–10 for a number.

    With `section=` and no `survey=` the question belongs to the section's survey."""

    class Meta:
        model = SurveyQuestion

    section = None
    survey = factory.LazyAttribute(lambda o: o.section.survey if o.section is not None else SurveyFactory())
    label = factory.Sequence(lambda n: f"Vraag {n}?")
    kind = Kind.LONG_TEXT
    required = False
    choices = factory.LazyAttribute(_choices)
    min_value = factory.LazyAttribute(_limit(0))
    max_value = factory.LazyAttribute(_limit(1))
    position = factory.Sequence(lambda n: n)


def questions_of_every_kind(survey, *, section=None, required=False):
    """One question of each kind in `survey` (under `section`), in the order of `Question.Kind`: {kind: question}."""
    return {
        kind: SurveyQuestionFactory(
            survey=survey, section=section, kind=kind, required=required, label=f"{kind.label}?"
        )
        for kind in Kind
    }


# An answer of each kind that `clean_answers` accepts, as stored.
VALID_ANSWERS = {
    Kind.TEXT: "Vroegsignalering",
    Kind.LONG_TEXT: "Ik bel de kraamzorg nu veel eerder.",
    Kind.ONE_CHOICE: CHOICES[1],
    Kind.SEVERAL_CHOICES: [CHOICES[0], CHOICES[2]],
    Kind.YES_NO: True,
    Kind.NUMBER: 7,
    Kind.SCALE: 4,
}


def answers_to(questions):
    """A valid answer to each of `questions` (a list, or the dict of `questions_of_every_kind`), keyed by id."""
    questions = questions.values() if isinstance(questions, dict) else questions
    return {str(question.pk): VALID_ANSWERS[question.kind] for question in questions}


class ParticipantFactory(factory.django.DjangoModelFactory):
    """An approved member invited to the survey (their personal link is `participant.token`)."""

    class Meta:
        model = Participant

    survey = factory.SubFactory(SurveyFactory)
    profile = factory.SubFactory(ProfileFactory)
    email = factory.LazyAttribute(lambda o: o.profile.user.email if o.profile else "")
    name = factory.LazyAttribute(lambda o: o.profile.full_name if o.profile else "")
    invited_at = factory.LazyFunction(timezone.now)


class ResponseFactory(factory.django.DjangoModelFactory):
    """A named survey's response of a participant (who is marked as having answered)."""

    class Meta:
        model = Response
        skip_postgeneration_save = True

    survey = factory.SubFactory(SurveyFactory)
    participant = factory.SubFactory(ParticipantFactory, survey=factory.SelfAttribute("..survey"))
    answers = factory.LazyAttribute(lambda o: answers_to(o.survey.questions.all()))
    # The snapshot for the breakdowns: give `coalition=` (its phase follows) and `discipline=` as a test needs.
    coalition = None
    coalition_phase = factory.LazyAttribute(lambda o: o.coalition.phase if o.coalition is not None else "")
    discipline = factory.LazyAttribute(lambda o: o.participant.profile.discipline if o.participant else "")

    @factory.post_generation
    def mark_answered(obj, create, extracted, **kwargs):
        if create and obj.participant is not None and obj.participant.answered_at is None:
            obj.participant.answered_at = obj.submitted_at
            obj.participant.save(update_fields=["answered_at"])


class AnonymousResponseFactory(ResponseFactory):
    """A response of an anonymous survey: tied to nobody, submitted on a day (no time of day)."""

    survey = factory.SubFactory(SurveyFactory, is_anonymous=True)
    participant = None
    submitted_at = factory.LazyFunction(lambda: timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0))
