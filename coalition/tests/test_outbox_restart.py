"""A killed worker's mailing goes on as soon as a worker starts; the sweep catches the rest within minutes.

When the whole worker is killed (SIGKILL of its process group), the tasks it held stay
unacknowledged in Redis until the visibility timeout (an hour), and the deliveries of its last
batch stay pending. The next worker to start re-enqueues every unfinished mailing (Celery's
`worker_ready` signal); the sweep runs every minute with a short grace period and enqueues a
stuck mailing at most once per grace period. The full drill with a real SIGKILL is
`bench/mailing.py --kill-worker-at F`.
"""

from datetime import timedelta

import pytest
from celery.signals import worker_ready
from django.core.mail.backends.smtp import EmailBackend
from django.db import transaction
from django.utils import timezone

from coalition import outbox, tasks
from coalition.celery import app
from coalition.mail import Recipient, queue_mailing
from coalition.models import Delivery, Mailing
from coalition.tests.test_outbox import _outbox_test_templates, assert_each_once  # noqa: F401 - an autouse fixture

pytestmark = pytest.mark.django_db(transaction=True)


def addresses(count):
    return [f"reader{n:04d}@example.org" for n in range(count)]


def queue_without_tasks(emails, monkeypatch):
    """A mailing whose tasks are gone: held by a worker that was killed, or never enqueued."""
    with monkeypatch.context() as patch:
        patch.setattr("coalition.mail._enqueue", lambda mailing: None)
        with transaction.atomic():
            return queue_mailing(
                template="outbox_test/mass",
                recipients=[Recipient(e, context={"unsubscribe_url": f"https://portal.example/u/{e}"}) for e in emails],
                kind=Mailing.Kind.REMINDER,
            )


def killed_part_way(emails, monkeypatch, *, sent):
    """The state a SIGKILL of the whole worker leaves: `sent` mails out and marked, the rest pending."""
    mailing = queue_without_tasks(emails, monkeypatch)
    Mailing.objects.filter(pk=mailing.pk).update(state=Mailing.State.SENDING)
    assert outbox.deliver_batch(mailing.pk, limit=sent).sent == sent
    return mailing


def test_a_starting_worker_sends_the_rest_of_a_killed_workers_mailing_at_once(smtp_server, monkeypatch):
    emails = addresses(130)
    mailing = killed_part_way(emails, monkeypatch, sent=55)
    assert outbox.sweep_mailings() == [], "the periodic sweep alone would wait out its grace period"

    worker_ready.send(sender=None)  # what `celery worker` sends once it consumes

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


def test_a_starting_worker_resumes_a_mailing_even_while_its_other_batches_still_run(smtp_server, monkeypatch):
    """Found by the drill: batches queued before the kill were still sending when the resume ran,
    so "no progress" was false and the killed worker's rows were left to the sweep."""
    emails = addresses(130)
    mailing = killed_part_way(emails, monkeypatch, sent=55)
    # Another pool process claims a row at the very moment the resume looks.
    Delivery.objects.filter(pk=mailing.deliveries.filter(state=Delivery.State.SENT).first().pk).update(
        attempted_at=timezone.now() + timedelta(seconds=30)
    )

    worker_ready.send(sender=None)

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


@pytest.mark.celery_worker
def test_a_real_worker_resumes_a_killed_workers_mailing_when_told_a_worker_started(
    smtp_server, celery_worker_redis, monkeypatch
):
    emails = addresses(130)
    mailing = killed_part_way(emails, monkeypatch, sent=55)

    worker_ready.send(sender=None)

    assert celery_worker_redis.wait_until(lambda: Mailing.objects.get(pk=mailing.pk).is_finished)
    assert Mailing.objects.get(pk=mailing.pk).state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


def test_without_a_restart_the_sweep_sends_a_stranded_batch_after_the_grace_period(smtp_server, monkeypatch, settings):
    emails = addresses(90)
    mailing = killed_part_way(emails, monkeypatch, sent=30)
    assert settings.MAIL_SWEEP_GRACE_MINUTES <= 2, "with beat every minute, a stranded batch moves within 3 minutes"

    past_grace = timezone.now() - timedelta(minutes=settings.MAIL_SWEEP_GRACE_MINUTES, seconds=1)
    Mailing.objects.filter(pk=mailing.pk).update(queued_at=past_grace)
    Delivery.objects.filter(mailing=mailing).exclude(attempted_at=None).update(attempted_at=past_grace)
    assert outbox.sweep_mailings() == [mailing.pk]

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


def test_the_sweep_enqueues_a_stuck_mailing_once_per_grace_period(monkeypatch, settings):
    enqueued = []
    monkeypatch.setattr(tasks.send_mailing, "delay", lambda mailing_id, *args: enqueued.append(mailing_id))
    mailing = queue_without_tasks(addresses(3), monkeypatch)
    long_ago = timezone.now() - timedelta(hours=1)
    Mailing.objects.filter(pk=mailing.pk).update(queued_at=long_ago)

    outbox.sweep_mailings()
    outbox.sweep_mailings()  # a minute later: its tasks may still be waiting in a long queue

    assert enqueued == [mailing.pk]
    mailing.refresh_from_db()
    assert mailing.queued_at > long_ago


def test_an_unreachable_mail_server_is_retried_once_per_mailing_not_once_per_batch(smtp_server, monkeypatch, settings):
    """Otherwise every batch of a big mailing dials the dead server and schedules its own retry chain,
    and a sweep every minute would add as many chains again."""
    settings.MAILERS = smtp_server.mailers(unreachable=True)
    dialled = []
    real_open = EmailBackend.open
    monkeypatch.setattr(EmailBackend, "open", lambda backend: dialled.append(1) or real_open(backend))
    settings.MAIL_RETRY_BACKOFF_SECONDS = 60
    retries = []
    monkeypatch.setattr(tasks.send_mailing, "apply_async", lambda *args, **kwargs: retries.append((args, kwargs)))
    monkeypatch.setattr(tasks.send_batch, "apply_async", lambda *args, **kwargs: retries.append((args, kwargs)))
    mailing = queue_without_tasks(addresses(200), monkeypatch)

    app.conf.task_always_eager = False  # as on a worker: retries are scheduled, not skipped
    try:
        for _ in range(5):  # the five batches send_mailing fans 200 deliveries out into
            outbox.send_batch(mailing.pk)
    finally:
        app.conf.task_always_eager = True

    assert len(dialled) == 1, "the other batches found nothing due and did not dial the dead server"
    ((args, kwargs),) = retries
    assert args == ((mailing.pk,), {"attempt_round": 1})
    assert 50 <= kwargs["countdown"] <= 60
    assert set(mailing.deliveries.values_list("state", "attempts")) == {(Delivery.State.PENDING, 0)}
    Mailing.objects.filter(pk=mailing.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    assert outbox.sweep_mailings() == [], "the sweep leaves the mailing to its retry until the backoff is over"
