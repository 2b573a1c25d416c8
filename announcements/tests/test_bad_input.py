"""Bad input gets a clear message at its field, in Dutch from the catalogue, and everything else typed is kept."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from ..models import ATTACHMENT_MAX_BYTES, Announcement

pytestmark = pytest.mark.django_db


@pytest.fixture
def composing(network, coalition_coordinator):
    client = Client()
    client.force_login(coalition_coordinator)

    def post(**fields):
        data = {
            "subject": "Onderwerp dat blijft staan",
            "body": "Tekst die blijft staan.",
            "segment-coalitions": [network.own.pk],
            "segment-circle": "outer",
            "action": "check",
            **fields,
        }
        response = client.post(reverse("announcements:announcement_new"), data)
        assert response.status_code == 200, "a form with an error is shown again"
        assert not Announcement.objects.exists()
        page = response.content.decode()
        assert "Onderwerp dat blijft staan" in page
        assert "Tekst die blijft staan." in page
        return response

    return post


def test_an_empty_segment_is_refused_at_the_segment_form(network, coordinator):
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        reverse("announcements:announcement_new"),
        {"subject": "Onderwerp dat blijft staan", "body": "Tekst", "action": "check"},
    )
    assert response.status_code == 200
    assert response.context["segment_form"].non_field_errors() == [
        gettext("Choose at least one group of people: a coalition, a discipline, all members, …")
    ]
    assert "Onderwerp dat blijft staan" in response.content.decode()
    assert not Announcement.objects.exists()


def test_a_coalition_coordinator_who_chooses_none_of_their_coalitions_is_told_to(composing):
    response = composing(**{"segment-coalitions": []})
    assert response.context["segment_form"].errors["coalitions"] == [gettext("Choose at least one of your coalitions.")]


def test_a_segment_that_reaches_nobody_is_refused_at_the_form(composing, network):
    network.own.partnerships.all().delete()
    response = composing()
    [message] = response.context["segment_form"].non_field_errors()
    assert message.startswith(gettext("Nobody would receive this mail: the people chosen are an empty group.")[:20])


def test_a_forbidden_file_type_is_refused_in_dutch(composing):
    response = composing(attachment=SimpleUploadedFile("programma.exe", b"MZ\x90\x00", "application/octet-stream"))
    [message] = response.context["form"].errors["attachment"]
    assert message.startswith("Toegestane bestandstypen: ")
    assert "pdf" in message


def test_a_file_over_ten_megabytes_is_refused_in_dutch(composing):
    big = SimpleUploadedFile("verslag.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES, "application/pdf")
    response = composing(attachment=big)
    assert response.context["form"].errors["attachment"] == ["Het bestand is te groot; de grens is 10 MB."]


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.org/bestand.pdf", "mailto:a@example.org"])
def test_a_link_that_is_not_http_is_refused_at_the_link(composing, link):
    response = composing(cta_label="Lees meer", cta_url=link)
    assert response.context["form"].errors["cta_url"] == [gettext("A link must start with https:// or http://.")]
    assert "Lees meer" in response.content.decode()


def test_a_button_needs_both_its_text_and_its_link(composing):
    response = composing(cta_label="", cta_url="https://example.org/")
    assert response.context["form"].errors["cta_label"] == [gettext("Give the button a text, or leave the link empty.")]


def test_an_allowed_file_up_to_ten_megabytes_is_kept_privately(network, coalition_coordinator, settings):
    client = Client()
    client.force_login(coalition_coordinator)
    response = client.post(
        reverse("announcements:announcement_new"),
        {
            "subject": "Met bijlage",
            "body": "Zie de bijlage.",
            "attachment": SimpleUploadedFile("route.pdf", b"%PDF-1.4 route", "application/pdf"),
            "segment-coalitions": [network.own.pk],
            "action": "save",
        },
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.attachment_name == "route.pdf"
    assert str(settings.PRIVATE_MEDIA_ROOT) in announcement.attachment.path
