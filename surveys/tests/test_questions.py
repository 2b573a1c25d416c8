"""The shared question model: each type's form field, how an answer is checked, stored, shown and exported.

`Question` is abstract; the events' `IntakeQuestion` is its first concrete use, so the tests build those (unsaved
where no row is needed: a question knows its rules without the database).
"""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from events.models import IntakeQuestion
from surveys.forms import QuestionFields
from surveys.models import ChoicesFormField, clean_answers


@pytest.fixture(autouse=True)
def _english():
    """The checks' messages are read in English here (they speak the active language)."""
    with translation.override("en"):
        yield


Kind = IntakeQuestion.Kind
TOPICS = ["Armoede", "Vroegsignalering", "Kinderopvang"]


def question(kind=Kind.TEXT, *, pk=1, required=False, choices=None, **fields):
    if choices is None and kind in (Kind.ONE_CHOICE, Kind.SEVERAL_CHOICES):
        choices = TOPICS
    return IntakeQuestion(pk=pk, label=f"Vraag {pk}", kind=kind, required=required, choices=choices or [], **fields)


# --- The form field of each type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, field_class, widget_class",
    [
        (Kind.TEXT, forms.CharField, forms.TextInput),
        (Kind.LONG_TEXT, forms.CharField, forms.Textarea),
        (Kind.ONE_CHOICE, forms.ChoiceField, forms.RadioSelect),
        (Kind.SEVERAL_CHOICES, forms.MultipleChoiceField, forms.CheckboxSelectMultiple),
        (Kind.YES_NO, forms.TypedChoiceField, forms.RadioSelect),
        (Kind.NUMBER, forms.DecimalField, forms.TextInput),  # inputmode="decimal": what was typed stays visible
    ],
)
@pytest.mark.parametrize("required", [True, False])
def test_each_type_has_its_own_field_required_as_set(kind, field_class, widget_class, required):
    field = question(kind, required=required, help_text="Kort graag").form_field()
    assert type(field) is field_class and type(field.widget) is widget_class
    assert field.required is required
    assert (field.label, field.help_text) == ("Vraag 1", "Kort graag")


def test_a_number_is_typed_in_a_text_box_with_a_numeric_keyboard_and_read_the_dutch_way_too():
    field = question(Kind.NUMBER).form_field()
    assert field.widget.attrs["inputmode"] == "decimal"
    with translation.override("nl"):
        assert field.clean("2,5") == Decimal("2.5")
        assert question(Kind.NUMBER).clean_answer("2,5") == "2.5"
    with translation.override("en"):
        assert field.clean("2.5") == Decimal("2.5")


def test_a_choice_field_offers_the_choices_in_their_order():
    assert [value for value, _label in question(Kind.ONE_CHOICE).form_field().choices] == TOPICS


def test_yes_no_is_two_options_so_no_can_be_told_from_no_answer():
    field = question(Kind.YES_NO).form_field()
    assert field.clean("no") is False and field.clean("yes") is True and field.clean("") is None


def test_a_stored_answer_is_the_fields_initial_value():
    assert question(Kind.YES_NO).form_field(initial=False).initial == "no"
    assert question(Kind.SEVERAL_CHOICES).form_field(initial=["Armoede"]).initial == ["Armoede"]


# --- Checking and storing an answer -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, given, stored",
    [
        (Kind.TEXT, "  Verloskundige  ", "Verloskundige"),
        (Kind.LONG_TEXT, "Regel een\nRegel twee", "Regel een\nRegel twee"),
        (Kind.ONE_CHOICE, "Vroegsignalering", "Vroegsignalering"),
        (Kind.SEVERAL_CHOICES, ["Kinderopvang", "Armoede"], ["Armoede", "Kinderopvang"]),  # in the order offered
        (Kind.YES_NO, True, True),
        (Kind.YES_NO, False, False),
        (Kind.NUMBER, 3, 3),
        (Kind.NUMBER, "3.50", "3.5"),
        (Kind.NUMBER, "4.0", 4),
    ],
)
def test_an_answer_of_the_right_type_is_stored_as_json(kind, given, stored):
    assert question(kind).clean_answer(given) == stored


