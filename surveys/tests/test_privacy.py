"""Privacy of the surveys: anonymous answers tied to nobody, named ones detached after the retention period or when
the account goes, and everything about a person in "download my data"."""

from datetime import timedelta

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from coalition.celery import app, registered_task
from members import services as members_services
from members.models import Profile, User
from surveys import services
from surveys.models import Participant, Response, Survey, SurveyQuestion

from .factories_pulse import ParticipantFactory, QuestionFactory, SurveyFactory, answer

pytestmark = pytest.mark.django_db

Kind = SurveyQuestion.Kind


# --- What the tables can hold ------------------------------------------------------------------------------------


def test_no_column_of_a_response_can_name_a_person_but_the_participant_of_a_named_survey():
    """A response's columns: what was answered and the group snapshots. The participant is its only way to a person,
    and an anonymous survey leaves it empty; nothing else refers to a profile, a user or an address."""
    columns = {field.name: field for field in Response._meta.concrete_fields}
    assert set(columns) == {
        "id",
        "survey",
        "participant",
        "answers",
        "coalition",
        "coalition_phase",
        "discipline",
        "submitted_at",
        "updated_at",
        "detached_at",
    }
    relations = {name: field.related_model for name, field in columns.items() if field.is_relation}
    assert relations == {"survey": Survey, "participant": Participant, "coalition": relations["coalition"]}
    assert relations["coalition"]._meta.label == "network.Coalition"
    assert not any(isinstance(field, models.EmailField) for field in columns.values())


def test_a_participant_keeps_whether_someone_answered_never_what():
    columns = {field.name for field in Participant._meta.concrete_fields}
    assert columns == {"id", "survey", "profile", "email", "name", "token", "invited_at", "reminded_at", "answered_at"}
    # The response points at the participant (and only in a named survey), never the other way round.
    assert not any(field.is_relation and field.related_model is Response for field in Participant._meta.concrete_fields)


# --- Retention ----------------------------------------------------------------------------------------------------


@pytest.fixture
def retention(settings):
    settings.EVENT_RETENTION_MONTHS = 12
    return timedelta(days=round(12 * 365.25 / 12))


def _closed(ago, *, anonymous=False, **kwargs):
    now = timezone.now()
    return SurveyFactory(is_anonymous=anonymous, opens_at=now - ago - timedelta(days=30), closes_at=now - ago, **kwargs)


def _answered(survey, text="Meer overleg"):
    question = survey.questions.first() or QuestionFactory(survey=survey)
    return answer(survey, {question.pk: text})


def test_named_answers_are_detached_once_the_retention_period_after_the_close_is_over(retention):
    old = _closed(retention + timedelta(days=1))
    recent = _closed(retention - timedelta(days=1))
    running = SurveyFactory(closes_at=None)
    old_response, recent_response, running_response = (_answered(s) for s in (old, recent, running))
    invited_only = ParticipantFactory(survey=old)

    assert services.detach_responses() == 2

    old_response.refresh_from_db()
    assert old_response.participant is None and old_response.detached_at is not None
    assert old_response.answers == {str(old.questions.get().pk): "Meer overleg"}  # the answers stay, for the results
    for participant in Participant.objects.filter(survey=old):
        assert (participant.profile, participant.name, participant.email) == (None, "", "")
    # Whether they answered stays, for the response rate.
    assert Participant.objects.filter(survey=old, answered_at__isnull=False).count() == 1
    assert Participant.objects.get(pk=invited_only.pk).answered_at is None
    for response in (recent_response, running_response):
        response.refresh_from_db()
        assert response.participant is not None and response.detached_at is None
        assert response.participant.name and response.participant.email and response.participant.profile


def test_detaching_twice_changes_nothing_the_second_time(retention):
    survey = _closed(retention * 2)
    response = _answered(survey)
    services.detach_responses()
    response.refresh_from_db()
    first = response.detached_at
    assert services.detach_responses(now=timezone.now() + timedelta(days=1)) == 0
    response.refresh_from_db()
    assert response.detached_at == first


def test_anonymous_answers_are_left_as_they_are_and_only_the_invitations_lose_their_names(retention):
    survey = _closed(retention * 2, anonymous=True)
    response = _answered(survey, "Niets")
    before = Response.objects.filter(pk=response.pk).values()[0]

    services.detach_responses()

    assert Response.objects.filter(pk=response.pk).values()[0] == before  # never linked: nothing to detach
    assert not Participant.objects.filter(survey=survey).exclude(name="", email="", profile=None).exists()


def test_the_retention_task_is_scheduled_every_night_and_runs_the_service(retention):
    schedules = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "surveys.tasks.detach_responses" in schedules
    response = _answered(_closed(retention * 2))
    assert registered_task("surveys.tasks.detach_responses").apply().get() == 1
    response.refresh_from_db()
    assert response.participant is None


