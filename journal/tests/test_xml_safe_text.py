"""A control character pasted from Word is dropped when journal text is saved, and never takes the feed down."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from journal.models import Edition, Story, strip_xml_invalid

from .factories import EditionFactory, StoryFactory, published_edition

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def test_strip_xml_invalid_drops_only_what_xml_cannot_carry():
    text = "Tab\there\nline\r\nvertical\x0btab, form\x0cfeed, nul\x00, esc\x1b, \ufffe – é 😀"
    assert strip_xml_invalid(text) == "Tab\there\nline\r\nverticaltab, formfeed, nul, esc,  – é 😀"
    assert strip_xml_invalid("") == ""


def test_saving_an_edition_and_a_story_drops_control_characters():
    edition = EditionFactory(title="Kerst\x0beditie", introduction="Welkom\x0b bij\x01 deze editie.\nTweede regel")
    story = StoryFactory(edition=edition, title="Een\x0c verhaal", lead="Lead\x08", body="**Vet**\x0b tekst")
    edition.refresh_from_db()
    story.refresh_from_db()
    assert (edition.title, edition.introduction) == ("Kersteditie", "Welkom bij deze editie.\nTweede regel")
    assert (story.title, story.lead, story.body) == ("Een verhaal", "Lead", "**Vet** tekst")
    assert "\x0b" not in story.body_html


def test_saving_with_update_fields_cleans_those_fields():
    edition = EditionFactory()
    edition.introduction = "Geplakt\x0b uit Word"
    edition.save(update_fields=["introduction"])
    edition.refresh_from_db()
    assert edition.introduction == "Geplakt uit Word"


def test_the_feed_serves_old_rows_that_still_hold_control_characters(client):
    edition = published_edition(stories=1)
    # Saved before the cleaning existed: written straight to the table, past save().
    Edition.objects.filter(pk=edition.pk).update(title="Oud\x0bnummer", introduction="Uit Word\x0b geplakt\x1f.")
    Story.objects.filter(edition=edition).update(title="Verhaal\x0c een")
    response = client.get(reverse("journal:feed"))
    assert response.status_code == 200
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")  # noqa: S314 - our own feed
    assert entry.find(f"{ATOM}title").text == f"{edition.number}. Oudnummer"
    summary = entry.find(f"{ATOM}summary").text
    assert summary.startswith("Uit Word geplakt.") and "Verhaal een" in summary
