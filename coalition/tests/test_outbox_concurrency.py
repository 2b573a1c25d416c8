"""Workers claiming one mailing's deliveries in batches on PostgreSQL: nobody is mailed twice or skipped.

A batch claims its rows at once (coalition.outbox._claim) and marks each one right after the SMTP
server accepted it. These tests prove, with real sessions and a real SIGKILL: two batches never hold
the same row, a claim being made is skipped rather than waited for, a claim lasts exactly as long
as the session that made it, and a worker killed mid-batch costs 0 lost mails and at most the one
in flight as a duplicate (same Message-ID).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections, transaction

from coalition import outbox
from coalition.mail import Recipient, queue_mailing
from coalition.models import Delivery, Mailing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (SELECT … FOR UPDATE SKIP LOCKED) nor pg_stat_activity")


def addresses(count):
    return [f"reader{n:03d}@example.org" for n in range(count)]


def queue_news(emails, monkeypatch):
    """A committed mailing that no task sends: the test's own workers below do."""
    with monkeypatch.context() as patch:
        patch.setattr("coalition.mail._enqueue", lambda mailing: None)
        with transaction.atomic():
            mailing = queue_mailing(
                template="",  # pre-rendered content, set below
                recipients=[Recipient(e, context={"unsubscribe_url": f"https://portal.example/u/{e}"}) for e in emails],
                kind=Mailing.Kind.REMINDER,
            )
            Mailing.objects.filter(pk=mailing.pk).update(
                subject="News", body_text="News", body_html="<p>News</p>", state=Mailing.State.SENDING
            )
    return mailing


def received(smtp_server):
    return Counter(smtp_server.recipients())


def other_session():
    """A database session of its own, as another worker process has: psycopg, outside Django."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    )


def wait_until_session_ended(pid, timeout=30):
    """PostgreSQL ends a backend once it reads the closed socket: a moment after its client died."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return True
    return False


def test_two_workers_sending_one_mailing_at_once_mail_each_recipient_exactly_once(smtp_server, monkeypatch):
    emails = addresses(120)
    mailing = queue_news(emails, monkeypatch)

    # Both workers hold a claimed batch and send at the same time: if a claim did not keep the
    # other worker off its rows, both would claim the first 60 and mail them twice.
    both_sending = threading.Barrier(2, timeout=20)
    real_transmit = outbox._transmit
    first_send = threading.local()

    def transmit(smtp, message):
        if not getattr(first_send, "done", False):
            first_send.done = True
            both_sending.wait()
        return real_transmit(smtp, message)

    monkeypatch.setattr(outbox, "_transmit", transmit)
    results, errors = {}, []

    def worker(name):
        try:
            results[name] = outbox.deliver_batch(mailing.pk, limit=60)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert (results["one"].sent, results["two"].sent) == (60, 60)
    assert set(received(smtp_server)) == set(emails)
    assert set(received(smtp_server).values()) == {1}
    assert not Delivery.objects.filter(mailing=mailing).exclude(state=Delivery.State.SENT).exists()
    assert not Delivery.objects.filter(mailing=mailing, claimed_by__isnull=False).exists()
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT


def test_a_batch_skips_rows_another_worker_is_claiming_instead_of_waiting_for_them(smtp_server, monkeypatch):
    emails = addresses(30)
    mailing = queue_news(emails, monkeypatch)
    first_ten = list(mailing.deliveries.order_by("pk").values_list("pk", flat=True)[:10])

    with other_session() as session, session.transaction():
        # Another worker's claim transaction, between its SELECT … FOR UPDATE and its commit.
        session.execute("SELECT id FROM coalition_delivery WHERE id = ANY(%s) FOR UPDATE", [first_ten])
        results = []

        def worker():
            try:
                results.append(outbox.deliver_batch(mailing.pk, limit=30))
            finally:
                connections.close_all()

        batch = threading.Thread(target=worker)
        batch.start()
        batch.join(30)
        assert not batch.is_alive(), "the batch waited for the other worker's row locks"
    assert results[0].sent == 20
    assert set(received(smtp_server)) == set(emails[10:])

    assert outbox.deliver_batch(mailing.pk).sent == 10
    assert set(received(smtp_server)) == set(emails)
    assert set(received(smtp_server).values()) == {1}


def test_a_claim_holds_while_its_session_runs_and_frees_its_rows_when_the_session_ends(smtp_server, monkeypatch):
    emails = addresses(20)
    mailing = queue_news(emails, monkeypatch)
    claimed = list(mailing.deliveries.order_by("pk").values_list("pk", flat=True)[:8])

    with other_session() as session:
        # Another worker's committed claim on 8 rows, that it is sending now.
        session.execute(
            "UPDATE coalition_delivery SET claimed_by = pg_backend_pid(), claimed_at = now() WHERE id = ANY(%s)",
            [claimed],
        )
        holder = session.info.backend_pid
        assert outbox.deliver_batch(mailing.pk).sent == 12
        assert outbox.deliver_batch(mailing.pk).sent == 0, "a live worker's claim was taken over"
        mailing.refresh_from_db()
        assert mailing.state == Mailing.State.SENDING
    assert wait_until_session_ended(holder)

    # That worker died before sending them: the next batch takes its rows at once.
    assert outbox.deliver_batch(mailing.pk).sent == 8
    assert set(received(smtp_server)) == set(emails)
    assert set(received(smtp_server).values()) == {1}
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT


def test_a_claim_whose_process_id_went_to_a_newer_session_is_free(smtp_server, monkeypatch):
    """Process ids are reused: the session holding that id now started after the claim, so it is not the claimer."""
    emails = addresses(5)
    mailing = queue_news(emails, monkeypatch)
    with other_session() as session:
        session.execute(
            "UPDATE coalition_delivery SET claimed_by = pg_backend_pid(),"
            " claimed_at = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())"
            " - interval '1 second'"
            " WHERE mailing_id = %s",
            [mailing.pk],
        )
        assert outbox.deliver_batch(mailing.pk).sent == 5
    assert set(received(smtp_server).values()) == {1}


def test_a_live_workers_claim_older_than_the_timeout_is_free(smtp_server, monkeypatch):
    """The fallback where the session cannot tell (another database, a pooler that keeps sessions)."""
    emails = addresses(5)
    mailing = queue_news(emails, monkeypatch)
    with other_session() as session:
        session.execute(
            "UPDATE coalition_delivery SET claimed_by = pg_backend_pid(), claimed_at = now() - %s"
            " WHERE mailing_id = %s",
            [outbox.CLAIM_TIMEOUT * 1.01, mailing.pk],
        )
        assert outbox.deliver_batch(mailing.pk).sent == 5
    assert set(received(smtp_server).values()) == {1}


def test_a_batch_stops_sending_from_a_claim_half_as_old_as_the_timeout_and_lets_the_rest_go(smtp_server, monkeypatch):
    emails = addresses(6)
    mailing = queue_news(emails, monkeypatch)
    real_transmit = outbox._transmit
    clock = {"now": 1000.0}
    monkeypatch.setattr(outbox, "monotonic", lambda: clock["now"])

    def slow_transmit(smtp, message):
        real_transmit(smtp, message)
        clock["now"] += outbox.CLAIM_TIMEOUT.total_seconds() / 3  # a very slow server

    monkeypatch.setattr(outbox, "_transmit", slow_transmit)
    result = outbox.deliver_batch(mailing.pk)

    assert (result.sent, result.expired) == (2, True)
    assert mailing.deliveries.filter(state=Delivery.State.PENDING, claimed_by__isnull=True).count() == 4
    monkeypatch.setattr(outbox, "_transmit", real_transmit)
    assert outbox.deliver_batch(mailing.pk).sent == 4
    assert set(received(smtp_server)) == set(emails)
    assert set(received(smtp_server).values()) == {1}


def test_a_batch_whose_claim_grew_too_old_enqueues_the_next_one_at_once(monkeypatch):
    enqueued = []
    monkeypatch.setattr(outbox, "deliver_batch", lambda mailing_id: outbox.BatchResult(sent=3, expired=True))
    monkeypatch.setattr("coalition.tasks.send_batch.delay", lambda *args: enqueued.append(args))

    outbox.send_batch(41, attempt_round=2)

    assert enqueued == [(41, 2)]


def run_killed_worker(mailing, smtp_server, *, limit, kill_at, when):
    """Run a worker process that claims `limit` rows and SIGKILLs itself at mail `kill_at`."""
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://{smtp_server.host}:{smtp_server.port}",
        "DEBUG": "true",
    }
    env.pop("REDIS_URL", None)  # nothing to enqueue: the process dies mid-batch
    process = subprocess.run(
        [sys.executable, "-m", "coalition.tests.outbox_killed_worker", str(mailing.pk), str(limit), str(kill_at), when],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr


@pytest.mark.parametrize(("when", "duplicates"), [("before", 0), ("after", 1)])
def test_a_worker_killed_mid_batch_leaves_its_claim_to_the_next_batch_and_at_most_the_mail_in_flight_twice(
    smtp_server, monkeypatch, when, duplicates
):
    emails = addresses(100)
    mailing = queue_news(emails, monkeypatch)

    # A worker claims 40 rows and is SIGKILLed at its 15th mail: before handing it over, or after the
    # server accepted it and before marking it (the at-least-once window).
    run_killed_worker(mailing, smtp_server, limit=40, kill_at=15, when=when)

    handed_over = 14 + duplicates
    assert smtp_server.wait_for(handed_over)
    assert mailing.deliveries.filter(state=Delivery.State.SENT).count() == 14
    abandoned = mailing.deliveries.filter(state=Delivery.State.PENDING, claimed_by__isnull=False)
    assert abandoned.count() == 40 - 14, "the dead worker's claim is still written on the rows it did not mark"
    assert wait_until_session_ended(abandoned.first().claimed_by)

    # The next worker: every row comes back, the dead claim included, and each goes out once.
    while outbox.deliver_batch(mailing.pk, limit=40).sent:
        pass

    copies = received(smtp_server)
    assert set(copies) == set(emails), "lost mails"
    assert sum(count - 1 for count in copies.values()) == duplicates
    if duplicates:
        (twice,) = [address for address, count in copies.items() if count == 2]
        assert twice == emails[14]
        message_ids = {m["Message-ID"].strip() for m in smtp_server.messages if m.envelope_recipients == [twice]}
        assert message_ids == {Delivery.objects.get(mailing=mailing, address=twice).message_id}
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
    assert not mailing.deliveries.filter(claimed_by__isnull=False).exists()