@pytest.mark.parametrize(
    "kind, given",
    [
        (Kind.TEXT, 12),
        (Kind.TEXT, ["a"]),
        (Kind.LONG_TEXT, True),
        (Kind.ONE_CHOICE, ["Armoede"]),
        (Kind.SEVERAL_CHOICES, "Armoede"),
        (Kind.SEVERAL_CHOICES, [1, 2]),
        (Kind.YES_NO, "yes"),
        (Kind.YES_NO, 1),
        (Kind.NUMBER, True),
        (Kind.NUMBER, ["3"]),
        (Kind.NUMBER, "drie"),
    ],
)
def test_an_answer_of_the_wrong_type_is_refused_naming_the_question(kind, given):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        question(kind).clean_answer(given)
    assert "Vraag 1" in refused.value.messages[0]


@pytest.mark.parametrize("kind, given", [(Kind.ONE_CHOICE, "Sport"), (Kind.SEVERAL_CHOICES, ["Armoede", "Sport"])])
def test_a_choice_that_is_not_offered_is_refused(kind, given):
    with pytest.raises(ValidationError):
        question(kind).clean_answer(given)


def test_a_number_outside_the_limits_is_refused():
    limited = question(Kind.NUMBER, min_value=Decimal(0), max_value=Decimal(10))
    assert limited.clean_answer(10) == 10
    for outside in (-1, 11, "10.5"):
        with pytest.raises(ValidationError):
            limited.clean_answer(outside)


@pytest.mark.parametrize("kind", list(Kind))
def test_a_required_question_needs_an_answer_and_an_optional_one_does_not(kind):
    for empty in (None, "", []):
        with pytest.raises(ValidationError, match="Vraag 1"):
            question(kind, required=True).clean_answer(empty)
        assert question(kind).clean_answer(empty) is None


def test_a_text_over_its_length_is_refused():
    with pytest.raises(ValidationError):
        question(Kind.TEXT).clean_answer("x" * 501)


def test_clean_answers_checks_every_question_and_lists_every_problem():
    text, number, choice = question(Kind.TEXT, pk=1), question(Kind.NUMBER, pk=2), question(Kind.ONE_CHOICE, pk=3)
    number.required = True
    assert clean_answers([text, number, choice], {1: " Hallo ", "2": "7", "3": ""}) == {"1": "Hallo", "2": 7}
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        clean_answers([text, number, choice], {"2": "zeven", "9": "?", "3": "Sport"})
    messages = refused.value.messages
    assert len(messages) == 3
    assert "not asked here: 9" in messages[0]
    assert any("Vraag 2" in message for message in messages) and any("Vraag 3" in message for message in messages)


def test_no_questions_take_no_answers():
    assert clean_answers([], None) == {}
    with pytest.raises(ValidationError):
        clean_answers([], {"1": "x"})


# --- The question itself ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.ONE_CHOICE, Kind.SEVERAL_CHOICES])
@pytest.mark.parametrize("choices", [[], ["Alleen deze"]])
def test_a_choice_question_needs_at_least_two_choices(kind, choices):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        question(kind, choices=choices).clean()
    assert refused.value.message_dict["choices"] == ["A choice question needs at least two choices, one per line."]


def test_another_type_drops_choices_and_limits_instead_of_refusing():
    text = question(Kind.TEXT, choices=["a", "b"], min_value=Decimal(1))
    text.clean()
    assert text.choices == [] and text.min_value is None


def test_reversed_number_limits_are_refused():
    with pytest.raises(ValidationError) as refused:
        question(Kind.NUMBER, min_value=Decimal(5), max_value=Decimal(1)).clean()
    assert "max_value" in refused.value.message_dict


def test_choices_are_typed_one_per_line():
    field = ChoicesFormField(required=False)
    assert field.clean(" Armoede \r\n\nKinderopvang\nArmoede\n") == ["Armoede", "Kinderopvang"]
    assert field.prepare_value(["Armoede", "Kinderopvang"]) == "Armoede\nKinderopvang"
    assert isinstance(field.widget, forms.Textarea)
    with pytest.raises(ValidationError):
        field.clean("x" * 201)


def test_the_models_choices_field_is_a_text_area_in_every_model_form():
    form_class = forms.modelform_factory(IntakeQuestion, fields=["label", "kind", "choices"])
    form = form_class(data={"label": "Welk onderwerp?", "kind": Kind.ONE_CHOICE, "choices": "Armoede\nSport"})
    assert isinstance(form.fields["choices"], ChoicesFormField)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["choices"] == ["Armoede", "Sport"]


