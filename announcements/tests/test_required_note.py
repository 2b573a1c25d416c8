"""The compose page has two forms (the announcement, who receives it) and explains the asterisk once; a group of
checkboxes without anything to tick is left out."""

import pytest
from crispy_forms.utils import render_crispy_form
from django.urls import reverse

from members.models import Theme
from network.forms import SegmentForm
from network.models import Coalition

pytestmark = pytest.mark.django_db

NOTE = 'class="form-required-note"'


@pytest.mark.parametrize("who", ["coordinator", "coalition_coordinator"])
def test_the_compose_page_explains_the_asterisk_once(client, network, who, request):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("announcements:announcement_new"))
    assert page.status_code == 200
    assert page.text.count(NOTE) == 1


def test_the_note_stays_once_when_the_forms_show_errors(client, network, coordinator):
    client.force_login(coordinator)
    page = client.post(reverse("announcements:announcement_new"), {"action": "check"})
    assert page.status_code == 200
    assert page.context["form"].errors and page.context["segment_form"].errors
    assert page.text.count(NOTE) == 1


def test_a_form_rendered_alone_keeps_its_note(network):
    """Only a form its view marks as second (`required_note_above`) leaves the note out: single forms keep it."""
    alone = SegmentForm(coalitions=Coalition.objects.filter(pk=network.own.pk))
    assert render_crispy_form(alone).count(NOTE) == 1
    second = SegmentForm(coalitions=Coalition.objects.filter(pk=network.own.pk))
    second.required_note_above = True
    assert render_crispy_form(second).count(NOTE) == 0


def test_the_themes_are_left_out_when_there_are_none(client, network, coordinator):
    Theme.objects.all().delete()
    client.force_login(coordinator)
    page = client.get(reverse("announcements:announcement_new"))
    assert "themes" not in page.context["segment_form"].fields
    assert 'name="segment-themes"' not in page.text
