"""List pages' filter bars render their selects in Python (members.forms.LongSelect), as Django's templates did."""

import pytest
from django import forms
from django.template import engines

from members.forms import DirectoryFilterForm, LongSelect, LongSelectMultiple
from members.models import Discipline, Organisation


def _django_select(name, value, choices, attrs):
    return forms.Select(attrs=attrs, choices=choices).render(name, value)


def _squeeze(html):
    return "".join(line.strip() for line in html.splitlines())


@pytest.mark.parametrize("value", ["", "b", "<&>", None, "missing"])
def test_a_filter_select_writes_what_djangos_select_template_writes(value):
    choices = [("", "All"), ("a", "Tom & Jerry"), ("b", '"quoted" <b>'), ("<&>", "odd"), ("b", "twice")]
    attrs = {"class": "select form-select", "data-x": 'a"b', "disabled": False, "autofocus": True}
    ours = LongSelect(attrs=attrs, choices=choices).render("f", value, attrs={"id": "id_f"})
    theirs = _django_select("f", value, choices, {**attrs, "id": "id_f"})
    assert _squeeze(ours) == _squeeze(theirs)
    assert ours.count(" selected") == (0 if value == "missing" else 1)  # None selects the blank option


def test_a_filter_select_writes_option_groups_like_django():
    choices = [("", "All"), ("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]
    ours = LongSelect(choices=choices).render("g", "y")
    assert _squeeze(ours) == _squeeze(_django_select("g", "y", choices, {}))


@pytest.mark.django_db
def test_the_directory_filter_keeps_the_chosen_organisation_selected_among_hundreds():
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Praktijk {number:03} & Co", slug=f"praktijk-{number}") for number in range(320)
    )
    chosen = organisations[123]
    form = DirectoryFilterForm({"organisation": str(chosen.pk)})
    assert form.is_valid()
    html = str(next(field for field in form.bar_fields() if field.name == "organisation"))
    assert html.count("<option ") == 321
    assert f'<option value="{chosen.pk}" selected>Praktijk 123 &amp; Co</option>' in html
    assert 'class="select form-select" id="id_organisation"' in html


def test_a_refused_filter_value_marks_the_control_invalid_and_describes_it():
    form = DirectoryFilterForm({"discipline": "nonsense"})
    assert not form.is_valid()
    html = str(next(field for field in form.bar_fields() if field.name == "discipline"))
    assert 'class="select form-select is-invalid" aria-invalid="true" aria-describedby="id_discipline_error"' in html


def test_choice_label_shows_what_get_display_shows():
    organisation = Organisation(name="X", discipline=Discipline.MIDWIFERY)
    template = engines["django"].from_string('{% load choices %}{{ organisation|choice_label:"discipline" }}')
    assert template.render({"organisation": organisation}) == organisation.get_discipline_display()
    organisation.discipline = ""
    assert template.render({"organisation": organisation}) == organisation.get_discipline_display()


@pytest.mark.parametrize("value", [None, [], ["b"], ["a", "b"], ["missing"]])
def test_a_long_multiple_select_writes_what_djangos_select_multiple_writes(value):
    choices = [("a", "A & co"), ("b", "B"), ("c", "C")]
    ours = LongSelectMultiple(attrs={"size": 8}, choices=choices).render("m", value, attrs={"id": "id_m"})
    theirs = forms.SelectMultiple(attrs={"size": 8}, choices=choices).render("m", value, attrs={"id": "id_m"})
    assert _squeeze(ours) == _squeeze(theirs)
