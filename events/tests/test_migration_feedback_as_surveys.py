"""Migration 0011 turns every event's feedback rows into the responses of that event's feedback survey, and back
(PostgreSQL, the database the portal runs on)."""

from datetime import UTC, datetime, timedelta

from django.db import connection

from coalition.tests.migrations import MIGRATION_TEST, migrate, schema_at

pytestmark = MIGRATION_TEST

BEFORE = [("events", "0010_programme")]
AFTER = [("events", "0011_feedback_as_surveys")]
START = datetime(2026, 3, 1, 14, tzinfo=UTC)


before = schema_at(BEFORE)


def _world(apps):
    """Two events with feedback (a member's, a guest's, one already detached by the retention) and one without."""
    Event = apps.get_model("events", "Event")
    Registration = apps.get_model("events", "Registration")
    Feedback = apps.get_model("events", "Feedback")
    User = apps.get_model("members", "User")
    Profile = apps.get_model("members", "Profile")
    Coalition = apps.get_model("network", "Coalition")
    coalition = Coalition.objects.create(name="Coalitie Borsele", slug="borsele", phase="implementing")
    user = User.objects.create(email="Anna@Example.org")
    profile = Profile.objects.create(user=user, discipline="midwifery")
    workshop = Event.objects.create(
        title="Workshop", slug="workshop", starts_at=START, ends_at=START + timedelta(hours=2), coalition=coalition
    )
    meeting = Event.objects.create(title="Regio", slug="regio", starts_at=START, ends_at=START, state="published")
    Event.objects.create(title="Stil", slug="stil", starts_at=START, ends_at=START)
    member = Registration.objects.create(
        event=workshop, profile=profile, name="Anna", coalition=coalition, coalition_phase="implementing"
    )
    guest = Registration.objects.create(
        event=workshop, name="Sanne", email="sanne@minvws.example", discipline="policy", token="t"
    )
    after = START + timedelta(days=1)
    Feedback.objects.create(
        event=workshop, registration=member, score=5, valuable="De casus", improve="", submitted_at=after
    )
    Feedback.objects.create(event=workshop, registration=guest, score=3, valuable="", improve="Meer tijd")
    Feedback.objects.create(event=meeting, registration=None, score=4, valuable="Ontmoeting", submitted_at=after)
    return workshop, meeting, profile, after


def test_feedback_becomes_the_events_survey_with_every_answer_and_who_gave_it(before):
    workshop, meeting, profile, after = _world(before)

    apps = migrate(AFTER)
    Event = apps.get_model("events", "Event")
    Survey = apps.get_model("surveys", "Survey")
    workshop, meeting = Event.objects.get(pk=workshop.pk), Event.objects.get(pk=meeting.pk)
    assert Survey.objects.filter(kind="feedback").count() == 2
    assert Event.objects.get(slug="stil").feedback_survey_id is None
    survey = workshop.feedback_survey
    assert (survey.kind, survey.state, survey.is_anonymous, survey.open_on_site, survey.coalition_id) == (
        "feedback",
        "published",
        False,
        False,
        workshop.coalition_id,
    )
    assert survey.opens_at == workshop.starts_at and survey.closes_at == workshop.ends_at + timedelta(days=30)
    score, valuable, improve = survey.questions.order_by("position")
    assert (score.label, score.kind, score.required) == ("Hoe waardeer je deze bijeenkomst?", "number", True)
    assert [valuable.label, improve.label] == ["Wat was het waardevolst?", "Wat kan beter?"]

    anna, sanne = survey.responses.select_related("participant").order_by("participant__email")
    assert anna.answers == {str(score.pk): 5, str(valuable.pk): "De casus"}
    assert (anna.participant.profile_id, anna.participant.email, anna.participant.answered_at) == (
        profile.pk,
        "anna@example.org",
        after,
    )
    assert (anna.coalition_id, anna.coalition_phase, anna.discipline, anna.submitted_at) == (
        workshop.coalition_id,
        "implementing",
        "midwifery",
        after,
    )
    assert sanne.answers == {str(score.pk): 3, str(improve.pk): "Meer tijd"}
    assert (sanne.participant.profile_id, sanne.participant.email, sanne.discipline) == (
        None,
        "sanne@minvws.example",
        "policy",
    )
    # Detached by the retention before: still tied to nobody, only counted as answered.
    (detached,) = meeting.feedback_survey.responses.all()
    assert detached.participant_id is None and detached.detached_at is not None
    assert detached.answers[str(meeting.feedback_survey.questions.order_by("position")[0].pk)] == 4
    (nobody,) = meeting.feedback_survey.participants.all()
    assert (nobody.profile_id, nobody.email, nobody.name) == (None, "", "") and nobody.answered_at == after
    assert "events_feedback" not in connection.introspection.table_names()


def test_back_the_responses_become_feedback_rows_again(before):
    *_events, _profile, after = _world(before)
    migrate(AFTER)

    apps = migrate(BEFORE)
    Feedback = apps.get_model("events", "Feedback")
    rows = {
        (f.event.slug, f.registration.name if f.registration else None, f.score, f.valuable, f.improve)
        for f in Feedback.objects.select_related("event", "registration")
    }
    assert rows == {
        ("workshop", "Anna", 5, "De casus", ""),
        ("workshop", "Sanne", 3, "", "Meer tijd"),
        ("regio", None, 4, "Ontmoeting", ""),
    }
    assert Feedback.objects.get(registration__name="Anna").submitted_at == after
    from surveys.models import Survey  # noqa: PLC0415 - the surveys' tables are as now; events' state lacks them

    assert not Survey.objects.filter(kind="feedback").exists()
