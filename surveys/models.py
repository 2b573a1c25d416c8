"""The one question definition of the portal: its types, its form field, and how an answer is checked and shown.

An event's intake question (`events.IntakeQuestion`) and the questions of the surveys (issue 17) subclass the
abstract `Question`, so that a type is added, validated, shown and exported in one place: "one shared question
model, not two". An answer is stored as a JSON value keyed by the question's id (`surveys.forms.QuestionFields`
reads them from a form, `clean_answers` checks them anywhere else): a text (str), a choice (str), several choices
(list of str), yes/no (bool), a number (int, or a decimal as str so nothing is lost to floating point).
"""

import secrets
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coalition.models import ConstraintErrorsAtFields
from members.models import Discipline
from network.models import Phase

TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 4000
CHOICE_MAX_LENGTH = 200
YES, NO = "yes", "no"
# A scale runs between two whole numbers (1 to 5 unless set), at most this many steps apart: a row of options.
SCALE_DEFAULT, MAX_SCALE_STEPS = (1, 5), 10


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
        SCALE = "scale", _("Scale (one tap from low to high, e.g. 1 to 5)")

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
        _("lowest number"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only for a number or a scale."),
    )
    max_value = models.DecimalField(
        _("highest number"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only for a number or a scale."),
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
        if self.kind == self.Kind.SCALE:
            if self.min_value is None:
                self.min_value = SCALE_DEFAULT[0]
            if self.max_value is None:
                self.max_value = SCALE_DEFAULT[1]
            if self.min_value != int(self.min_value) or self.max_value != int(self.max_value):
                errors["max_value"] = ValidationError(
                    _("A scale runs between two whole numbers, such as 1 and 5."), code="scale_not_whole"
                )
            elif not 0 < self.max_value - self.min_value <= MAX_SCALE_STEPS:
                errors["max_value"] = ValidationError(
                    _("A scale's highest number is above its lowest, and at most %(steps)d above it (e.g. 1 to 5).")
                    % {"steps": MAX_SCALE_STEPS},
                    code="scale_size",
                )
        elif self.kind == self.Kind.NUMBER:
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
        elif self.kind == kinds.SCALE:
            # A row of options: one tap on a phone, nothing to type.
            field = forms.TypedChoiceField(
                choices=[(str(step), str(step)) for step in self.scale_steps()],
                coerce=int,
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

    def scale_steps(self) -> list[int]:
        """The options of a scale, lowest first."""
        low = int(self.min_value) if self.min_value is not None else SCALE_DEFAULT[0]
        high = int(self.max_value) if self.max_value is not None else SCALE_DEFAULT[1]
        return list(range(low, high + 1))

    def _choice_pairs(self):
        return [(choice, choice) for choice in self.choices or []]

    def _as_data(self, answer):
        """A stored answer as the form field takes it."""
        if self.kind == self.Kind.YES_NO and isinstance(answer, bool):
            return YES if answer else NO
        if self.kind == self.Kind.SCALE and not isinstance(answer, bool):
            return str(answer)
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
        if self.kind == self.Kind.SCALE:
            return int(cleaned)
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
        elif self.kind in (kinds.NUMBER, kinds.SCALE):
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                raise _wrong_type(self)
            data = str(value)
            if self.kind == kinds.SCALE:
                # A scale's options are whole numbers: 4.0 is the option 4.
                try:
                    number = Decimal(data)
                except InvalidOperation:
                    raise _wrong_type(self) from None
                if number.is_finite() and number == number.to_integral_value():
                    data = str(int(number))
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


# --- Surveys -----------------------------------------------------------------------------------------------------


def new_token():
    return secrets.token_urlsafe(32)


class SurveyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Survey.State.PUBLISHED)

    def open(self, now=None):
        """Published and taking answers now: opened (or no opening date) and not yet closed."""
        now = now or timezone.now()
        return self.published().filter(
            Q(opens_at__isnull=True) | Q(opens_at__lte=now), Q(closes_at__isnull=True) | Q(closes_at__gt=now)
        )


class Survey(ConstraintErrorsAtFields, models.Model):
    """A questionnaire to (part of) the network: a needs inventory, an event's feedback, a sounding board, the pulse.

    Regional, or of one coalition (whose coordinators then manage it). Named surveys keep who gave each answer
    (for breakdowns by coalition, phase and discipline, and for editing until the close); anonymous ones keep only
    whether a person answered (`Participant.answered_at`, for the reminder), never which answer is theirs.
    """

    class Kind(models.TextChoices):
        GENERAL = "general", _("Survey")
        NEEDS = "needs", _("Needs inventory")
        FEEDBACK = "feedback", _("Event feedback")
        SOUNDING_BOARD = "sounding_board", _("Sounding board")
        PULSE = "pulse", _("Network pulse")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class ResultsFor(models.TextChoices):
        COORDINATORS = "coordinators", _("Coordinators")
        COALITION = "coalition", _("Coordinators and the coalition's coordinators")
        RESPONDENTS = "respondents", _("Coordinators and everyone who answered")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Why you ask, how long it takes and what happens with the answers.")
    )
    coalition = models.ForeignKey(
        "network.Coalition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("coalition"),
        help_text=_("Empty for a regional survey."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True, help_text=_("Empty: as soon as published."))
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True, help_text=_("Empty: no closing date."))
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_(
            "Answers are stored without the person who gave them; they cannot be changed afterwards, and results "
            "by coalition, phase or discipline show only groups of at least five."
        ),
    )
    results_for = models.CharField(
        _("who sees the results"), max_length=16, choices=ResultsFor.choices, default=ResultsFor.COALITION
    )
    open_on_site = models.BooleanField(
        _("open on the site"),
        default=False,
        help_text=_("Approved members can also answer it on the portal, without a mailed link."),
    )
    # Who it was mailed to (network.audiences.Segment params), kept for the reminder and the survey's page.
    segment = models.JSONField(_("audience"), default=dict, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SurveyQuerySet.as_manager()
    constraint_error_fields = {"closes_before_opening": "closes_at"}

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
                violation_error_code="closes_before_opening",
                violation_error_message=_("The survey closes before it opens."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:survey_detail", kwargs={"slug": self.slug})

    def is_open(self, now=None):
        now = now or timezone.now()
        return (
            self.state == self.State.PUBLISHED
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or self.closes_at > now)
        )

    def has_closed(self, now=None):
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())


