"""The one question definition of the portal: its types, its form field, and how an answer is checked and shown.

An event's intake question (`events.IntakeQuestion`) and the questions of the surveys (issue 17) subclass the
abstract `Question`, so that a type is added, validated, shown and exported in one place: "one shared question
model, not two". An answer is stored as a JSON value keyed by the question's id (`surveys.forms.QuestionFields`
reads them from a form, `clean_answers` checks them anywhere else): a text (str), a choice (str), several choices
(list of str), yes/no (bool), a number (int, or a decimal as str so nothing is lost to floating point).
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 4000
CHOICE_MAX_LENGTH = 200
YES, NO = "yes", "no"


class ChoicesFormField(forms.Field):
    """The choices of a question as a coordinator types them: one per line in a text area, never JSON.

    Lines are stripped, empty lines and repeated choices are left out, the order is kept.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(choice) for choice in value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return []
        lines = value if isinstance(value, list | tuple) else str(value).splitlines()
        choices = []
        for line in lines:
            choice = str(line).strip()
            if choice and choice not in choices:
                choices.append(choice)
        return choices

    def validate(self, value):
        super().validate(value)
        too_long = [choice for choice in value if len(choice) > CHOICE_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                _("A choice can be at most %(limit)d characters long: “%(choice)s…”."),
                code="choice_too_long",
                params={"limit": CHOICE_MAX_LENGTH, "choice": too_long[0][:40]},
            )

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class ChoiceListField(models.JSONField):
    """A list of texts stored as JSON and edited as lines of text (`ChoicesFormField`) in every model form."""

    def formfield(self, **kwargs):
        kwargs.pop("form_class", None)
        defaults = {"label": capfirst(self.verbose_name), "required": not self.blank, "help_text": self.help_text}
        return ChoicesFormField(**{**defaults, **kwargs})


def _wrong_type(question):
    return ValidationError(
        _("“%(question)s”: this answer does not fit the question (%(kind)s)."),
        code="wrong_type",
        params={"question": question.label, "kind": question.get_kind_display()},
    )


