"""The people on a story in the admin: an editor chooses among the people an approved member sees.

The "featured people" and "authors" pickers used to list every profile (pending, declined and unlisted
included) and the e-mail address of anyone without a name; they now search ProfileAdmin, which shows
editors what the directory shows members. Coordinators still find everyone.
"""

import pytest
from django.urls import reverse

from coalition.tests.test_admin_pages import unchanged_post_data
from members.models import Profile, Visibility
from members.tests.factories import ProfileFactory

from .factories import StoryFactory

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = reverse("admin:autocomplete")


@pytest.fixture
def people(db):
    def person(key, **kwargs):
        return ProfileFactory(user__email=f"{key}@example.org", user__first_name=key.title(), **kwargs)

    return {
        "open": person("open"),
        "private": person("private", email_visibility=Visibility.COORDINATORS),
        "unlisted": person("unlisted", is_listed=False),
        "pending": person("pending", status=Profile.Status.PENDING),
        "declined": person("declined", status=Profile.Status.DECLINED),
        "nameless": person("nameless", first_name="", last_name="", email_visibility=Visibility.COORDINATORS),
    }


def _offered(client, field, term=""):
    response = client.get(
        AUTOCOMPLETE, {"app_label": "journal", "model_name": "story", "field_name": field, "term": term}
    )
    assert response.status_code == 200
    return {int(result["id"]): result["text"] for result in response.json()["results"]}


@pytest.mark.parametrize("field", ["featured_people", "authors"])
def test_editor_is_offered_only_the_people_members_see_and_never_an_address(editor_client, editor, people, field):
    offered = _offered(editor_client, field)
    assert set(offered) == {people["open"].pk, people["private"].pk, editor.profile.pk}
    assert not any("@" in text for text in offered.values())
    for key in ("unlisted", "pending", "declined", "nameless"):
        assert not _offered(editor_client, field, key), key
        assert not _offered(editor_client, field, f"{key}@example.org"), key
    assert not _offered(editor_client, field, "open@example.org")  # found by name, as in the directory
    assert set(_offered(editor_client, field, "Open")) == {people["open"].pk}


def test_coordinator_is_offered_everyone_and_finds_them_by_address(coordinator_client, people):
    offered = _offered(coordinator_client, "featured_people")
    assert {p.pk for p in people.values()} <= set(offered)
    assert set(_offered(coordinator_client, "featured_people", "pending@example.org")) == {people["pending"].pk}


def _story_page(client, story):
    url = reverse("admin:journal_story_change", args=[story.pk])
    response = client.get(url)
    assert response.status_code == 200
    return url, response


def test_editor_cannot_feature_a_person_members_do_not_see(editor_client, people):
    story = StoryFactory()
    url, response = _story_page(editor_client, story)
    data = unchanged_post_data(response)
    data["featured_people"] = [people["open"].pk, people["pending"].pk]
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "featured_people" in response.context["adminform"].form.errors
    assert not story.featured_people.exists()
    data["featured_people"] = [people["open"].pk]
    assert editor_client.post(url, data).status_code == 302
    assert list(story.featured_people.all()) == [people["open"]]


def test_people_a_coordinator_featured_stay_when_an_editor_saves_shown_by_name_only(editor_client, people):
    story = StoryFactory()
    story.featured_people.add(people["open"], people["pending"], people["nameless"])
    url, response = _story_page(editor_client, story)
    html = response.content.decode()
    assert people["pending"].full_name in html
    assert "nameless@example.org" not in html and "pending@example.org" not in html
    data = unchanged_post_data(response)
    data["title"] = "A new title"
    assert editor_client.post(url, data).status_code == 302
    story.refresh_from_db()
    assert story.title == "A new title"
    assert set(story.featured_people.all()) == {people["open"], people["pending"], people["nameless"]}
