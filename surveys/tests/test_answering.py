"""Answering a survey (surveys.services.submit_response): named and anonymous, by the link or on the site."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from coalition.rules import NotAllowed
from members.models import Discipline
from members.tests.factories import MunicipalityFactory, ProfileFactory
from network.models import Phase
from network.tests.factories import CoalitionFactory

from ..models import Participant, Response, SurveyQuestion
from ..services import AlreadyAnswered, InvalidAnswers, SurveyNotOpen, participant_of, submit_response
from .factories import (
    ParticipantFactory,
    SectionFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    answers_to,
    questions_of_every_kind,
)

pytestmark = pytest.mark.django_db

Kind = SurveyQuestion.Kind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def survey():
    survey = SurveyFactory()
    questions_of_every_kind(survey, section=SectionFactory(survey=survey))
    return survey


def _answers(survey, **changes):
    answers = answers_to(survey.questions.all())
    by_kind = {question.kind: str(question.pk) for question in survey.questions.all()}
    for kind, value in changes.items():
        answers[by_kind[kind]] = value
    return answers


def test_a_named_answer_is_stored_with_its_participant_and_marks_them_answered(survey):
    participant = ParticipantFactory(survey=survey)
    response = submit_response(survey, participant=participant, answers=_answers(survey))
    participant.refresh_from_db()
    assert response.participant == participant
    assert response.answers == _answers(survey)
    assert response.updated_at is None
    assert participant.answered_at == response.submitted_at


def test_the_answers_are_normalised_as_stored(survey):
    participant = ParticipantFactory(survey=survey)
    response = submit_response(survey, participant=participant, answers=_answers(survey, number="7.50", text=""))
    text = str(survey.questions.get(kind=Kind.TEXT).pk)
    number = str(survey.questions.get(kind=Kind.NUMBER).pk)
    assert text not in response.answers, "an unanswered question is left out"
    assert response.answers[number] == "7.5"


def test_a_second_named_answer_before_the_close_replaces_the_first(survey):
    participant = ParticipantFactory(survey=survey)
    first = submit_response(survey, participant=participant, answers=_answers(survey))
    answered_at = Participant.objects.get(pk=participant.pk).answered_at
    later = timezone.now() + timedelta(hours=1)
    second = submit_response(survey, participant=participant, answers=_answers(survey, yes_no=False), now=later)
    assert second.pk == first.pk
    assert Response.objects.filter(survey=survey).count() == 1
    second.refresh_from_db()
    assert second.answers == _answers(survey, yes_no=False)
    assert second.updated_at == later
    assert Participant.objects.get(pk=participant.pk).answered_at == answered_at, "when they first answered"


def test_after_the_close_nothing_is_stored_and_the_message_gives_the_date(survey):
    participant = ParticipantFactory(survey=survey)
    after = survey.closes_at + timedelta(minutes=1)
    with pytest.raises(SurveyNotOpen, match=r"This survey closed on \w+day \d+ \w+ \d{4}, \d\d:\d\d\."):
        submit_response(survey, participant=participant, answers=_answers(survey), now=after)
    assert not Response.objects.exists()
    assert Participant.objects.get(pk=participant.pk).answered_at is None


def test_a_named_answer_cannot_be_changed_after_the_close(survey):
    participant = ParticipantFactory(survey=survey)
    submit_response(survey, participant=participant, answers=_answers(survey))
    with pytest.raises(SurveyNotOpen, match="closed on"):
        submit_response(survey, participant=participant, answers=_answers(survey, yes_no=False), now=survey.closes_at)
    assert Response.objects.get().answers == _answers(survey)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"draft": True}, "This survey is not open for answers."),
        ({"not_yet_open": True}, "This survey opens on"),
    ],
)
def test_a_survey_not_open_yet_takes_no_answers(fields, message):
    survey = SurveyFactory(**fields)
    with pytest.raises(SurveyNotOpen, match=message):
        submit_response(survey, participant=ParticipantFactory(survey=survey), answers={})


def test_a_survey_without_a_closing_date_stays_open():
    survey = SurveyFactory(opens_at=None, closes_at=None)
    response = submit_response(
        survey, participant=ParticipantFactory(survey=survey), answers={}, now=timezone.now() + timedelta(days=999)
    )
    assert response.pk


def test_an_anonymous_answer_is_tied_to_nobody_and_carries_only_its_day():
    survey = SurveyFactory(is_anonymous=True)
    questions_of_every_kind(survey)
    participant = ParticipantFactory(survey=survey)
    moment = timezone.now().replace(hour=15, minute=42)
    response = submit_response(survey, participant=participant, answers=_answers(survey), now=moment)
    participant.refresh_from_db()
    response.refresh_from_db()
    assert response.participant is None
    assert not hasattr(participant, "response") or Response.objects.filter(participant=participant).count() == 0
    local = timezone.localtime(response.submitted_at)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert timezone.localtime(moment).date() == local.date()
    assert participant.answered_at == response.submitted_at, "whether they answered, not when to the minute"
    assert response.updated_at is None


def test_a_second_anonymous_answer_is_refused():
    survey = SurveyFactory(is_anonymous=True)
    questions_of_every_kind(survey)
    participant = ParticipantFactory(survey=survey)
    submit_response(survey, participant=participant, answers=_answers(survey))
    with pytest.raises(AlreadyAnswered, match="anonymous answers cannot be changed"):
        submit_response(survey, participant=participant, answers=_answers(survey, yes_no=False))
    assert Response.objects.filter(survey=survey).count() == 1
    assert Response.objects.get().answers == _answers(survey)


def test_the_coalition_its_phase_and_the_discipline_are_recorded():
    municipality = MunicipalityFactory()
    coalition = CoalitionFactory(municipalities=[municipality])
    coalition.phase = Phase.PLANNING
    coalition.save()
    profile = ProfileFactory(discipline=Discipline.MATERNITY_CARE, municipalities=[municipality])
    survey = SurveyFactory()
    response = submit_response(survey, participant=ParticipantFactory(survey=survey, profile=profile), answers={})
    assert (response.coalition, response.coalition_phase, response.discipline) == (
        coalition,
        Phase.PLANNING,
        Discipline.MATERNITY_CARE,
    )


def test_an_anonymous_answer_keeps_the_snapshot_for_the_breakdowns():
    municipality = MunicipalityFactory()
    coalition = CoalitionFactory(municipalities=[municipality])
    profile = ProfileFactory(discipline=Discipline.MATERNITY_CARE, municipalities=[municipality])
    survey = SurveyFactory(is_anonymous=True)
    response = submit_response(survey, participant=ParticipantFactory(survey=survey, profile=profile), answers={})
    assert (response.coalition, response.coalition_phase, response.discipline) == (
        coalition,
        coalition.phase,
        Discipline.MATERNITY_CARE,
    )


def test_a_person_without_a_profile_or_coalition_is_recorded_blank():
    survey = SurveyFactory()
    guest = ParticipantFactory(survey=survey, profile=None, email="gast@example.org", name="Gast")
    response = submit_response(survey, participant=guest, answers={})
    assert (response.coalition, response.coalition_phase, response.discipline) == (None, "", "")
    loner = ParticipantFactory(survey=survey, profile=ProfileFactory(discipline=Discipline.SOCIAL_WORK))
    response = submit_response(survey, participant=loner, answers={})
    assert (response.coalition, response.coalition_phase, response.discipline) == (None, "", Discipline.SOCIAL_WORK)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"one_choice": "Tandarts"}, "Select a valid choice"),
        ({"several_choices": ["Verloskunde", "Huisarts"]}, "Select a valid choice"),
        ({"number": 11}, "less than or equal to 10"),
        ({"yes_no": "ja"}, "does not fit the question"),
        ({"text": "x" * 501}, "at most 500 characters"),
    ],
)
def test_an_answer_that_does_not_fit_is_refused_with_its_question(survey, change, message):
    participant = ParticipantFactory(survey=survey)
    with pytest.raises(InvalidAnswers, match=message) as refused:
        submit_response(survey, participant=participant, answers=_answers(survey, **change))
    kind = next(iter(change))
    assert survey.questions.get(kind=kind).label in str(refused.value)
    assert not Response.objects.exists()
    assert Participant.objects.get(pk=participant.pk).answered_at is None


def test_a_missing_required_answer_is_refused():
    survey = SurveyFactory()
    question = SurveyQuestionFactory(survey=survey, kind=Kind.ONE_CHOICE, required=True, label="Welke fase?")
    with pytest.raises(InvalidAnswers, match=r"Welke fase\?.*required"):
        submit_response(survey, participant=ParticipantFactory(survey=survey), answers={str(question.pk): ""})


def test_an_answer_to_another_surveys_question_is_refused(survey):
    elsewhere = SurveyQuestionFactory(kind=Kind.TEXT)
    with pytest.raises(InvalidAnswers, match="not asked here"):
        submit_response(
            survey,
            participant=ParticipantFactory(survey=survey),
            answers={**_answers(survey), str(elsewhere.pk): "Nee"},
        )


def test_a_participant_of_another_survey_cannot_answer(survey):
    with pytest.raises(ValueError, match="another survey"):
        submit_response(survey, participant=ParticipantFactory(), answers={})


def test_it_takes_exactly_one_way_in(survey, member):
    with pytest.raises(TypeError):
        submit_response(survey, answers={})
    with pytest.raises(TypeError):
        submit_response(survey, participant=ParticipantFactory(survey=survey), user=member, answers={})


# --- On the site ---------------------------------------------------------------------------------------------------


def test_a_member_answering_on_the_site_becomes_a_participant(member):
    survey = SurveyFactory(open_on_site=True)
    response = submit_response(survey, user=member, answers={})
    participant = Participant.objects.get(survey=survey)
    assert (participant.profile, participant.email, participant.name) == (
        member.profile,
        member.email,
        member.profile.full_name,
    )
    assert participant.answered_at is not None
    assert response.participant == participant
    submit_response(survey, user=member, answers={})
    assert Participant.objects.filter(survey=survey).count() == 1
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_member_who_was_mailed_a_link_answers_on_the_site_as_that_participant(member):
    survey = SurveyFactory(open_on_site=True)
    invited = ParticipantFactory(survey=survey, profile=member.profile)
    submit_response(survey, user=member, answers={})
    assert list(Participant.objects.filter(survey=survey)) == [invited]
    invited.refresh_from_db()
    assert invited.answered_at is not None


def test_an_address_invited_before_it_had_an_account_is_found_by_its_address(member):
    survey = SurveyFactory(open_on_site=True)
    invited = ParticipantFactory(survey=survey, profile=None, email=member.email.upper(), name="")
    submit_response(survey, user=member, answers={})
    invited.refresh_from_db()
    assert invited.profile == member.profile
    assert Participant.objects.filter(survey=survey).count() == 1


def test_an_anonymous_survey_on_the_site_is_answered_once(member):
    survey = SurveyFactory(open_on_site=True, is_anonymous=True)
    submit_response(survey, user=member, answers={})
    with pytest.raises(AlreadyAnswered):
        submit_response(survey, user=member, answers={})
    assert Response.objects.filter(survey=survey, participant__isnull=True).count() == 1


def test_by_link_an_anonymous_survey_answered_on_the_site_is_refused(member):
    survey = SurveyFactory(open_on_site=True, is_anonymous=True)
    invited = ParticipantFactory(survey=survey, profile=member.profile)
    submit_response(survey, user=member, answers={})
    with pytest.raises(AlreadyAnswered):
        submit_response(survey, participant=invited, answers={})


@pytest.mark.parametrize("who", ["pending_member", "declined_member"])
def test_only_approved_members_answer_on_the_site(request, who):
    survey = SurveyFactory(open_on_site=True)
    with pytest.raises(NotAllowed):
        submit_response(survey, user=request.getfixturevalue(who), answers={})
    assert not Participant.objects.exists()


def test_a_survey_not_open_on_the_site_is_answered_by_link_only(member):
    survey = SurveyFactory(open_on_site=False)
    with pytest.raises(NotAllowed, match="personal link"):
        submit_response(survey, user=member, answers={})


def test_a_closed_survey_on_the_site_makes_no_participant(member):
    survey = SurveyFactory(open_on_site=True, closed=True)
    with pytest.raises(SurveyNotOpen):
        submit_response(survey, user=member, answers={})
    assert not Participant.objects.exists()


def test_participant_of_finds_nobody_for_someone_who_did_not_take_part(member):
    survey = SurveyFactory()
    assert participant_of(survey, member) is None
    assert not Participant.objects.exists()


def test_a_person_of_several_coalitions_counts_for_the_surveys_own():
    here, there = MunicipalityFactory(), MunicipalityFactory()
    first = CoalitionFactory(name="Aardenburg", municipalities=[here])
    own = CoalitionFactory(name="Zierikzee", municipalities=[there])
    profile = ProfileFactory(municipalities=[here, there])
    regional = SurveyFactory()
    assert (
        submit_response(
            regional, participant=ParticipantFactory(survey=regional, profile=profile), answers={}
        ).coalition
        == first
    )
    of_own = SurveyFactory(coalition=own)
    assert (
        submit_response(of_own, participant=ParticipantFactory(survey=of_own, profile=profile), answers={}).coalition
        == own
    )