class Section(models.Model):
    """A heading that groups a survey's questions on its one page: "About you", "Working together"."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections", verbose_name=_("survey"))
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.title


class SurveyQuestion(Question):
    """A question of a survey (the shared `Question`), optionally under one of its sections."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("section"),
    )

    class Meta(Question.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")


class Participant(ConstraintErrorsAtFields, models.Model):
    """One person's place in a survey: the personal link they were mailed, and whether (not what) they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participants", verbose_name=_("survey"))
    # SET_NULL: deleting an account keeps the count of who answered, not who.
    profile = models.ForeignKey(
        "members.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_participations",
        verbose_name=_("member"),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token, editable=False)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    constraint_error_fields = {"participant_twice": "email"}

    class Meta:
        ordering = ["pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "email"],
                condition=~Q(email=""),
                name="survey_participant_once_per_address",
                violation_error_code="participant_twice",
                violation_error_message=_("This address already takes part in this survey."),
            ),
            models.UniqueConstraint(
                fields=["survey", "profile"],
                name="survey_participant_once_per_member",
                violation_error_code="participant_twice",
                violation_error_message=_("This member already takes part in this survey."),
            ),
        ]

    def __str__(self):
        return f"{self.name or self.email or _('(anonymised)')} – {self.survey}"


class Response(models.Model):
    """One completed form. Named: tied to its participant (editable until the close); anonymous: tied to nobody.

    The coalition, its phase and the discipline are recorded when answering, for the breakdowns of the results;
    in an anonymous survey they are shown only for groups of at least `MIN_GROUP` answers.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey"))
    participant = models.OneToOneField(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("participant"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    coalition = models.ForeignKey(
        "network.Coalition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coalition"),
    )
    coalition_phase = models.CharField(_("phase of the coalition"), max_length=16, choices=Phase.choices, blank=True)
    discipline = models.CharField(_("discipline"), max_length=32, choices=Discipline.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    detached_at = models.DateTimeField(_("detached from the person at"), null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["survey", "submitted_at"])]

    def __str__(self):
        return f"{self.survey}: {self.submitted_at:%Y-%m-%d}"


# No statistic about fewer people than this (DESIGN.md §8): in an anonymous survey a breakdown group below it is
# not shown on its own.
MIN_GROUP = 5
