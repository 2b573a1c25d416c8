"""The mail outbox end to end: a real SMTP server receives, in-process or through a real Celery worker."""

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from coalition import outbox, tasks
from coalition.bounces import clear_suppression
from coalition.mail import Recipient, queue_mailing, release_mailing, retry_failed, send_mail
from coalition.models import Delivery, Mailing, Suppression

pytestmark = pytest.mark.django_db(transaction=True)

TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _outbox_test_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]
    settings.MAIL_BATCH_SIZE = 40


def addresses(count, prefix="person"):
    return [f"{prefix}{n:04d}@example.org" for n in range(count)]


def recipients(emails):
    return [Recipient(email, context={"unsubscribe_url": f"https://portal.example/u/{email}"}) for email in emails]


def queue_news(emails, **kwargs):
    """Queue a mass mailing in a committed transaction, as a view or service would."""
    with transaction.atomic():
        return queue_mailing(
            template="outbox_test/mass", recipients=recipients(emails), kind=Mailing.Kind.REMINDER, **kwargs
        )


class InProcess:
    """Tasks run eagerly in the test's thread, right after commit (no REDIS_URL: SQLite runs prove this)."""

    def wait_finished(self, mailing):
        mailing.refresh_from_db()
        return mailing

    def run(self, task, *args):
        task.delay(*args)

    def drain(self):
        pass


class OnWorker:
    """Tasks go over Redis to a real Celery worker (the celery_worker_redis fixture)."""

    def __init__(self, worker):
        self.worker = worker

    def wait_finished(self, mailing):
        assert self.worker.wait_until(lambda: Mailing.objects.get(pk=mailing.pk).is_finished), "mailing never finished"
        mailing.refresh_from_db()
        return mailing

    def run(self, task, *args):
        task.delay(*args)

    def drain(self):
        self.worker.drain()


@pytest.fixture(params=["in_process", pytest.param("celery_worker", marks=pytest.mark.celery_worker)])
def runner(request):
    if request.param == "celery_worker":
        return OnWorker(request.getfixturevalue("celery_worker_redis"))
    return InProcess()


def assert_each_once(smtp_server, emails):
    received = Counter(smtp_server.recipients())
    assert set(received) == set(emails)
    assert set(received.values()) == {1}


def test_a_mailing_of_hundreds_arrives_exactly_once_each(smtp_server, runner):
    emails = addresses(300)
    mailing = runner.wait_finished(queue_news(emails, description="Edition 7"))

    assert mailing.state == Mailing.State.SENT
    assert mailing.finished_at is not None
    assert_each_once(smtp_server, emails)
    assert not mailing.deliveries.exclude(state=Delivery.State.SENT).exists()
    assert not mailing.deliveries.filter(sent_at__isnull=True).exists()


def test_a_mailing_whose_task_runs_three_times_still_mails_each_recipient_once(smtp_server, runner):
    emails = addresses(150)
    with transaction.atomic():
        mailing = queue_mailing(template="outbox_test/mass", recipients=recipients(emails), kind=Mailing.Kind.REMINDER)
        # The broker delivering the task again (visibility timeout, redelivery, a sweep) is normal.
        transaction.on_commit(lambda: tasks.send_mailing.delay(mailing.pk))
        transaction.on_commit(lambda: tasks.send_mailing.delay(mailing.pk))
    mailing = runner.wait_finished(mailing)
    runner.run(tasks.send_mailing, mailing.pk)
    runner.drain()

    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


class WorkerKilled(Exception):
    """Stands in for a worker process that dies: nothing in the outbox catches it."""


def kill_on_call(monkeypatch, number, *, after_sending=False):
    """Make the `number`-th SMTP hand-over die, before it (default) or after the server accepted it."""
    real_transmit = outbox._transmit
    calls = {"count": 0}

    def transmit(connection, message):
        calls["count"] += 1
        if calls["count"] == number:
            if after_sending:
                real_transmit(connection, message)
            raise WorkerKilled(f"worker killed at mail {number}")
        return real_transmit(connection, message)

    monkeypatch.setattr(outbox, "_transmit", transmit)
    return calls


