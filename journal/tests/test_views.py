"""Public journal pages as each role: lists, editions, stories, the feed, magazines and the desk."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from journal import services
from journal.models import State, Story

from .factories import (
    EditionFactory,
    EditorialMembershipFactory,
    OrganisationFactory,
    ProfileFactory,
    StoryFactory,
    published_edition,
)

pytestmark = pytest.mark.django_db


def test_journal_list_shows_published_editions_newest_first(client):
    old = published_edition(title="Christmas edition")
    published_edition(title="Spring edition")
    old.published_at = old.published_at.replace(year=old.published_at.year - 1)
    old.save()
    EditionFactory(title="Secret draft edition")
    response = client.get(reverse("journal:edition_list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Secret draft edition" not in content
    assert content.index("Spring edition") < content.index("Christmas edition")


def test_journal_list_pages_to_older_and_newer_editions(client):
    for _ in range(13):
        published_edition(stories=1)
    first = client.get(reverse("journal:edition_list"), HTTP_ACCEPT_LANGUAGE="en").text
    second = client.get(reverse("journal:edition_list"), {"page": 2}, HTTP_ACCEPT_LANGUAGE="en").text
    assert 'href="?page=2">Older editions</a>' in first and "Newer editions" not in first
    assert 'href="?page=1">Newer editions</a>' in second


def test_journal_list_query_count_does_not_grow_with_editions(client, django_assert_max_num_queries):
    for _ in range(15):
        published_edition(stories=3)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("journal:edition_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 12


def test_edition_page_query_count_does_not_grow_with_stories(client, django_assert_max_num_queries):
    edition = published_edition(stories=0)
    for index in range(30):
        story = StoryFactory(edition=edition, state=State.PUBLISHED, kind=Story.Kind.values[index % 6])
        story.authors.add(ProfileFactory(), ProfileFactory())
    with django_assert_max_num_queries(4):
        response = client.get(edition.get_absolute_url())
    assert response.status_code == 200
    kinds = [group["kind"] for group in response.context["groups"]]
    assert len(kinds) == 6


def test_edition_page_groups_stories_by_kind_and_hides_unpublished_ones(client):
    edition = published_edition(stories=0)
    StoryFactory(edition=edition, state=State.PUBLISHED, kind=Story.Kind.FILM, title="The film")
    StoryFactory(edition=edition, state=State.DRAFT, title="Unfinished piece")
    response = client.get(edition.get_absolute_url())
    content = response.content.decode()
    assert "The film" in content
    assert "Unfinished piece" not in content
    assert 'property="og:title"' in content


@pytest.mark.parametrize(
    ("role", "readable"),
    [(None, False), ("pending_member", False), ("member", False), ("editor", True), ("coordinator", True)],
)
def test_unpublished_edition_is_only_for_editors_and_coordinators(client, request, role, readable):
    edition = EditionFactory(state=State.APPROVED, title="Secret spring edition")
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(edition.get_absolute_url())
    # Not found rather than refused: the address of a draft tells nobody that it exists.
    assert response.status_code == (200 if readable else 404)
    assert ("Secret spring edition" in response.text) is readable
    if readable:
        assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_scheduled_edition_is_not_public_before_its_time(client):
    edition = EditionFactory(state=State.SCHEDULED, title="Coming next week")
    response = client.get(edition.get_absolute_url())
    assert response.status_code == 404
    assert "Coming next week" not in response.text


def test_story_page_links_people_to_the_directory_only_for_members(client, member):
    edition = published_edition(stories=0)
    story = StoryFactory(edition=edition, state=State.PUBLISHED)
    person = ProfileFactory(first_name="Fatima", last_name="Yilmaz")
    organisation = OrganisationFactory(name="Verloskundigen Oost")
    story.featured_people.add(person)
    story.featured_organisations.add(organisation)
    profile_url = reverse("members:profile_detail", kwargs={"pk": person.pk})

    anonymous = client.get(story.get_absolute_url()).content.decode()
    assert "Fatima Yilmaz" in anonymous
    assert profile_url not in anonymous
    assert organisation.get_absolute_url() in anonymous

    client.force_login(member)
    as_member = client.get(story.get_absolute_url()).content.decode()
    assert f'href="{profile_url}"' in as_member


def test_film_is_a_link_until_clicked_and_no_third_party_request_is_made(client):
    edition = published_edition(stories=0)
    story = StoryFactory(
        edition=edition, state=State.PUBLISHED, kind=Story.Kind.FILM, video_url="https://youtu.be/dQw4w9WgXcQ"
    )
    content = client.get(story.get_absolute_url()).content.decode()
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in content
    assert 'data-embed-url="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ' in content
    assert "<iframe" not in content
    assert 'src="https://www.youtube' not in content
    assert "js/journal.js" in content


def test_magazine_of_unpublished_story_is_served_only_to_editors(client, editor, member):
    story = StoryFactory(kind=Story.Kind.MAGAZINE, state=State.APPROVED)
    story.attachment.save("magazine.pdf", ContentFile(b"%PDF-1.7 magazine"))
    url = story.get_attachment_url()
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 404
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "/media/" not in story.attachment.path.replace(str(story.attachment.storage.location), "")


def test_magazine_of_published_story_is_public(client):
    edition = published_edition(stories=0)
    story = StoryFactory(edition=edition, kind=Story.Kind.MAGAZINE, state=State.PUBLISHED)
    story.attachment.save("magazine.pdf", ContentFile(b"%PDF-1.7 magazine"))
    response = client.get(story.get_attachment_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 magazine"
    assert "X-Robots-Tag" not in response


def test_atom_feed_lists_published_editions(client):
    published_edition(title="Christmas edition")
    EditionFactory(title="Hidden draft")
    response = client.get(reverse("journal:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert b"Christmas edition" in response.content
    assert b"Hidden draft" not in response.content


@pytest.mark.parametrize(
    ("role", "allowed"), [("member", False), ("pending_member", False), ("editor", True), ("coordinator", True)]
)
def test_desk_is_for_editors_and_coordinators(client, request, role, allowed):
    EditionFactory(state=State.DRAFT, title="Edition in the works")
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("journal:desk"))
    assert response.status_code == (200 if allowed else 403)
    assert ("Edition in the works" in response.text) is allowed
    if not allowed:
        assert "No access" in response.text or "Geen toegang" in response.text


def test_the_desk_links_to_the_admin_only_for_those_it_lets_in(client, editor, coordinator):
    admin_url = reverse("admin:journal_edition_changelist")
    client.force_login(editor)  # no staff access yet: the admin would not let them in
    assert admin_url not in client.get(reverse("journal:desk")).text
    client.force_login(coordinator)
    assert admin_url in client.get(reverse("journal:desk")).text


@pytest.mark.parametrize(("role", "sees_links"), [(None, False), ("member", False), ("editor", True)])
def test_the_journal_page_links_to_the_desk_and_tips_for_the_editorial_team(client, request, role, sees_links):
    if role:
        client.force_login(request.getfixturevalue(role))
    content = client.get(reverse("journal:edition_list")).text
    assert (f'href="{reverse("journal:desk")}"' in content) is sees_links
    assert (f'href="{reverse("journal:tip_list")}"' in content) is sees_links


def test_desk_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("journal:desk"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_edition_slug_cannot_shadow_journal_pages():
    edition = EditionFactory.build(slug="feed")
    with pytest.raises(ValidationError):
        edition.full_clean()


def test_journal_list_with_a_full_editorial_team_keeps_its_query_count(client, django_assert_max_num_queries):
    published_edition(stories=2)
    for _ in range(6):
        EditorialMembershipFactory(user=ProfileFactory().user, role="films")
    with django_assert_max_num_queries(4):
        response = client.get(reverse("journal:edition_list"))
    assert len(response.context["team"]) == 6


def test_desk_query_count_does_not_grow_with_work_in_progress(client, editor, django_assert_max_num_queries):
    for number in range(8):
        edition = EditionFactory(state=State.SCHEDULED if number % 2 else State.DRAFT)
        for _ in range(3):
            story = StoryFactory(edition=edition, state=State.REVIEW)
            services.create_preview_link(story, by=editor)
        services.create_preview_link(edition, by=editor)
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("journal:desk"))
    assert response.status_code == 200
    assert len(response.context["links"]) == 32
    assert len(response.context["stories_in_review"]) == 24
