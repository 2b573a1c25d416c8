"""The journal in the admin: publish-and-mail action, checklist, cover processing, the mail without events."""

import io

import pytest
import rules
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from coalition.models import MailCheck, Mailing
from coalition.roles import is_editor
from journal import services
from journal.models import Edition, State, Story
from journal.rules import is_published
from members.tests.test_image_metadata import assert_bare, jpeg_with_everything

from . import factories
from .factories import EditionFactory, StoryFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_edition():
    return factories.approved_edition()


def test_publish_and_mail_action_publishes_and_mails_once_through_the_check_page(
    coordinator_client, approved_edition, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(2)
    url = reverse("admin:journal_edition_changelist")
    data = {"action": "publish_and_mail", "_selected_action": [approved_edition.pk]}
    response = coordinator_client.post(url, data)
    check = MailCheck.objects.get(kind="journal.edition")
    assert response.status_code == 302
    assert response["Location"] == check.get_absolute_url()
    assert Mailing.objects.filter(kind=Mailing.Kind.JOURNAL).count() == 0
    confirm = {"action": "confirm", "fingerprint": check.fingerprint}
    with django_capture_on_commit_callbacks(execute=True):
        assert coordinator_client.post(check.get_absolute_url(), confirm).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(check.get_absolute_url(), confirm)  # a second click
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, data)  # and the action again: the edition was mailed, no new check
    approved_edition.refresh_from_db()
    assert approved_edition.is_published
    assert Mailing.objects.filter(kind=Mailing.Kind.JOURNAL).count() == 1
    assert len(mail.outbox) == 2


def test_editorial_team_does_not_get_the_publish_action(client, editor, approved_edition):
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    response = client.get(reverse("admin:journal_edition_changelist"))
    assert response.status_code == 200
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "publish_and_mail" not in actions
    client.post(
        reverse("admin:journal_edition_changelist"),
        {"action": "publish_and_mail", "_selected_action": [approved_edition.pk]},
    )
    approved_edition.refresh_from_db()
    assert approved_edition.state == State.APPROVED


def test_checklist_names_what_is_missing(coordinator_client):
    edition = EditionFactory(introduction="")
    StoryFactory(edition=edition, title="Half-done piece", state=State.DRAFT)
    StoryFactory(edition=edition, kind=Story.Kind.FILM, title="Film without address", state=State.APPROVED)
    with translation.override("en"):
        problems = [str(p) for p in edition.missing()]
    assert any("cover" in p for p in problems)
    assert any("introduction" in p for p in problems)
    assert any("Half-done piece" in p for p in problems)
    assert any("Film without address" in p for p in problems)
    response = coordinator_client.get(reverse("admin:journal_edition_change", args=[edition.pk]))
    assert response.status_code == 200
    assert "Half-done piece" in response.content.decode()


