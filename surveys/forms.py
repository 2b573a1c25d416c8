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
