"""A broker that is down delays mail, never the person: work that committed shows its normal success page.

The enqueue after commit (coalition.celery.enqueue_after_commit) logs the failure and leaves the
mailing to the sweep. Here the Celery app publishes to a port where nothing listens, or to a
server that accepts connections and never answers; the database and the cache stay up.
"""

import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery.exceptions import NotRegistered
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from coalition import outbox
from coalition.celery import app, enqueue_after_commit
from coalition.mail import send_mail
from coalition.models import Delivery, MailCheck, Mailing
from coalition.tests.test_settings import run_settings
from events.models import Registration
from events.tests.factories import EventFactory, approved_member
from journal.models import Edition, State
from journal.tests.factories import EditionFactory, StoryFactory, SubscriberFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOBODY_LISTENS = "redis://127.0.0.1:1/0"


@contextmanager
def broker_at(url):
    """Point the Celery app at another broker, with tasks really published (not run in-process)."""
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app._after_fork()  # drop the pooled connections, so the next publish dials `url`
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous
        app._after_fork()


@contextmanager
def silent_broker():
    """A TCP server that accepts connections and never says a word (a hung Redis, a black hole)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        with broker_at(f"redis://127.0.0.1:{server.getsockname()[1]}/0"):
            yield
    finally:
        server.close()
        for connection in held:
            connection.close()


def sweep_later(mailing, settings):
    """The broker is back and the grace period has passed: the periodic sweep runs."""
    old = timezone.now() - timedelta(minutes=settings.MAIL_SWEEP_GRACE_MINUTES + 1)
    Mailing.objects.filter(pk=mailing.pk).update(queued_at=old)
    outbox.sweep_mailings()
    mailing.refresh_from_db()


def assert_left_to_the_sweep(mailing, caplog):
    assert mailing.state == Mailing.State.QUEUED
    assert set(mailing.deliveries.values_list("state", flat=True)) == {Delivery.State.PENDING}
    assert mail.outbox == []
    assert "Could not enqueue coalition.tasks.send_mailing" in caplog.text


def test_publish_and_mail_with_the_broker_down_shows_success_and_the_sweep_mails_later(
    coordinator_client, caplog, settings
):
    edition = EditionFactory(state=State.APPROVED)
    StoryFactory(edition=edition, state=State.APPROVED)
    SubscriberFactory.create_batch(3)
    url = reverse("admin:journal_edition_changelist")

    response = coordinator_client.post(url, {"action": "publish_and_mail", "_selected_action": [edition.pk]})
    check = MailCheck.objects.get(kind="journal.edition")
    assert response.url == check.get_absolute_url()
    with broker_at(NOBODY_LISTENS):
        response = coordinator_client.post(
            check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint}
        )

    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert Edition.objects.get(pk=edition.pk).is_published
    mailing = Mailing.objects.get(kind=Mailing.Kind.JOURNAL)
    assert_left_to_the_sweep(mailing, caplog)

    sweep_later(mailing, settings)
    assert mailing.state == Mailing.State.SENT
    assert len(mail.outbox) == 3


def test_registering_with_the_broker_down_confirms_and_the_sweep_mails_later(client, caplog, settings):
    event = EventFactory()
    user = approved_member()
    client.force_login(user)

    with broker_at(NOBODY_LISTENS):
        response = client.post(
            reverse("events:register", args=[event.slug]),
            {"consent_to_list": "on"},
        )

    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert Registration.objects.get(profile=user.profile).is_confirmed
    mailing = Mailing.objects.get()
    assert_left_to_the_sweep(mailing, caplog)

    sweep_later(mailing, settings)
    assert mailing.state == Mailing.State.SENT
    (message,) = mail.outbox
    assert user.email in message.to[0]


def test_a_broker_that_never_answers_gives_the_enqueue_up_instead_of_hanging(caplog):
    """redis-py waits forever by default; the transport's socket timeouts bound the wait (seconds)."""
    finished = threading.Event()

    def request():
        try:
            with transaction.atomic():
                send_mail(template="members/approved", to="someone@example.org", context={"profile_url": "/"})
            finished.set()
        finally:
            connections.close_all()  # this thread's own database connection

    with silent_broker():
        worker = threading.Thread(target=request, daemon=True)
        worker.start()
        worker.join(timeout=30)

    assert finished.is_set(), "the enqueue hung on a broker that does not answer"
    assert "Could not enqueue coalition.tasks.send_mailing" in caplog.text
    assert Delivery.objects.get().state == Delivery.State.PENDING


def test_errors_of_the_task_itself_are_not_swallowed_in_process():
    """Only a broker failure is forgiven; in-process (no broker) a failing task still surfaces."""

    class Boom(Exception):
        pass

    @app.task(name="coalition.tests.test_broker_down.explode", shared=False)
    def explode():
        raise Boom

    with pytest.raises(Boom), transaction.atomic():
        enqueue_after_commit(explode)


def test_a_task_name_that_does_not_exist_fails_before_the_commit():
    with pytest.raises(NotRegistered), transaction.atomic():
        enqueue_after_commit("coalition.tasks.no_such_task")


def test_a_fresh_web_process_finds_a_task_by_name_without_having_imported_its_module():
    """Celery autodiscovers the apps' tasks modules only in workers; gunicorn imports none of them."""
    code = (
        "import sys, django; django.setup()\n"
        "from unittest import mock\n"
        "from coalition.celery import enqueue_after_commit\n"
        "assert 'coalition.tasks' not in sys.modules, 'nothing to prove: already imported'\n"
        "with mock.patch('django.db.transaction.on_commit') as on_commit:\n"
        "    enqueue_after_commit('coalition.tasks.send_mailing', 1)\n"
        "print(on_commit.call_count)\n"
    )
    result = run_settings({"DEBUG": "true"}, code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