def test_a_worker_killed_part_way_and_started_again_mails_each_recipient_once(smtp_server, runner, monkeypatch):
    emails = addresses(200)
    calls = kill_on_call(monkeypatch, 57)
    if isinstance(runner, InProcess):
        # In-process the "crash" surfaces at commit; the mails handed over before it stay marked sent.
        with pytest.raises(WorkerKilled), transaction.atomic():
            mailing = queue_mailing(
                template="outbox_test/mass", recipients=recipients(emails), kind=Mailing.Kind.REMINDER
            )
        assert mailing.deliveries.filter(state=Delivery.State.SENT).count() == 56
        assert mailing.deliveries.filter(state=Delivery.State.PENDING).count() == 144
    else:
        mailing = queue_news(emails)
        assert runner.worker.wait_until(lambda: calls["count"] >= 57), "the worker never reached the crash"

    # The task comes back (acks_late + reject_on_worker_lost) or the sweep enqueues it again.
    runner.run(tasks.send_mailing, mailing.pk)
    mailing = runner.wait_finished(mailing)
    runner.drain()

    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


def test_a_crash_after_the_server_accepted_resends_only_that_mail_with_the_same_message_id(smtp_server, monkeypatch):
    """The one window no design closes (DESIGN.md §3): it is at-least-once, for one mail only."""
    emails = addresses(60)
    kill_on_call(monkeypatch, 10, after_sending=True)
    with pytest.raises(WorkerKilled), transaction.atomic():
        mailing = queue_mailing(template="outbox_test/mass", recipients=recipients(emails), kind=Mailing.Kind.REMINDER)
    tasks.send_mailing.delay(mailing.pk)

    received = Counter(smtp_server.recipients())
    assert set(received) == set(emails)
    assert sorted(received.values()) == [1] * 59 + [2]
    twice = next(address for address, count in received.items() if count == 2)
    copies = [m for m in smtp_server.messages if m.envelope_recipients == [twice]]
    message_ids = {copy["Message-ID"].strip() for copy in copies}
    assert message_ids == {Delivery.objects.get(address=twice).message_id}


def test_a_refused_address_fails_that_delivery_and_the_others_arrive(smtp_server, runner):
    emails = addresses(30)
    smtp_server.refuse = {emails[7]}
    mailing = runner.wait_finished(queue_news(emails))

    assert mailing.state == Mailing.State.SENT_WITH_FAILURES
    failed = mailing.deliveries.get(state=Delivery.State.FAILED)
    assert failed.address == emails[7]
    assert "550" in failed.last_error
    assert failed.attempts == 1
    assert_each_once(smtp_server, [e for e in emails if e != emails[7]])


def test_a_refused_address_neither_stops_the_batch_nor_schedules_a_retry(smtp_server, monkeypatch):
    scheduled = []
    monkeypatch.setattr(tasks.send_batch, "apply_async", lambda *args, **kwargs: scheduled.append((args, kwargs)))
    emails = addresses(10)
    smtp_server.refuse = {emails[0]}
    mailing = queue_news(emails)

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT_WITH_FAILURES
    assert scheduled == []
    assert_each_once(smtp_server, emails[1:])


def test_retrying_failed_deliveries_sends_only_those(smtp_server):
    emails = addresses(12)
    smtp_server.refuse = {emails[3], emails[4]}
    mailing = queue_news(emails)
    smtp_server.refuse = set()
    # The 550s put both addresses on the suppression list: a coordinator clears them before retrying.
    for suppression in Suppression.objects.all():
        clear_suppression(suppression)

    with transaction.atomic():
        assert retry_failed(mailing) == 2
        assert mailing.state == Mailing.State.QUEUED
    mailing.refresh_from_db()

    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


