"""With a real Celery worker over Redis and a real SMTP server: the beat task publishes and mails once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coalition.models import Mailing
from journal import tasks
from journal.models import Edition, State

from .factories import EditionFactory, StoryFactory, SubscriberFactory, schedule_with_mail

pytestmark = pytest.mark.celery_worker


def test_due_edition_is_published_and_mailed_once_by_the_worker(celery_worker_redis, smtp_server, coordinator):
    edition = EditionFactory(state=State.APPROVED)
    StoryFactory(edition=edition, state=State.APPROVED, title="Worker story")
    readers = SubscriberFactory.create_batch(3)
    SubscriberFactory(confirmed_at=None)
    SubscriberFactory(wants_journal=False)
    # Scheduled through the check step (confirm = schedule), then its time comes.
    schedule_with_mail(edition, at=timezone.now() + timedelta(hours=1), by=coordinator)
    Edition.objects.filter(pk=edition.pk).update(published_at=timezone.now() - timedelta(seconds=5))

    tasks.publish_due_editions.delay()
    tasks.publish_due_editions.delay()  # beat firing twice, or two beats: still one mailing
    assert smtp_server.wait_for(3), "the worker did not deliver the edition"
    celery_worker_redis.drain()
    assert celery_worker_redis.wait_until(
        lambda: Mailing.objects.filter(kind=Mailing.Kind.JOURNAL, state=Mailing.State.SENT).exists()
    )

    assert Edition.objects.published().filter(pk=edition.pk).exists()
    assert Mailing.objects.filter(kind=Mailing.Kind.JOURNAL).count() == 1
    assert sorted(smtp_server.recipients()) == sorted(r.email for r in readers)
    message = smtp_server.messages[0]
    assert "Worker story" in message.get_body(("plain",)).get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
