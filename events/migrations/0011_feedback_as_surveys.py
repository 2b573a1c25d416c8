"""The fixed feedback of an event becomes a survey attached to it (issue 17): every event with feedback gets its
feedback survey with the three questions the form asked, every feedback row becomes a response to it, and the
`Feedback` table goes.

One migration, not a data migration and a second one removing the model: the rows are moved and the table dropped in
one transaction, so no deploy can run with the old table still written to and the surveys already read (and a
reverse runs the same steps back, recreating the rows from the responses before the surveys are removed).

The survey's texts are copied here as they were when the feedback moved: events.services may word them differently
later, this migration must keep doing what it did.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

OPEN_AFTER_END = timedelta(days=30)
TITLE = "Feedback: {title}"
INTRODUCTION = "Hoe was {title}? Drie korte vragen; je antwoorden helpen de volgende bijeenkomst beter te maken."
SCORE = {
    "label": "Hoe waardeer je deze bijeenkomst?",
    "help_text": "Een cijfer van 1 (slecht) tot 5 (uitstekend).",
    "kind": "number",
    "required": True,
    "min_value": 1,
    "max_value": 5,
}
VALUABLE = {"label": "Wat was het waardevolst?", "kind": "long_text"}
IMPROVE = {"label": "Wat kan beter?", "kind": "long_text"}


def _free_slug(Survey, base):
    base = base[:190]
    slug, n = base, 2
    while Survey.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def feedback_to_surveys(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Feedback = apps.get_model("events", "Feedback")
    Survey = apps.get_model("surveys", "Survey")
    SurveyQuestion = apps.get_model("surveys", "SurveyQuestion")
    Participant = apps.get_model("surveys", "Participant")
    Response = apps.get_model("surveys", "Response")
    now = timezone.now()
    with_feedback = Feedback.objects.values_list("event_id", flat=True).distinct()
    for event in Event.objects.filter(pk__in=with_feedback, feedback_survey__isnull=True).order_by("pk"):
        survey = Survey.objects.create(
            title=TITLE.format(title=event.title)[:200],
            slug=_free_slug(Survey, f"feedback-{event.slug}"),
            kind="feedback",
            introduction=INTRODUCTION.format(title=event.title),
            coalition_id=event.coalition_id,
            state="published",
            opens_at=event.starts_at,
            closes_at=event.ends_at + OPEN_AFTER_END,
            is_anonymous=False,
            results_for="coalition",
            open_on_site=False,
            segment={},
        )
        score, valuable, improve = (
            SurveyQuestion.objects.create(survey=survey, position=position, **question)
            for position, question in enumerate((SCORE, VALUABLE, IMPROVE), start=1)
        )
        event.feedback_survey = survey
        event.save(update_fields=["feedback_survey"])
        addresses = set()
        for feedback in (
            Feedback.objects.filter(event=event).select_related("registration__profile__user").order_by("pk")
        ):
            answers = {str(score.pk): feedback.score}
            if feedback.valuable.strip():
                answers[str(valuable.pk)] = feedback.valuable
            if feedback.improve.strip():
                answers[str(improve.pk)] = feedback.improve
            registration = feedback.registration
            profile = registration.profile if registration is not None else None
            email = ""
            if registration is not None:
                email = (profile.user.email if profile is not None else registration.email).strip().lower()
            if email in addresses:
                email = ""  # the address takes part once; a second row of it keeps the answer, not the address
            addresses.add(email)
            known = registration is not None and (profile is not None or email)
            # Feedback already detached by the retention (or of an anonymised registration) stays detached: a
            # participant that only says someone answered, a response tied to nobody (as surveys' retention leaves).
            participant = Participant.objects.create(
                survey=survey,
                profile=profile,
                email=email if known else "",
                name=registration.name if known else "",
                answered_at=feedback.submitted_at,
            )
            Response.objects.create(
                survey=survey,
                participant=participant if known else None,
                answers=answers,
                coalition_id=registration.coalition_id if registration is not None else None,
                coalition_phase=registration.coalition_phase if registration is not None else "",
                discipline=(profile.discipline if profile is not None else registration.discipline)
                if registration is not None
                else "",
                submitted_at=feedback.submitted_at,
                detached_at=None if known else now,
            )
    _checked_now(schema_editor)


def _checked_now(schema_editor):
    """Check the deferred foreign keys of the rows just written now, not at the commit: PostgreSQL refuses to alter a
    table with pending checks ("pending trigger events"), and the schema steps after this one drop columns and a
    table that point at them."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _number(value):
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return None


def surveys_to_feedback(apps, schema_editor):
    """Back: each response with a score becomes a feedback row again (of the participant's registration, when it
    can still be found), and the feedback surveys go."""
    Event = apps.get_model("events", "Event")
    Feedback = apps.get_model("events", "Feedback")
    Registration = apps.get_model("events", "Registration")
    Survey = apps.get_model("surveys", "Survey")
    for event in Event.objects.filter(feedback_survey__isnull=False).select_related("feedback_survey"):
        survey = event.feedback_survey
        questions = list(survey.questions.order_by("position", "pk"))
        score = next((q for q in questions if q.kind == "number"), None)
        texts = [q for q in questions if q.kind in ("long_text", "text")]
        taken = set()
        for response in survey.responses.select_related("participant").order_by("submitted_at", "pk"):
            answers = response.answers or {}
            number = _number(answers.get(str(score.pk))) if score is not None else None
            if number is None:
                continue
            registration = None
            participant = response.participant
            if participant is not None:
                found = Registration.objects.filter(event=event)
                if participant.profile_id is not None:
                    registration = found.filter(profile_id=participant.profile_id).first()
                if registration is None and participant.email:
                    registration = found.filter(email__iexact=participant.email).first()
            if registration is not None and registration.pk in taken:
                registration = None
            if registration is not None:
                taken.add(registration.pk)
            Feedback.objects.create(
                event=event,
                registration=registration,
                score=min(max(number, 1), 5),
                valuable=str(answers.get(str(texts[0].pk), "")) if len(texts) > 0 else "",
                improve=str(answers.get(str(texts[1].pk), "")) if len(texts) > 1 else "",
                submitted_at=response.submitted_at,
            )
        Event.objects.filter(pk=event.pk).update(feedback_survey=None)
        Survey.objects.filter(pk=survey.pk).delete()
    for event in Event.objects.filter(needs_survey__isnull=False):
        survey_id = event.needs_survey_id
        Event.objects.filter(pk=event.pk).update(needs_survey=None)
        Survey.objects.filter(pk=survey_id).delete()
    _checked_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_programme"),
        ("surveys", "0002_network_pulse"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="feedback_survey",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="feedback_event",
                to="surveys.survey",
                verbose_name="feedback survey",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="needs_survey",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="needs_event",
                to="surveys.survey",
                verbose_name="needs inventory",
            ),
        ),
        migrations.RunPython(feedback_to_surveys, surveys_to_feedback),
        migrations.RemoveConstraint(model_name="feedback", name="feedback_score_1_to_5"),
        migrations.DeleteModel(name="Feedback"),
    ]