class Question(models.Model):
    """One question of a form: its label and type, whether it must be answered, its choices, its place.

    Abstract: each use (an event's intake, a survey) is its own table with a foreign key to what it belongs to,
    and shares this definition and every rule about types.
    """

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        ONE_CHOICE = "one_choice", _("One choice")
        SEVERAL_CHOICES = "several_choices", _("Several choices")
        YES_NO = "yes_no", _("Yes or no")
        NUMBER = "number", _("Number")

    label = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("explanation"), max_length=500, blank=True, help_text=_("Shown under the question."))
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.LONG_TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = ChoiceListField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_("Only for a choice question: one choice per line, at least two."),
    )
    min_value = models.DecimalField(
        _("lowest number"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("Only for a number.")
    )
    max_value = models.DecimalField(
        _("highest number"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("Only for a number.")
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("The questions are asked from the lowest number up.")
    )

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label

    @property
    def has_choices(self):
        return self.kind in (self.Kind.ONE_CHOICE, self.Kind.SEVERAL_CHOICES)

    def clean(self):
        """A choice question needs two choices to choose from; choices and limits of another type are dropped
        (a coordinator who turns a choice question into a text question should not have to empty the box)."""
        super().clean()
        errors = {}
        if self.has_choices:
            if len(self.choices or []) < 2:
                errors["choices"] = ValidationError(
                    _("A choice question needs at least two choices, one per line."), code="too_few_choices"
                )
        else:
            self.choices = []
        if self.kind == self.Kind.NUMBER:
            if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
                errors["max_value"] = ValidationError(
                    _("The highest number is lower than the lowest number."), code="limits_reversed"
                )
        else:
            self.min_value = self.max_value = None
        if errors:
            raise ValidationError(errors)

    # --- The form field and the answer it gives ---------------------------------------------------------------

    def form_field(self, *, initial=None) -> forms.Field:
        """The form field that asks this question, with a stored answer (`initial`) shown as the person gave it."""
        common = {"label": self.label, "help_text": self.help_text, "required": self.required}
        kinds = self.Kind
        if self.kind == kinds.TEXT:
            field = forms.CharField(max_length=TEXT_MAX_LENGTH, **common)
        elif self.kind == kinds.LONG_TEXT:
            field = forms.CharField(max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), **common)
        elif self.kind == kinds.ONE_CHOICE:
            field = forms.ChoiceField(choices=self._choice_pairs(), widget=forms.RadioSelect, **common)
        elif self.kind == kinds.SEVERAL_CHOICES:
            field = forms.MultipleChoiceField(
                choices=self._choice_pairs(), widget=forms.CheckboxSelectMultiple, **common
            )
        elif self.kind == kinds.YES_NO:
            # Two options rather than a check box: an unticked box cannot tell "no" from "not answered", and a
            # required check box would only accept "yes".
            field = forms.TypedChoiceField(
                choices=[(YES, _("Yes")), (NO, _("No"))],
                coerce=lambda value: value == YES,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        else:
            # A text box with a numeric keyboard rather than <input type="number">: a browser shows nothing of a
            # value it cannot read as a number, so "abc" sent back with its error would look erased, and it would
            # refuse the Dutch "2,5" (GOV.UK Design System, "Asking for numbers"). Localised: "2,5" reads as 2.5.
            field = forms.DecimalField(
                min_value=self.min_value,
                max_value=self.max_value,
                max_digits=20,
                decimal_places=6,
                localize=True,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                **common,
            )
        if initial is not None:
            field.initial = self._as_data(initial)
        return field

    def _choice_pairs(self):
        return [(choice, choice) for choice in self.choices or []]

    def _as_data(self, answer):
        """A stored answer as the form field takes it."""
        if self.kind == self.Kind.YES_NO and isinstance(answer, bool):
            return YES if answer else NO
        return answer

    def to_answer(self, cleaned):
        """The form field's cleaned value as stored (JSON): None when nothing was answered."""
        if cleaned in (None, "", [], ()):
            return None
        if self.kind == self.Kind.SEVERAL_CHOICES:
            chosen = set(cleaned)
            return [choice for choice in self.choices if choice in chosen]  # in the order offered
        if self.kind == self.Kind.NUMBER:
            number = Decimal(cleaned)
            return int(number) if number == number.to_integral_value() else str(number.normalize())
        if self.kind == self.Kind.YES_NO:
            return bool(cleaned)
        return str(cleaned)

    def clean_answer(self, value):
        """A stored or given answer (a JSON value) checked as the form field checks what a person types.

        For the services, so an admin action or a task cannot store what the form would refuse: the wrong type,
        a choice that is not offered, a number outside the limits, a missing required answer. Returns the
        normalised answer (None for none) or raises ValidationError naming the question.
        """
        kinds = self.Kind
        if value is None or value == "" or value == []:
            data = None
        elif self.kind == kinds.YES_NO:
            if not isinstance(value, bool):
                raise _wrong_type(self)
            data = YES if value else NO
        elif self.kind == kinds.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                raise _wrong_type(self)
            data = str(value)
        elif self.kind == kinds.SEVERAL_CHOICES:
            if not isinstance(value, list | tuple) or not all(isinstance(choice, str) for choice in value):
                raise _wrong_type(self)
            data = list(value)
        else:
            if not isinstance(value, str):
                raise _wrong_type(self)
            data = value
        try:
            cleaned = self.form_field().clean(data)
        except ValidationError as error:
            raise ValidationError(
                _("“%(question)s”: %(problem)s"),
                code=error.error_list[0].code or "invalid",
                params={"question": self.label, "problem": " ".join(error.messages)},
            ) from None
        return self.to_answer(cleaned)

    # --- Showing an answer ------------------------------------------------------------------------------------

    def display(self, value) -> str:
        """A stored answer as a person reads it: "Yes", "Sport, Voeding", "2,5" (in the active language)."""
        if value is None or value == "" or value == []:
            return ""
        if self.kind == self.Kind.YES_NO:
            return gettext("Yes") if value is True else gettext("No") if value is False else str(value)
        if isinstance(value, list):
            return ", ".join(str(choice) for choice in value)
        if self.kind == self.Kind.NUMBER:
            try:
                return number_format(Decimal(str(value)), use_l10n=True)
            except (InvalidOperation, ValueError):
                return str(value)
        return str(value)

    def csv_cell(self, value) -> str:
        """A stored answer in a CSV cell: as on screen. The portal's CSV is written for a Dutch spreadsheet (`;`
        between cells), which reads "2,5" as a number; coalition.exports guards the cell against formulas."""
        return self.display(value)


def clean_answers(questions, answers) -> dict:
    """`answers` (question id → answer) checked against `questions`: every answer of its question's type, every
    required question answered, no answer to a question not asked. Returns them normalised, keyed by the id as a
    string (JSON keys), without the unanswered ones; raises one ValidationError listing every problem."""
    given = {str(key): value for key, value in (answers or {}).items()}
    asked = {str(question.pk): question for question in questions}
    errors = []
    unknown = sorted(set(given) - set(asked))
    if unknown:
        errors.append(
            ValidationError(
                _("Answers to questions that are not asked here: %(ids)s."),
                code="unknown_question",
                params={"ids": ", ".join(unknown)},
            )
        )
    cleaned = {}
    for key, question in asked.items():
        try:
            value = question.clean_answer(given.get(key))
        except ValidationError as error:
            errors.append(error)
        else:
            if value is not None:
                cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned
