"""Stories and editions tagged with coalitions: a coalition's page lists the published stories that mention it,
through the network's PAGE_SECTIONS registry; the demo tags some; editors pick coalitions in the admin."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import demo
from journal.models import State, Story
from members import demo as members_demo
from network import demo as network_demo
from network.models import Coalition
from network.tests.factories import CoalitionFactory

from .factories import EditionFactory, StoryFactory, published_edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _published_story(coalition=None, *, days_ago=1, **kwargs):
    edition = EditionFactory(published=True, published_at=timezone.now() - timedelta(days=days_ago))
    story = StoryFactory(edition=edition, state=State.PUBLISHED, published_at=edition.published_at, **kwargs)
    if coalition is not None:
        story.coalitions.add(coalition)
    return story


def test_the_coalition_page_lists_its_published_stories_newest_first_and_no_drafts_or_others(client):
    coalition, other = CoalitionFactory(), CoalitionFactory()
    older = _published_story(coalition, days_ago=30, title="Older story")
    newer = _published_story(coalition, days_ago=2, title="Newer story")
    _published_story(other, title="Another coalition's story")
    draft = StoryFactory(edition=newer.edition, state=State.DRAFT, title="Draft story")
    draft.coalitions.add(coalition)
    unpublished_edition = EditionFactory(state=State.APPROVED)
    hidden = StoryFactory(edition=unpublished_edition, state=State.PUBLISHED, title="Story of a draft edition")
    hidden.coalitions.add(coalition)

    text = client.get(coalition.get_absolute_url()).text

    assert "In the journal" in text
    assert f'href="{newer.get_absolute_url()}"' in text and f'href="{older.get_absolute_url()}"' in text
    assert text.index("Newer story") < text.index("Older story")
    for title in ("Another coalition", "Draft story", "Story of a draft edition"):
        assert title not in text


def test_the_stories_of_an_edition_tagged_with_the_coalition_are_listed_once(client):
    coalition = CoalitionFactory()
    edition = published_edition(stories=2)
    edition.coalitions.add(coalition)
    first = edition.stories.order_by("order", "pk").first()
    first.coalitions.add(coalition)

    text = client.get(coalition.get_absolute_url()).text

    assert text.count(f'href="{first.get_absolute_url()}"') == 1
    for story in edition.stories.all():
        assert story.title in text


def test_a_coalition_without_stories_shows_no_journal_section(client):
    assert "In the journal" not in client.get(CoalitionFactory().get_absolute_url()).text


def test_the_page_takes_as_many_queries_for_many_stories_as_for_few(client, django_assert_max_num_queries):
    coalition = CoalitionFactory()
    _published_story(coalition)
    with django_assert_max_num_queries(100) as few:
        client.get(coalition.get_absolute_url())
    for days_ago in range(2, 14):
        _published_story(coalition, days_ago=days_ago)
    with django_assert_max_num_queries(len(few)):
        response = client.get(coalition.get_absolute_url())
    assert response.text.count("/journal/") >= 5


def test_an_editor_who_manages_no_coalition_finds_coalitions_in_the_story_admin(client, editor):
    editor.is_staff = True
    editor.save()
    CoalitionFactory(name="Kansrijk Walcheren")
    client.force_login(editor)
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "walch", "app_label": "journal", "model_name": "story", "field_name": "coalitions"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in json.loads(response.content)["results"]] == ["Kansrijk Walcheren"]
    # The autocomplete opens no more than the names: the coalitions' admin stays closed to the editor.
    assert client.get(reverse("admin:network_coalition_changelist")).status_code == 403


def test_the_demo_tags_stories_and_an_edition_with_coalitions_idempotently():
    members_demo.seed()
    network_demo.seed()
    demo.seed()
    tags = sorted(Story.coalitions.through.objects.values_list("story__slug", "coalition__slug"))
    demo.seed()
    assert sorted(Story.coalitions.through.objects.values_list("story__slug", "coalition__slug")) == tags
    assert ("practice-1", "borsele") in tags
    assert Coalition.objects.get(slug="walcheren").editions.filter(slug="zomer-kraamweek").exists()
