"""The questions of an event's intake or a survey on any form, and their answers read back as stored."""

from collections.abc import Iterable

from django import forms

from .models import Question


class QuestionFields:
    """Adds one field per question to `form`, in the questions' order, and reads the answers back.

    A form that asks questions keeps its own fields (consent, a guest's name) and lends this the questions:
    `self.questions = QuestionFields(self, event.intake_questions.all())`. Each field is named after the
    question's id (`question_<id>`), so a question keeps its field when others are added or moved, and the answers
    come back keyed by that id, as `surveys.models.clean_answers` checks them and the models store them.
    """

    def __init__(self, form: forms.BaseForm, questions: Iterable[Question], *, answers: dict | None = None):
        self.form = form
        self.questions = list(questions)
        answers = answers or {}
        for question in self.questions:
            form.fields[self.field_name(question)] = question.form_field(initial=answers.get(str(question.pk)))

    @staticmethod
    def field_name(question: Question) -> str:
        return f"question_{question.pk}"

    @property
    def field_names(self) -> list[str]:
        return [self.field_name(question) for question in self.questions]

    def answers(self) -> dict:
        """The answers given (call after `form.is_valid()`): question id (str) → JSON value, unanswered left out."""
        answers = {}
        for question in self.questions:
            value = question.to_answer(self.form.cleaned_data.get(self.field_name(question)))
            if value is not None:
                answers[str(question.pk)] = value
        return answers


# --- Answering a survey ----------------------------------------------------------------------------------------------


class AnswerForm(forms.Form):
    """A survey's questions as one form, grouped as the page shows them: the questions without a section first,
    then each section with its own. `groups` is [(section or None, [bound field, …])]; the fields are in the same
    order, so the error summary lists the problems as the page does."""

    def __init__(self, *args, questions, sections, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        questions = list(questions)
        by_section = {}
        for question in questions:
            by_section.setdefault(question.section_id, []).append(question)
        ordered = [(None, by_section.get(None, []))]
        ordered += [(section, by_section.get(section.pk, [])) for section in sections]
        self.questions = QuestionFields(
            self, [question for _section, group in ordered for question in group], answers=answers
        )
        self.order_fields(self.questions.field_names)
        self.groups = [
            (section, [self[QuestionFields.field_name(question)] for question in group])
            for section, group in ordered
            if group or section is not None
        ]

    def answers(self) -> dict:
        return self.questions.answers()
