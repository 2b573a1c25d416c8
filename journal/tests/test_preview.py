"""Preview links: valid, expired, revoked and tampered; only editors make them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from journal import services
from journal.models import PreviewLink, State

from .factories import EditionFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_story():
    return StoryFactory(title="Secret draft story", state=State.DRAFT)


def test_unpublished_story_is_hidden_from_anonymous_and_members(client, member, draft_story):
    for user in (None, member):
        if user:
            client.force_login(user)
        response = client.get(draft_story.get_absolute_url())
        assert response.status_code == 404
        assert "Secret draft story" not in response.text


def test_valid_preview_link_shows_unpublished_story_without_account(client, editor, draft_story):
    link = services.create_preview_link(draft_story, by=editor)
    assert link.expires_at - timezone.now() > timedelta(days=13, hours=23)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert b"Secret draft story" in response.content
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_edition_preview_shows_its_stories_and_links_to_them(client, coordinator):
    edition = EditionFactory(title="Spring edition")
    story = StoryFactory(edition=edition, title="Draft inside")
    link = services.create_preview_link(edition, by=coordinator)
    response = client.get(link.get_absolute_url())
    assert b"Draft inside" in response.content
    story_url = f"{link.get_absolute_url()}{story.slug}/"
    assert story_url.encode() in response.content
    story_page = client.get(story_url)
    assert story_page.status_code == 200
    assert "Draft inside" in story_page.text
    assert story_page["X-Robots-Tag"] == "noindex, nofollow"


def test_expired_preview_link_is_refused(client, editor, draft_story):
    link = services.create_preview_link(draft_story, by=editor)
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(link.get_absolute_url())
    assert response.status_code == 410
    assert b"Secret draft story" not in response.content


def test_revoked_preview_link_is_refused(client, editor, draft_story):
    link = services.create_preview_link(draft_story, by=editor)
    services.revoke_preview_link(link, by=editor)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 410
    assert b"Secret draft story" not in response.content


def test_tampered_preview_link_is_not_found(client, editor, draft_story):
    link = services.create_preview_link(draft_story, by=editor)
    signed = link.signed_token()
    token, signature = signed.split(":", 1)
    forged = f"{token[:-1]}{'A' if token[-1] != 'A' else 'B'}:{signature}"
    assert client.get(f"/journal/preview/{forged}/").status_code == 404
    # A token without its signature, or an unknown but "signed-looking" one, is refused too.
    assert client.get(f"/journal/preview/{token}/").status_code == 404
    assert client.get(f"/journal/preview/{token}:{signature[::-1]}/").status_code == 404


def test_members_cannot_make_preview_links(member, draft_story):
    with pytest.raises(services.NotAllowed):
        services.create_preview_link(draft_story, by=member)


@pytest.mark.parametrize("role", ["member", "pending_member"])
def test_only_the_editorial_team_revokes_a_link_from_the_desk(client, request, editor, draft_story, role):
    link = services.create_preview_link(draft_story, by=editor)
    client.force_login(request.getfixturevalue(role))
    response = client.post(f"/journal/desk/preview-links/{link.pk}/revoke/")
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


def test_editor_revokes_a_link_from_the_desk(client, editor, draft_story):
    link = services.create_preview_link(draft_story, by=editor)
    client.force_login(editor)
    response = client.post(f"/journal/desk/preview-links/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_edition_preview_marks_the_stories_not_published_yet_with_their_state(client, coordinator):
    edition = EditionFactory(title="Spring edition")
    StoryFactory(edition=edition, title="Still a draft", state=State.DRAFT)
    StoryFactory(edition=edition, title="Already out", state=State.PUBLISHED)
    link = services.create_preview_link(edition, by=coordinator)
    cards = {
        title: card
        for card in client.get(link.get_absolute_url()).text.split("<article")[1:]
        for title in ("Still a draft", "Already out")
        if title in card
    }
    assert "badge text-bg-warning" in cards["Still a draft"]
    assert "badge text-bg-warning" not in cards["Already out"]
