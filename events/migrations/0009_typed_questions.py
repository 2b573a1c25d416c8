"""Typed intake questions: the JSON list of question texts becomes IntakeQuestion rows (long text, optional, in
their order), each answer is keyed by its question's id instead of its text; the fixed "How far is your
coalition?" becomes an event's own question where anyone answered it, and each registration records the
registrant's coalition and its phase instead."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import translation
from django.utils.translation import gettext

import surveys.models

LONG_TEXT = "long_text"


def coalition_question_label():
    """The label the fixed question had on screen, in the portal's language: the coordinators' question now."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("How far is your coalition?")


def questions_to_rows(apps, schema_editor):
    """Forward: per event, its question texts (and the old fixed question where someone answered it) as rows.

    Answers to a text that is no longer among the event's questions had no question to be shown under and are
    dropped; empty answers are left out, as the form leaves them out now.
    """
    Event = apps.get_model("events", "Event")
    Registration = apps.get_model("events", "Registration")
    IntakeQuestion = apps.get_model("events", "IntakeQuestion")
    label = coalition_question_label()
    for event in Event.objects.order_by("pk").iterator():
        registrations = list(Registration.objects.filter(event_id=event.pk).order_by("pk"))
        position = 0
        progress = None
        if any((registration.coalition_progress or "").strip() for registration in registrations):
            progress = IntakeQuestion.objects.create(event_id=event.pk, label=label, kind=LONG_TEXT, position=0)
            position = 1
        keys = {}
        for text in event.intake_questions or []:
            text = str(text).strip()
            if not text or text in keys:
                continue
            question = IntakeQuestion.objects.create(
                event_id=event.pk, label=text[:500], kind=LONG_TEXT, position=position
            )
            keys[text] = str(question.pk)
            position += 1
        for registration in registrations:
            answers = {}
            if progress is not None and (registration.coalition_progress or "").strip():
                answers[str(progress.pk)] = registration.coalition_progress.strip()
            for text, answer in (registration.answers or {}).items():
                key = keys.get(str(text).strip())
                if key and str(answer).strip():
                    answers[key] = str(answer).strip()
            if answers != registration.answers:
                registration.answers = answers
                registration.save(update_fields=["answers"])


def _as_text(value):
    if isinstance(value, bool):
        with translation.override(settings.LANGUAGE_CODE):
            return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def rows_to_questions(apps, schema_editor):
    """Backward: the question rows as texts again (every answer as text), the coalition question's answers back
    in `coalition_progress`."""
    Event = apps.get_model("events", "Event")
    Registration = apps.get_model("events", "Registration")
    IntakeQuestion = apps.get_model("events", "IntakeQuestion")
    label = coalition_question_label()
    for event in Event.objects.order_by("pk").iterator():
        questions = list(IntakeQuestion.objects.filter(event_id=event.pk).order_by("position", "pk"))
        progress = next((q for q in questions if q.label == label and q.kind == LONG_TEXT), None)
        others = [question for question in questions if question is not progress]
        event.intake_questions = [question.label for question in others]
        event.save(update_fields=["intake_questions"])
        for registration in Registration.objects.filter(event_id=event.pk):
            answers = registration.answers or {}
            registration.coalition_progress = str(answers.get(str(progress.pk), "")) if progress else ""
            registration.answers = {
                question.label: _as_text(answers[str(question.pk)])
                for question in others
                if answers.get(str(question.pk)) not in (None, "", [])
            }
            registration.save(update_fields=["coalition_progress", "answers"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_guests"),
        ("network", "0003_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="coalition",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="network.coalition",
                verbose_name="coalition",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="coalition_phase",
            field=models.CharField(
                blank=True,
                choices=[
                    ("exploring", "Exploring"),
                    ("forming", "Forming"),
                    ("planning", "Planning"),
                    ("carrying_out", "Carrying out"),
                    ("embedding", "Embedding"),
                ],
                max_length=16,
                verbose_name="phase of the coalition",
            ),
        ),
        # Without a reverse accessor until the old JSON field of the same name is gone (AlterField below).
        migrations.CreateModel(
            name="IntakeQuestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=500, verbose_name="question")),
                (
                    "help_text",
                    models.CharField(
                        blank=True, help_text="Shown under the question.", max_length=500, verbose_name="explanation"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("text", "Text"),
                            ("long_text", "Long text"),
                            ("one_choice", "One choice"),
                            ("several_choices", "Several choices"),
                            ("yes_no", "Yes or no"),
                            ("number", "Number"),
                        ],
                        default="long_text",
                        max_length=16,
                        verbose_name="type",
                    ),
                ),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                (
                    "choices",
                    surveys.models.ChoiceListField(
                        blank=True,
                        default=list,
                        help_text="Only for a choice question: one choice per line, at least two.",
                        verbose_name="choices",
                    ),
                ),
                (
                    "min_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Only for a number.",
                        max_digits=12,
                        null=True,
                        verbose_name="lowest number",
                    ),
                ),
                (
                    "max_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Only for a number.",
                        max_digits=12,
                        null=True,
                        verbose_name="highest number",
                    ),
                ),
                (
                    "position",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="The questions are asked from the lowest number up.",
                        verbose_name="position",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="events.event",
                        verbose_name="event",
                    ),
                ),
            ],
            options={
                "verbose_name": "intake question",
                "verbose_name_plural": "intake questions",
                "ordering": ["position", "pk"],
                "abstract": False,
            },
        ),
        migrations.RunPython(questions_to_rows, rows_to_questions),
        migrations.RemoveField(model_name="event", name="intake_questions"),
        migrations.RemoveField(model_name="registration", name="coalition_progress"),
        migrations.AlterField(
            model_name="intakequestion",
            name="event",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="intake_questions",
                to="events.event",
                verbose_name="event",
            ),
        ),
    ]