# --- Showing an answer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, stored, shown",
    [
        (Kind.TEXT, "Verloskundige", "Verloskundige"),
        (Kind.SEVERAL_CHOICES, ["Armoede", "Kinderopvang"], "Armoede, Kinderopvang"),
        (Kind.YES_NO, True, "Yes"),
        (Kind.YES_NO, False, "No"),
        (Kind.NUMBER, 3, "3"),
        (Kind.NUMBER, "2.5", "2.5"),
        (Kind.TEXT, None, ""),
        (Kind.SEVERAL_CHOICES, [], ""),
    ],
)
def test_an_answer_reads_as_a_person_gave_it(kind, stored, shown):
    with translation.override("en"):
        assert question(kind).display(stored) == shown
        assert question(kind).csv_cell(stored) == shown


def test_numbers_and_yes_no_are_shown_in_the_active_language():
    with translation.override("nl"):
        assert question(Kind.NUMBER).display("2.5") == "2,5"
        assert question(Kind.YES_NO).display(True) == "Ja"


# --- The form helper ------------------------------------------------------------------------------------------


class ConsentForm(forms.Form):
    consent = forms.BooleanField(required=False)


def test_question_fields_join_any_form_in_order_and_read_back_answers_by_id():
    questions = [question(Kind.NUMBER, pk=7), question(Kind.SEVERAL_CHOICES, pk=3), question(Kind.YES_NO, pk=5)]
    form = ConsentForm(data={"question_7": "12", "question_3": ["Kinderopvang"], "question_5": "no", "consent": "on"})
    fields = QuestionFields(form, questions)
    assert list(form.fields) == ["consent", "question_7", "question_3", "question_5"]
    assert fields.field_names == ["question_7", "question_3", "question_5"]
    assert form.is_valid(), form.errors
    assert fields.answers() == {"7": 12, "3": ["Kinderopvang"], "5": False}


def test_unanswered_optional_questions_are_left_out_of_the_answers():
    form = ConsentForm(data={"question_1": ""})
    fields = QuestionFields(form, [question(Kind.TEXT, pk=1)])
    assert form.is_valid() and fields.answers() == {}


def test_stored_answers_fill_the_fields():
    form = ConsentForm()
    QuestionFields(form, [question(Kind.YES_NO, pk=4)], answers={"4": True})
    assert form["question_4"].value() == "yes"
    assert 'value="yes" id="id_question_4_0" checked' in str(form["question_4"])


# --- A scale ---------------------------------------------------------------------------------------------------------


def test_a_scale_is_a_row_of_options_from_its_lowest_to_its_highest_number_one_to_five_unless_set():
    scale = question(Kind.SCALE)
    scale.min_value = scale.max_value = None
    scale.clean()
    assert (scale.min_value, scale.max_value) == (1, 5)
    field = scale.form_field()
    assert isinstance(field.widget, forms.RadioSelect)
    assert [value for value, _label in field.choices] == ["1", "2", "3", "4", "5"]
    assert scale.form_field(initial=4).initial == "4"


@pytest.mark.parametrize(("low", "high"), [(Decimal("0.5"), 5), (1, 1), (0, 11), (5, 1)])
def test_a_scale_runs_between_two_whole_numbers_at_most_ten_apart(low, high):
    scale = question(Kind.SCALE)
    scale.min_value, scale.max_value = low, high
    with pytest.raises(ValidationError) as refused:
        scale.clean()
    assert list(refused.value.message_dict) == ["max_value"]


@pytest.mark.parametrize(("given", "stored"), [(4, 4), ("4", 4), ("4.0", 4), (Decimal("2"), 2)])
def test_a_scale_answer_is_stored_as_its_whole_number(given, stored):
    scale = question(Kind.SCALE)
    scale.min_value, scale.max_value = 1, 5
    assert scale.clean_answer(given) == stored
    assert scale.display(stored) == str(stored)


@pytest.mark.parametrize("given", [6, 0, "3.5", "drie", True])
def test_a_scale_refuses_what_is_not_one_of_its_options(given):
    scale = question(Kind.SCALE)
    scale.min_value, scale.max_value = 1, 5
    with pytest.raises(ValidationError):
        scale.clean_answer(given)
