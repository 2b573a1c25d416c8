"""The publication workflow: transitions, who may make each, publishing and mailing once, the beat task."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from coalition.celery import app
from coalition.models import Delivery, Mailing
from coalition.rules import DomainError
from journal import services, tasks
from journal.models import Edition, State, Story, Tip

from . import factories
from .factories import EditionFactory, StoryFactory, SubscriberFactory, TipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_edition():
    return factories.approved_edition(stories=2)


@pytest.mark.parametrize("role", ["editor", "coordinator"])
def test_editors_and_coordinators_move_a_story_through_review(request, role):
    user = request.getfixturevalue(role)
    story = StoryFactory()
    story = services.submit_for_review(story, by=user)
    assert story.state == State.REVIEW
    story = services.send_back(story, by=user)
    assert story.state == State.DRAFT
    services.submit_for_review(story, by=user)
    story = services.approve(story, by=user)
    assert story.state == State.APPROVED


@pytest.mark.parametrize("role", ["member", "pending_member"])
def test_members_cannot_move_work_along(request, role):
    user = request.getfixturevalue(role)
    story = StoryFactory()
    with pytest.raises(services.NotAllowed):
        services.submit_for_review(story, by=user)
    story.state = State.REVIEW
    story.save()
    with pytest.raises(services.NotAllowed):
        services.approve(story, by=user)
    with pytest.raises(services.NotAllowed):
        services.send_back(story, by=user)
    story.refresh_from_db()
    assert story.state == State.REVIEW


def test_only_coordinators_approve_an_edition(editor, coordinator):
    edition = EditionFactory(state=State.REVIEW)
    with pytest.raises(services.NotAllowed):
        services.approve(edition, by=editor)
    assert services.approve(edition, by=coordinator).state == State.APPROVED


def test_a_draft_cannot_be_approved_or_published(coordinator):
    edition = EditionFactory(state=State.DRAFT)
    StoryFactory(edition=edition, state=State.APPROVED)
    with pytest.raises(services.JournalError):
        services.approve(edition, by=coordinator)
    with pytest.raises(services.JournalError):
        services.publish(edition, by=coordinator)
    edition.refresh_from_db()
    assert edition.state == State.DRAFT


def test_a_refusal_says_why_in_its_message_and_is_a_domain_error(editor, approved_edition):
    with translation.override("en"), pytest.raises(DomainError) as refusal:
        services.publish(approved_edition, by=editor)
    assert isinstance(refusal.value, services.NotAllowed)
    assert str(refusal.value) == "Only coordinators publish an edition."
    with translation.override("en"), pytest.raises(DomainError) as refusal:
        services.publish(EditionFactory(state=State.DRAFT), by=None)
    assert isinstance(refusal.value, services.JournalError)
    assert str(refusal.value) == "Only an approved edition can be published."


def test_editorial_team_cannot_publish_or_schedule(editor, approved_edition):
    with pytest.raises(services.NotAllowed):
        services.publish(approved_edition, by=editor)
    with pytest.raises(services.NotAllowed):
        services.schedule(approved_edition, at=timezone.now() + timedelta(days=1), by=editor)
    approved_edition.refresh_from_db()
    assert approved_edition.state == State.APPROVED


def test_an_edition_without_approved_stories_is_not_published(coordinator):
    edition = EditionFactory(state=State.APPROVED)
    StoryFactory(edition=edition, state=State.DRAFT)
    with pytest.raises(services.JournalError):
        services.publish(edition, by=coordinator)


def test_publishing_puts_approved_stories_online_and_leaves_drafts(coordinator, approved_edition):
    draft = StoryFactory(edition=approved_edition, state=State.DRAFT)
    edition = services.publish(approved_edition, by=coordinator)
    assert edition.is_published
    assert edition.published_by == coordinator
    assert set(edition.stories.values_list("state", flat=True)) == {State.PUBLISHED, State.DRAFT}
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert Edition.objects.published().filter(pk=edition.pk).exists()
    assert Story.objects.published().filter(edition=edition).count() == 2


def test_publish_and_mail_reaches_every_subscriber_exactly_once(
    coordinator, approved_edition, django_capture_on_commit_callbacks
):
    readers = SubscriberFactory.create_batch(3)
    SubscriberFactory(wants_journal=False)  # unsubscribed from the journal
    SubscriberFactory(confirmed_at=None)  # never confirmed
    SubscriberFactory(wants_journal=False, wants_invitations=True)  # invitations only
    with django_capture_on_commit_callbacks(execute=True):
        factories.publish_and_mail(approved_edition, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        factories.publish_and_mail(approved_edition, by=coordinator)  # a second check: refused, mailed already
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(approved_edition, by=coordinator)  # publishing again
        services.publish_due_editions()  # and the beat task, for good measure

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(f"{r.name} <{r.email}>" for r in readers)
    assert Mailing.objects.filter(kind=Mailing.Kind.JOURNAL).count() == 1
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 3
    message = mail.outbox[0]
    assert approved_edition.title in message.subject
    assert "List-Unsubscribe" in message.extra_headers
    html = message.alternatives[0][0]
    for story in approved_edition.stories.all():
        assert story.title in message.body
        assert story.get_absolute_url() in html
    assert "/journal/unsubscribe/" in message.body


def test_publishing_without_mail_then_with_mail_sends_once(
    coordinator, approved_edition, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(2)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(approved_edition, by=coordinator)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        factories.publish_and_mail(approved_edition, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        factories.publish_and_mail(approved_edition, by=coordinator)
    assert len(mail.outbox) == 2


def test_edition_mail_leaves_out_the_events_section_when_there_are_none(coordinator, approved_edition):
    context = services.edition_mail_context(approved_edition)
    assert context["events"] == []


EVENTS_HEADINGS = ("Upcoming events of this edition", "Komende bijeenkomsten bij deze editie")


def test_edition_mail_shows_what_a_registered_section_answers(
    coordinator, approved_edition, monkeypatch, django_capture_on_commit_callbacks
):
    event = {"title": "Inloopochtend", "when": "", "url": "https://x.test/e/", "register_url": "https://x.test/e/in/"}
    monkeypatch.setattr(services, "EDITION_MAIL_SECTIONS", {"events": lambda edition: [event]})
    SubscriberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        factories.publish_and_mail(approved_edition, by=coordinator)
    message = mail.outbox[0]
    assert "Inloopochtend" in message.body
    assert "https://x.test/e/in/" in message.alternatives[0][0]
    assert any(heading in message.body for heading in EVENTS_HEADINGS)


def test_edition_mail_goes_out_when_no_app_answers_the_hook(
    coordinator, approved_edition, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "EDITION_MAIL_SECTIONS", {})
    SubscriberFactory()
    assert "events" not in services.edition_mail_context(approved_edition)
    with django_capture_on_commit_callbacks(execute=True):
        factories.publish_and_mail(approved_edition, by=coordinator)
    message = mail.outbox[0]
    assert approved_edition.stories.first().title in message.body
    for heading in EVENTS_HEADINGS:
        assert heading not in message.body
        assert heading not in message.alternatives[0][0]


def test_schedule_needs_a_future_time(coordinator, approved_edition):
    with pytest.raises(services.JournalError):
        services.schedule(approved_edition, at=timezone.now() - timedelta(minutes=1), by=coordinator)


def test_beat_task_publishes_and_mails_a_scheduled_edition_when_due(
    coordinator, approved_edition, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(2)
    factories.schedule_with_mail(approved_edition, at=timezone.now() + timedelta(hours=1), by=coordinator)
    assert tasks.publish_due_editions.delay().get() == []
    approved_edition.refresh_from_db()
    assert approved_edition.state == State.SCHEDULED
    assert not Edition.objects.published().filter(pk=approved_edition.pk).exists()

    Edition.objects.filter(pk=approved_edition.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.publish_due_editions.delay().get() == [approved_edition.pk]
    approved_edition.refresh_from_db()
    assert approved_edition.is_published
    assert approved_edition.mailing is not None
    assert approved_edition.mailing.created_by == coordinator
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.publish_due_editions.delay().get() == []
    assert len(mail.outbox) == 2


def test_beat_schedule_runs_the_publication_task():
    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "journal.tasks.publish_due_editions" in tasks_scheduled


def test_unschedule_returns_edition_to_approved(coordinator, approved_edition):
    services.schedule(approved_edition, at=timezone.now() + timedelta(days=2), by=coordinator)
    assert services.unschedule(approved_edition, by=coordinator).state == State.APPROVED


def test_sender_is_told_once_when_their_tip_becomes_a_published_story(
    editor, coordinator, approved_edition, django_capture_on_commit_callbacks
):
    story = approved_edition.stories.first()
    tip = TipFactory(email="tipper@example.net", name="Tipper")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_tip(tip, by=editor, state=Tip.State.USED, story=story)
    assert mail.outbox == []  # the story is not online yet: nothing to link to
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(approved_edition, by=coordinator)
    assert [m.to for m in mail.outbox] == [["Tipper <tipper@example.net>"]]
    assert story.title in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.update_tip(tip, by=editor, state=Tip.State.USED, story=story)
    assert len(mail.outbox) == 1


def test_member_tip_sender_is_told_at_their_account_address(editor, coordinator, django_capture_on_commit_callbacks):
    edition = EditionFactory(published=True)
    story = StoryFactory(edition=edition, state=State.PUBLISHED)
    sender = UserFactory(email="sender@example.org")
    tip = services.submit_tip(what="Look at this", sender=sender)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_tip(tip, by=editor, state=Tip.State.USED, story=story)
    assert mail.outbox[0].to[0].endswith("<sender@example.org>")


def test_tip_states_need_their_details(editor):
    tip = TipFactory()
    with pytest.raises(services.JournalError):
        services.update_tip(tip, by=editor, state=Tip.State.ASSIGNED)
    with pytest.raises(services.JournalError):
        services.update_tip(tip, by=editor, state=Tip.State.USED)
    tip = services.update_tip(tip, by=editor, state=Tip.State.ASSIGNED, assigned_to=editor)
    assert tip.state == Tip.State.ASSIGNED
    assert tip.assigned_to == editor


def test_members_cannot_work_on_tips(member):
    with pytest.raises(services.NotAllowed):
        services.update_tip(TipFactory(), by=member, state=Tip.State.DECLINED)


def test_late_story_is_published_into_a_published_edition(coordinator, editor):
    edition = EditionFactory(published=True)
    story = StoryFactory(edition=edition, state=State.APPROVED)
    with pytest.raises(services.NotAllowed):
        services.publish_story(story, by=editor)
    assert services.publish_story(story, by=coordinator).is_published