def test_a_transient_refusal_is_postponed_with_backoff_then_sent(smtp_server, settings):
    settings.MAIL_RETRY_BACKOFF_SECONDS = 120
    emails = addresses(5)
    smtp_server.defer = {emails[2]: 1}
    mailing = queue_news(emails)

    postponed = mailing.deliveries.get(address=emails[2])
    assert postponed.state == Delivery.State.PENDING
    assert postponed.attempts == 1
    assert "451" in postponed.last_error
    assert timedelta(seconds=120) <= postponed.next_attempt_at - postponed.attempted_at < timedelta(seconds=125)
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENDING

    # The retry task scheduled with that countdown runs once it is due.
    Delivery.objects.filter(pk=postponed.pk).update(next_attempt_at=timezone.now())
    tasks.send_batch.delay(mailing.pk)

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


def test_a_transient_refusal_schedules_the_retry_after_the_backoff(smtp_server, settings, monkeypatch):
    settings.MAIL_RETRY_BACKOFF_SECONDS = 90
    scheduled = []
    monkeypatch.setattr(tasks.send_batch, "apply_async", lambda *args, **kwargs: scheduled.append((args, kwargs)))
    emails = addresses(3)
    smtp_server.defer = {emails[0]: 1}
    mailing = queue_news(emails)

    assert len(scheduled) == 1
    (args, kwargs) = scheduled[0]
    assert args == ((mailing.pk,), {"attempt_round": 1})
    assert 80 <= kwargs["countdown"] <= 90


@pytest.mark.celery_worker
def test_a_transient_refusal_is_retried_by_the_worker(smtp_server, celery_worker_redis, settings):
    settings.MAIL_RETRY_BACKOFF_SECONDS = 1
    emails = addresses(4)
    smtp_server.defer = {emails[1]: 2}
    mailing = OnWorker(celery_worker_redis).wait_finished(queue_news(emails))

    assert mailing.state == Mailing.State.SENT
    assert mailing.deliveries.get(address=emails[1]).attempts == 3
    assert_each_once(smtp_server, emails)


def test_transient_errors_give_up_after_the_maximum_attempts(smtp_server, settings):
    settings.MAIL_MAX_ATTEMPTS = 3
    emails = addresses(2)
    smtp_server.defer = {emails[0]: 100}
    mailing = queue_news(emails)
    for _ in range(5):
        Delivery.objects.filter(mailing=mailing, state=Delivery.State.PENDING).update(next_attempt_at=None)
        tasks.send_batch.delay(mailing.pk)

    delivery = mailing.deliveries.get(address=emails[0])
    assert (delivery.state, delivery.attempts) == (Delivery.State.FAILED, 3)
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT_WITH_FAILURES
    assert smtp_server.recipients() == [emails[1]]


def test_an_unreachable_mail_server_charges_no_attempt_and_the_mail_goes_later(smtp_server, settings):
    settings.MAILERS = smtp_server.mailers(unreachable=True)
    settings.MAIL_MAX_ATTEMPTS = 2
    emails = addresses(3)
    mailing = queue_news(emails)
    assert set(mailing.deliveries.values_list("state", "attempts")) == {(Delivery.State.PENDING, 0)}

    settings.MAILERS = smtp_server.mailers()
    Mailing.objects.filter(pk=mailing.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    tasks.sweep_mailings.delay()

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


@pytest.mark.celery_worker
def test_the_worker_tries_an_unreachable_mail_server_again_after_a_backoff(smtp_server, celery_worker_redis, settings):
    settings.MAIL_RETRY_BACKOFF_SECONDS = 1
    settings.MAILERS = smtp_server.mailers(unreachable=True)
    emails = addresses(5)
    mailing = queue_news(emails)
    celery_worker_redis.drain()  # the first try failed to connect; a retry waits for its countdown
    assert smtp_server.recipients() == []
    assert set(mailing.deliveries.values_list("attempts", flat=True)) == {0}

    settings.MAILERS = smtp_server.mailers()
    mailing = OnWorker(celery_worker_redis).wait_finished(mailing)
    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


def test_the_sweep_sends_a_mailing_whose_enqueue_was_lost(smtp_server, runner, monkeypatch, settings):
    emails = addresses(90)
    monkeypatch.setattr("coalition.mail._enqueue", lambda mailing: None)  # the broker was down
    mailing = queue_news(emails)
    monkeypatch.undo()
    assert smtp_server.recipients() == []

    runner.run(tasks.sweep_mailings)
    runner.drain()
    assert smtp_server.recipients() == [], "within the grace period the sweep leaves a mailing alone"

    old = timezone.now() - timedelta(minutes=settings.MAIL_SWEEP_GRACE_MINUTES + 1)
    Mailing.objects.filter(pk=mailing.pk).update(queued_at=old)
    runner.run(tasks.sweep_mailings)
    mailing = runner.wait_finished(mailing)

    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, emails)


