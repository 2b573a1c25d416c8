"""The journal in the admin: publish-and-mail action, checklist, cover processing, the mail without events."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from coalition.models import Mailing
from coalition.roles import is_editor
from journal import services
from journal.models import Edition, State, Story
from members.tests.test_image_metadata import assert_bare, jpeg_with_everything

from . import factories
from .factories import EditionFactory, StoryFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_edition():
    return factories.approved_edition()


def test_publish_and_mail_action_publishes_and_mails_once(
    coordinator_client, approved_edition, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(2)
    url = reverse("admin:journal_edition_changelist")
    data = {"action": "publish_and_mail", "_selected_action": [approved_edition.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        assert coordinator_client.post(url, data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, data)
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
        services.publish(approved_edition, by=coordinator)
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