# --- Download my data ---------------------------------------------------------------------------------------------


def _named_with_every_kind(profile):
    survey = SurveyFactory(title="Netwerkpeiling 2026", kind=Survey.Kind.PULSE)
    contacts = QuestionFactory(
        survey=survey, label="Met wie?", kind=Kind.SEVERAL_CHOICES, choices=["Verloskunde", "Kraamzorg"], position=0
    )
    score = QuestionFactory(survey=survey, label="Hoe tevreden?", kind=Kind.NUMBER, position=1)
    again = QuestionFactory(survey=survey, label="Zou je weer meedoen?", kind=Kind.YES_NO, position=2)
    QuestionFactory(survey=survey, label="Nog iets?", kind=Kind.LONG_TEXT, position=3)  # left empty
    answer(
        survey,
        {contacts.pk: ["Verloskunde", "Kraamzorg"], score.pk: "3.5", again.pk: True},
        participant=ParticipantFactory(survey=survey, profile=profile),
    )
    return survey


def test_my_data_lists_my_surveys_with_my_named_answers_readable_per_question(member):
    from django.utils import translation  # noqa: PLC0415 — only this test reads the answers in English

    profile = member.profile
    _named_with_every_kind(profile)
    anonymous = SurveyFactory(title="Wat wil je leren?", is_anonymous=True)
    answer(
        anonymous,
        {QuestionFactory(survey=anonymous).pk: "Samenwerken"},
        participant=ParticipantFactory(survey=anonymous, profile=profile),
    )
    ParticipantFactory(survey=SurveyFactory(title="Klankbord"), profile=profile)  # invited, not answered
    _named_with_every_kind(Profile.objects.exclude(pk=profile.pk).first() or None)  # someone else's

    with translation.override("en"):
        data = members_services.export_data(member)["surveys"]

    assert [row["survey"] for row in data] == ["Netwerkpeiling 2026", "Wat wil je leren?", "Klankbord"]
    named, anonymous_row, invited = data
    assert named["answers"] == [
        {"question": "Met wie?", "answer": "Verloskunde, Kraamzorg"},
        {"question": "Hoe tevreden?", "answer": "3.5"},
        {"question": "Zou je weer meedoen?", "answer": "Yes"},
    ]
    assert named["email"] == member.email and named["answered_at"] and not named["anonymous"]
    # An anonymous answer cannot be found again, not even for its writer: only that they took part.
    assert anonymous_row["anonymous"] and anonymous_row["answers"] is None and anonymous_row["answered_at"]
    assert invited["answered_at"] is None and invited["answers"] == [] and invited["invited_at"]


def test_my_data_export_of_surveys_takes_the_same_queries_for_one_survey_as_for_five(member, django_assert_num_queries):
    _named_with_every_kind(member.profile)
    with django_assert_num_queries(2):  # the participations with their surveys and responses; the questions
        services.export_surveys(member)
    for _ in range(4):
        _named_with_every_kind(member.profile)
    with django_assert_num_queries(2):
        assert len(services.export_surveys(member)) == 5


# --- A deleted account --------------------------------------------------------------------------------------------


def test_deleting_an_account_detaches_its_named_answers_and_keeps_only_the_counts(member):
    named = _named_with_every_kind(member.profile)
    anonymous = SurveyFactory(is_anonymous=True)
    anonymous_response = answer(
        anonymous,
        {QuestionFactory(survey=anonymous).pk: "Samenwerken"},
        participant=ParticipantFactory(survey=anonymous, profile=member.profile),
    )
    others = _named_with_every_kind(ParticipantFactory().profile).responses.get()
    anonymous_before = Response.objects.filter(pk=anonymous_response.pk).values()[0]

    members_services.delete_account(member)

    assert not User.objects.filter(pk=member.pk).exists()
    response = named.responses.get()
    assert response.participant is None and response.detached_at is not None and response.answers
    for survey in (named, anonymous):
        participant = survey.participants.get()
        assert (participant.profile, participant.name, participant.email) == (None, "", "")
        assert participant.answered_at is not None  # the response rate stays right
    assert Response.objects.filter(pk=anonymous_response.pk).values()[0] == anonymous_before
    others.refresh_from_db()
    assert others.participant is not None and others.participant.email


# --- The privacy statement ----------------------------------------------------------------------------------------


def test_the_privacy_statement_says_what_is_kept_of_surveys_and_for_how_long(client, settings):
    page = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Anonymous survey: your answers are stored without your name" in page
    assert f"{settings.EVENT_RETENTION_MONTHS} months after the survey closes" in page
    assert "Your surveys and your named answers are in the download of your data" in page
