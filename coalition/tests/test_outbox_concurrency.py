"""Two workers sending one mailing at the same moment on PostgreSQL: every recipient gets one mail."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from coalition import outbox
from coalition.mail import Recipient, queue_mailing
from coalition.models import Delivery, Mailing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (SELECT … FOR UPDATE SKIP LOCKED)")


def test_two_workers_sending_one_mailing_at_once_mail_each_recipient_exactly_once(smtp_server, monkeypatch):
    emails = [f"reader{n:03d}@example.org" for n in range(120)]
    monkeypatch.setattr("coalition.mail._enqueue", lambda mailing: None)  # the two workers below send it
    with transaction.atomic():
        mailing = queue_mailing(
            template="",  # pre-rendered content, set below
            recipients=[Recipient(e, context={"unsubscribe_url": f"https://portal.example/u/{e}"}) for e in emails],
            kind=Mailing.Kind.JOURNAL,
        )
        Mailing.objects.filter(pk=mailing.pk).update(subject="News", body_text="News", body_html="<p>News</p>")

    # Both workers hold their first claimed row at the same time: without SKIP LOCKED the second
    # would wait for the first one's lock (and the barrier would break); without a lock at all
    # both would claim the same row and send it twice.
    both_claimed = threading.Barrier(2, timeout=20)
    real_transmit = outbox._transmit
    first_send = threading.local()

    def transmit(smtp, message):
        if not getattr(first_send, "done", False):
            first_send.done = True
            both_claimed.wait()
        return real_transmit(smtp, message)

    monkeypatch.setattr(outbox, "_transmit", transmit)
    results, errors = {}, []

    def worker(name):
        try:
            results[name] = outbox.deliver_batch(mailing.pk, limit=len(emails))
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
    assert results["one"].sent >= 1 and results["two"].sent >= 1
    assert results["one"].sent + results["two"].sent == len(emails)
    received = Counter(smtp_server.recipients())
    assert set(received) == set(emails)
    assert set(received.values()) == {1}
    assert not Delivery.objects.filter(mailing=mailing).exclude(state=Delivery.State.SENT).exists()
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