def test_cover_upload_is_reencoded_without_any_metadata(coordinator_client):
    edition = EditionFactory()
    data = {
        "number": edition.number,
        "title": edition.title,
        "slug": edition.slug,
        "introduction": "Intro",
        "cover_alt": "Blue field",
        "cover": SimpleUploadedFile("cover.jpg", jpeg_with_everything(), content_type="image/jpeg"),
        "stories-TOTAL_FORMS": 0,
        "stories-INITIAL_FORMS": 0,
        "preview_links-TOTAL_FORMS": 0,
        "preview_links-INITIAL_FORMS": 0,
    }
    response = coordinator_client.post(reverse("admin:journal_edition_change", args=[edition.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    edition.refresh_from_db()
    stored = edition.cover.read()
    assert_bare(stored)  # no comment, EXIF, XMP, ICC or APPn segment
    assert Image.open(io.BytesIO(stored)).format == "JPEG"


def test_cover_that_is_not_an_image_is_refused(coordinator_client):
    edition = EditionFactory()
    data = {
        "number": edition.number,
        "title": edition.title,
        "slug": edition.slug,
        "cover": SimpleUploadedFile("cover.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg"),
        "stories-TOTAL_FORMS": 0,
        "stories-INITIAL_FORMS": 0,
        "preview_links-TOTAL_FORMS": 0,
        "preview_links-INITIAL_FORMS": 0,
    }
    response = coordinator_client.post(reverse("admin:journal_edition_change", args=[edition.pk]), data)
    assert response.status_code == 200
    assert "cover" in response.context["adminform"].form.errors
    assert not Edition.objects.get(pk=edition.pk).cover


def test_edition_mail_without_events_has_no_events_heading(
    coordinator, approved_edition, django_capture_on_commit_callbacks
):
    SubscriberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        factories.publish_and_mail(approved_edition, by=coordinator)
    for heading in ("Upcoming events", "Komende bijeenkomsten"):
        assert heading not in mail.outbox[0].body
        assert heading not in mail.outbox[0].alternatives[0][0]


@pytest.mark.parametrize("model", ["edition", "story", "tip", "editorialmembership", "subscriber", "previewlink"])
def test_admin_pages_open_for_coordinators(coordinator_client, coordinator, model):
    story = StoryFactory(title="Story in the admin")
    services.create_preview_link(story, by=coordinator)
    changelist = coordinator_client.get(reverse(f"admin:journal_{model}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == changelist.context["cl"].model.objects.count()
    if model in {"story", "previewlink"}:
        assert "Story in the admin" in changelist.text
    if model != "previewlink":
        add = coordinator_client.get(reverse(f"admin:journal_{model}_add"))
        assert add.status_code == 200
        assert add.context["adminform"].form.instance.pk is None


def test_coordinator_adds_a_team_member_in_the_admin_and_the_group_follows(coordinator_client, member):
    response = coordinator_client.post(
        reverse("admin:journal_editorialmembership_add"),
        {"user": member.pk, "role": "films", "start_date": "01-01-2020"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    member.__dict__.pop("_role_names", None)
    assert is_editor(member)


@pytest.fixture
def stories_change_only_while_unpublished():
    """A rule that depends on the object: the admin must ask it with the story, not only with the model."""
    rule = rules.permissions.permissions["journal.change_story"]
    rules.set_perm("journal.change_story", rule & ~is_published)
    yield
    rules.set_perm("journal.change_story", rule)


def test_the_story_admin_asks_the_rules_with_the_story(editor_client, stories_change_only_while_unpublished):
    draft = StoryFactory(state=State.DRAFT, title="Still a draft")
    online = factories.published_edition(stories=1).stories.get()
    draft_page = editor_client.get(reverse("admin:journal_story_change", args=[draft.pk]))
    online_page = editor_client.get(reverse("admin:journal_story_change", args=[online.pk]))
    assert draft_page.context["has_change_permission"] is True
    assert online_page.context["has_change_permission"] is False
    assert 'name="title"' in draft_page.text
    assert 'name="title"' not in online_page.text


def test_editor_reads_an_edition_in_the_admin_but_cannot_change_it(editor_client):
    edition = EditionFactory(title="Coordinators decide")
    url = reverse("admin:journal_edition_change", args=[edition.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "Coordinators decide" in page.text
    assert page.context["has_change_permission"] is False
    response = editor_client.post(
        url, {"number": edition.number, "title": "Changed by an editor", "slug": edition.slug}
    )
    assert response.status_code == 403
    assert Edition.objects.get(pk=edition.pk).title == "Coordinators decide"


@pytest.mark.parametrize("model", ["subscriber", "editorialmembership"])
def test_editor_is_refused_subscribers_and_the_team_in_the_admin(editor_client, model):
    SubscriberFactory(email="private-reader@example.net")
    response = editor_client.get(reverse(f"admin:journal_{model}_changelist"))
    assert response.status_code == 403
    assert "private-reader@example.net" not in response.text


def test_editor_sees_preview_links_read_only_and_revokes_them_by_the_action(editor_client, editor):
    link = services.create_preview_link(StoryFactory(title="Shared draft"), by=editor)
    url = reverse("admin:journal_previewlink_changelist")
    page = editor_client.get(url)
    assert "Shared draft" in page.text
    assert "revoke" in dict(page.context["action_form"].fields["action"].choices)
    assert (
        editor_client.get(reverse("admin:journal_previewlink_change", args=[link.pk])).context["has_change_permission"]
        is False
    )
    editor_client.post(url, {"action": "revoke", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_editor_gets_the_preview_action_but_not_the_publish_story_action(editor_client):
    StoryFactory()
    page = editor_client.get(reverse("admin:journal_story_changelist"))
    actions = dict(page.context["action_form"].fields["action"].choices)
    assert "create_preview_link" in actions
    assert "publish_story" not in actions


def test_a_member_with_staff_access_sees_nothing_of_the_journal_in_the_admin(client, member):
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    client.force_login(member)
    assert client.get(reverse("admin:journal_story_changelist")).status_code == 403
    assert "journal" not in [app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]]