def test_the_sweep_leaves_a_mailing_alone_while_it_makes_progress(settings):
    mailing = queue_news(addresses(1))
    Delivery.objects.filter(mailing=mailing).update(state=Delivery.State.PENDING, attempted_at=timezone.now())
    old = timezone.now() - timedelta(minutes=settings.MAIL_SWEEP_GRACE_MINUTES + 1)
    Mailing.objects.filter(pk=mailing.pk).update(state=Mailing.State.SENDING, queued_at=old)

    assert outbox.sweep_mailings() == []


def test_the_sweep_closes_a_mailing_whose_last_batch_died_before_marking_it(settings):
    mailing = queue_news(addresses(2))
    old = timezone.now() - timedelta(minutes=settings.MAIL_SWEEP_GRACE_MINUTES + 1)
    Mailing.objects.filter(pk=mailing.pk).update(state=Mailing.State.SENDING, queued_at=old, finished_at=None)

    outbox.sweep_mailings()

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT


def test_mass_mails_carry_one_click_unsubscribe_headers_and_both_parts(smtp_server, settings):
    settings.SITE_URL = "https://portal.kansrijkestart.example"
    queue_news(["reader@example.org"])

    (message,) = smtp_server.messages
    assert message["List-Unsubscribe"] == "<https://portal.example/u/reader@example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A long Message-ID may be folded onto a continuation line (RFC 5322 allows it).
    assert message["Message-ID"].strip().endswith("@portal.kansrijkestart.example>")
    assert message["Message-ID"].strip() == Delivery.objects.get().message_id
    assert message["Date"]
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().startswith("Hello reader@example.org")
    html = message.get_body(("html",)).get_content()
    assert "https://portal.example/u/reader@example.org" in html


def test_transactional_mails_have_no_unsubscribe_headers_but_both_parts(smtp_server, settings):
    with transaction.atomic():
        send_mail(template="outbox_test/transactional", to="someone@example.org")

    (message,) = smtp_server.messages
    assert "List-Unsubscribe" not in message
    assert "List-Unsubscribe-Post" not in message
    assert message["Message-ID"] and message["Date"]
    assert message.get_body(("plain",)) is not None
    assert message.get_body(("html",)) is not None


def test_a_mass_mailing_without_unsubscribe_link_is_refused():
    with pytest.raises(ValueError, match="unsubscribe_url"):
        queue_mailing(template="outbox_test/mass", recipients=[Recipient("a@example.org")], kind=Mailing.Kind.REMINDER)


def test_each_address_gets_one_delivery_even_when_listed_twice(smtp_server):
    mailing = queue_news(["a@example.org", "b@example.org", "A@example.org "])
    assert mailing.deliveries.count() == 2
    assert sorted(smtp_server.recipients()) == ["a@example.org", "b@example.org"]


def test_a_draft_mailing_is_sent_only_when_released(smtp_server):
    mailing = queue_news(addresses(3), draft=True)
    assert mailing.state == Mailing.State.DRAFT
    outbox.sweep_mailings()
    tasks.send_mailing.delay(mailing.pk)
    assert smtp_server.recipients() == []

    with transaction.atomic():
        release_mailing(mailing)
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
    assert_each_once(smtp_server, addresses(3))


def test_a_template_error_fails_that_delivery_and_is_recorded(smtp_server):
    with transaction.atomic():
        mailing = send_mail(template="outbox_test/does-not-exist", to="x@example.org")
    mailing.refresh_from_db()
    delivery = mailing.deliveries.get()
    assert delivery.state == Delivery.State.FAILED
    assert "TemplateDoesNotExist" in delivery.last_error
    assert mailing.state == Mailing.State.SENT_WITH_FAILURES
