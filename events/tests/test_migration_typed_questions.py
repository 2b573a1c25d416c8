"""Migration 0009 turns the JSON question texts and the fixed coalition question into typed question rows, with every
answer keyed by its question's id, and back (PostgreSQL, the database the portal runs on)."""

from datetime import UTC, datetime

from django.utils import translation

from coalition.tests.migrations import MIGRATION_TEST, migrate, schema_at

pytestmark = MIGRATION_TEST

BEFORE = [("events", "0008_guests")]
AFTER = [("events", "0009_typed_questions")]
START = datetime(2026, 3, 1, 14, tzinfo=UTC)


before = schema_at(BEFORE)


def _event(apps, slug, questions):
    Event = apps.get_model("events", "Event")
    return Event.objects.create(
        title=slug, slug=slug, starts_at=START, ends_at=START, state="published", intake_questions=questions
    )


def test_question_texts_become_long_text_rows_and_answers_follow_them(before, settings):
    Registration = before.get_model("events", "Registration")
    asked = _event(before, "asked", ["Wat wil je leren?", "  ", "Dieetwensen?"])
    answered = Registration.objects.create(
        event=asked,
        name="Anna",
        coalition_progress="Convenant getekend",
        answers={"Wat wil je leren?": "Casuïstiek", "Dieetwensen?": "", "Een vraag van toen": "weg"},
    )
    silent = Registration.objects.create(event=asked, name="Bram", coalition_progress="  ", answers={})
    plain = _event(before, "plain", ["Wat neem je mee?"])
    Registration.objects.create(event=plain, name="Cor", coalition_progress="", answers={"Wat neem je mee?": "Niets"})
    empty = _event(before, "empty", [])

    after = migrate(AFTER)
    IntakeQuestion = after.get_model("events", "IntakeQuestion")
    Registration = after.get_model("events", "Registration")
    with translation.override(settings.LANGUAGE_CODE):
        coalition_label = translation.gettext("How far is your coalition?")

    rows = list(IntakeQuestion.objects.filter(event_id=asked.pk).order_by("position"))
    assert [(q.label, q.kind, q.required, q.position) for q in rows] == [
        (coalition_label, "long_text", False, 0),
        ("Wat wil je leren?", "long_text", False, 1),
        ("Dieetwensen?", "long_text", False, 2),
    ]
    progress, learn, _diet = rows
    # The answer to a question the event no longer asked had nowhere to be shown and is gone; empty ones too.
    assert Registration.objects.get(pk=answered.pk).answers == {
        str(progress.pk): "Convenant getekend",
        str(learn.pk): "Casuïstiek",
    }
    assert Registration.objects.get(pk=silent.pk).answers == {}
    # Nobody answered the coalition question here: the event does not get it.
    (only,) = IntakeQuestion.objects.filter(event_id=plain.pk)
    assert (only.label, only.position) == ("Wat neem je mee?", 0)
    assert Registration.objects.get(name="Cor").answers == {str(only.pk): "Niets"}
    assert not IntakeQuestion.objects.filter(event_id=empty.pk).exists()
    fields = {field.name for field in Registration._meta.get_fields()}
    assert "coalition_progress" not in fields and {"coalition", "coalition_phase"} <= fields

    # And back: texts again, the coalition question's answers in their own field.
    IntakeQuestion.objects.create(event_id=plain.pk, label="Lunch?", kind="yes_no", position=1)
    lunch = IntakeQuestion.objects.get(label="Lunch?")
    Registration.objects.filter(name="Cor").update(answers={str(only.pk): "Niets", str(lunch.pk): True})
    back = migrate(BEFORE)
    Event = back.get_model("events", "Event")
    Registration = back.get_model("events", "Registration")
    assert Event.objects.get(slug="asked").intake_questions == ["Wat wil je leren?", "Dieetwensen?"]
    anna = Registration.objects.get(name="Anna")
    assert (anna.coalition_progress, anna.answers) == ("Convenant getekend", {"Wat wil je leren?": "Casuïstiek"})
    with translation.override(settings.LANGUAGE_CODE):
        yes = translation.gettext("Yes")
    assert Registration.objects.get(name="Cor").answers == {"Wat neem je mee?": "Niets", "Lunch?": yes}
