"""Factories for events, registrations and the members they need."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from events.models import Event, IntakeQuestion, Invitation, ProgrammeItem, Registration, Session
from members.tests import factories as members_factories
from members.tests.factories import OrganisationFactory, UserFactory  # noqa: F401 - shared with this app's tests


class ProfileFactory(members_factories.ProfileFactory):
    """A member of an organisation: the per-organisation maximum needs one."""

    organisation = factory.SubFactory(OrganisationFactory)


def approved_member(**kwargs):
    """An approved member (a user with an approved profile in the Member group)."""
    profile = ProfileFactory(**kwargs)
    group, _created = Group.objects.get_or_create(name="Member")
    profile.user.groups.add(group)
    return profile.user


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Workshop {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    kind = Event.Kind.WORKSHOP
    state = Event.State.PUBLISHED
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    venue = "Wijkcentrum De Brug"
    address = "Brugstraat 1\n3511 AB Utrecht"
    meeting_url = ""
    capacity = 30
    description = "Samen leren over vroegsignalering."


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    profile = factory.SubFactory(ProfileFactory)
    name = factory.LazyAttribute(lambda o: o.profile.full_name)
    organisation = factory.LazyAttribute(lambda o: o.profile.organisation)
    organisation_name = factory.LazyAttribute(lambda o: o.profile.organisation.name if o.profile.organisation else "")
    discipline = "midwifery"
    state = Registration.State.CONFIRMED
    confirmed_at = factory.LazyAttribute(lambda o: timezone.now() if o.state == Registration.State.CONFIRMED else None)
    waiting_since = factory.LazyAttribute(lambda o: timezone.now() if o.state == Registration.State.WAITING else None)
    consent_to_list = True


class IntakeQuestionFactory(factory.django.DjangoModelFactory):
    """An optional long-text question by default; pass kind, required and choices for the others."""

    class Meta:
        model = IntakeQuestion

    event = factory.SubFactory(EventFactory)
    label = factory.Sequence(lambda n: f"Question {n}?")
    kind = IntakeQuestion.Kind.LONG_TEXT
    position = factory.Sequence(lambda n: n)


class GuestRegistrationFactory(RegistrationFactory):
    """A confirmed guest: no member account, their own address and function (issue 16)."""

    profile = None
    name = factory.Sequence(lambda n: f"Gast {n}")
    email = factory.Sequence(lambda n: f"gast{n}@minvws.example")
    function = "beleidsmedewerker"
    organisation = None
    organisation_name = "Ministerie van VWS"
    discipline = ""
    token = factory.Sequence(lambda n: f"guest-token-{n}")
    address_confirmed_at = factory.LazyFunction(timezone.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    name = "Invitee"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Deelsessie {n}")
    capacity = 10
    room = "Zaal 2"
    meeting_url = factory.Sequence(lambda n: f"https://meet.example.org/deelsessie-{n}")
    position = factory.Sequence(lambda n: n)


class ProgrammeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeItem

    event = factory.SubFactory(EventFactory)
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=30))
    title = factory.Sequence(lambda n: f"Programmaonderdeel {n}")
    guest_speakers = "Jeroen Bakker, Pharos"


def feedback_answers(event, *, score, valuable="", improve=""):
    """Form data of the event's feedback survey (its three default questions, in order), as the answer page posts it."""
    score_question, valuable_question, improve_question = event.feedback_survey.questions.order_by("position", "pk")
    return {
        f"question_{score_question.pk}": str(score),
        f"question_{valuable_question.pk}": valuable,
        f"question_{improve_question.pk}": improve,
    }


def feedback_of(registration):
    """The answers a registration's person gave to the event's feedback survey, by question position, or None."""
    from surveys.models import Response  # noqa: PLC0415 - the factories module is imported by every test

    event = registration.event
    event.refresh_from_db()
    if event.feedback_survey is None:
        return None
    email = registration.profile.user.email if registration.profile_id else registration.email
    response = (
        Response.objects.filter(survey=event.feedback_survey)
        .filter(participant__email__iexact=email)
        .select_related("participant")
        .first()
    )
    if response is None:
        return None
    questions = list(event.feedback_survey.questions.order_by("position", "pk"))
    return [response.answers.get(str(question.pk)) for question in questions]


def give_feedback(registration, *, score, valuable="", improve="", now=None):
    """The participant answers their event's feedback survey through their own place in it (as from the mail)."""
    from events import services  # noqa: PLC0415 - the factories module is imported by every test
    from surveys.services import submit_response  # noqa: PLC0415 - as above

    participant = services.feedback_participant(registration)
    survey = participant.survey
    score_question, valuable_question, improve_question = survey.questions.order_by("position", "pk")
    answers = {str(score_question.pk): score, str(valuable_question.pk): valuable, str(improve_question.pk): improve}
    return submit_response(survey, participant=participant, answers=answers, now=now)
