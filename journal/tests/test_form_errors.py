"""The journal's forms after an invalid submit: title "Fout:", a summary linking each error to its field, all kept."""

import time

import pytest
from django.urls import reverse

from coalition.tests.form_errors import assert_error_page, read
from journal.forms import spam_guard_stamp
from journal.models import Subscriber, Tip

from .factories import TipFactory

pytestmark = pytest.mark.django_db


def started():
    return spam_guard_stamp(time.time() - 30)


def test_a_visitors_tip_without_its_text_comes_back_with_the_summary_and_everything_typed(client):
    response = client.post(
        reverse("journal:tip_create"),
        {
            "what": "",
            "who": "Kraamzorg Oost",
            "why_now": "",
            "name": "Vera Visitor",
            "email": "vera@example",
            "phone": "06 123",
            "organisation_name": "Wijkteam",
            "started": started(),
        },
    )
    assert_error_page(
        response,
        fields=["id_what", "id_email"],
        kept={"who": "Kraamzorg Oost", "name": "Vera Visitor", "email": "vera@example", "phone": "06 123"},
    )
    assert not Tip.objects.exists()


def test_a_tip_longer_than_the_limit_is_refused_with_a_message_at_its_field_and_kept_whole(member_client):
    text = "Een vroedvrouw die een inloopuur houdt. " * 80 + "Einde."  # 3,206 characters; the limit is 3,000
    response = member_client.post(reverse("journal:tip_create"), {"what": text, "started": started()})
    page = assert_error_page(response, fields=["id_what"], kept={"what": text})
    assert response.context["form"].errors["what"] == [
        "Zorg dat deze waarde niet meer dan 3000 tekens bevat (het zijn er nu 3206)."
    ]
    assert page.title.startswith("Fout:")


def test_the_page_title_says_error_in_english_too(client):
    response = client.post(reverse("journal:tip_create"), {"what": "", "started": started()}, HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(response, fields=["id_what", "id_name", "id_email"], title="Error:")


def test_a_subscription_with_a_wrong_address_comes_back_with_the_summary_and_the_choices_kept(client):
    response = client.post(
        reverse("journal:subscribe"),
        {"email": "vera.example.net", "name": "Vera", "invitations": "on", "started": started()},
    )
    assert_error_page(
        response,
        fields=["id_email"],
        kept={"email": "vera.example.net", "name": "Vera", "journal": [], "invitations": ["on"]},
    )
    assert not Subscriber.objects.exists()


def test_working_on_a_tip_without_its_story_comes_back_with_the_summary_at_the_story(editor_client):
    tip = TipFactory()
    response = editor_client.post(
        reverse("journal:tip_detail", args=[tip.pk]), {"state": Tip.State.USED, "note": "Became the lead story"}
    )
    assert_error_page(response, fields=["id_story"], kept={"state": Tip.State.USED, "note": "Became the lead story"})


def test_the_asterisk_is_explained_once_on_a_form_with_required_fields_and_not_on_one_without(client, member_client):
    tip_form = client.get(reverse("journal:tip_create")).content.decode()
    assert tip_form.count('class="form-required-note"') == 1
    settings_form = member_client.get(reverse("journal:subscription"))
    assert 'class="form-required-note"' not in settings_form.content.decode()
    assert not read(settings_form).summaries
