"""Shared fixtures: test personas for every role, and the settings the suite runs with."""

import importlib
import os
import socket
import threading
import time
import uuid
from email import message_from_bytes, policy

# Set before pytest-django loads the settings (it reads them after this file is imported):
# the suite runs with the development defaults unless the environment says otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
os.environ.setdefault("DEBUG", "true")

import django
import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.utils import translation

django.setup()

# Models can be imported only once the apps are loaded (django.setup() above).
from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402

from coalition.celery import app  # noqa: E402
from members.models import Municipality, Profile  # noqa: E402
from network.models import Coalition, CoalitionCoordinator  # noqa: E402
from surveys.services import pulse_template  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_passwords_and_local_mail(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _portal_language():
    """Each test starts in the portal's language. A request through LocaleMiddleware leaves the language
    it chose active in the thread, so without this a test would speak whatever the test before it asked for."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings):
    """Each test counts rate limits from zero: the shared cache (Redis or the database) under a key
    prefix of its own. No flush: the Redis database is shared with the broker (and, on a developer's
    machine, nothing else may be wiped); every key has a timeout and goes by itself."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for alias, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _rows_the_migrations_make(request):
    """Data migrations make rows a real installation has (the network pulse's template: surveys 0002 and 0003);
    a transactional test empties every table when it ends (pytest-django flushes), those rows included. Put them
    back, as the migrations make them, so each database test meets the same database whichever tests ran before."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False) or (marker.args and marker.args[0])
    request.getfixturevalue("transactional_db" if transactional else "db")
    restore_rows_the_migrations_make()


def restore_rows_the_migrations_make():
    """The rows the data migrations make, made again as they make them where a flush took them away."""
    if pulse_template() is None:
        importlib.import_module("surveys.migrations.0002_network_pulse").create_template(apps, None)
        importlib.import_module("surveys.migrations.0003_scales").numbers_to_scales(apps, None)


# Every test persona logs in with this password.
PERSONA_PASSWORD = "correct-horse-battery"  # noqa: S105


def _user_with_role(django_user_model, email, *, role=None, status="approved", is_staff=False):
    user = django_user_model.objects.create_user(
        email=email, password=PERSONA_PASSWORD, first_name=email.split("@")[0].title(), last_name="Test"
    )
    user.is_staff = is_staff
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, first_name=user.first_name, last_name="Test", status=status)
    return user


@pytest.fixture
def pending_member(db, django_user_model):
    return _user_with_role(django_user_model, "pending@example.org", role=None, status="pending")


@pytest.fixture
def declined_member(db, django_user_model):
    return _user_with_role(django_user_model, "declined@example.org", role=None, status="declined")


@pytest.fixture
def member(db, django_user_model):
    return _user_with_role(django_user_model, "member@example.org", role="Member")


@pytest.fixture
def editor(db, django_user_model):
    return _user_with_role(django_user_model, "editor@example.org", role="Editorial team")


@pytest.fixture
def coordinator(db, django_user_model):
    return _user_with_role(django_user_model, "coordinator@example.org", role="Coordinator", is_staff=True)


@pytest.fixture
def coalition_coordinator(db, django_user_model):
    """An approved member who coordinates one coalition (with staff access); the coalition is
    `coalition_coordinator.coalition_roles.get().coalition`."""
    user = _user_with_role(django_user_model, "coalition-coordinator@example.org", role="Member", is_staff=True)
    coalition = Coalition.objects.create(name="Coalitie Eigen", slug="coalitie-eigen")
    coalition.municipalities.add(Municipality.objects.create(name="Eigenaarsdorp", slug="eigenaarsdorp"))
    CoalitionCoordinator.objects.create(coalition=coalition, user=user)
    return user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def editor_client(editor):
    """The editor in the admin, with staff access as journal.services.sync_editorial_team gives the team.
    A client of its own, so a test can compare with member_client or coordinator_client."""
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(editor)
    return client


def pytest_report_header(config):
    vendor = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if django_settings.REDIS_URL else "in-process (eager tasks)"
    return [f"database: {vendor}", f"broker: {broker}"]


# --- The mail outbox: a real SMTP server and a real Celery worker for tests ---------------------
# Used by coalition/tests/test_outbox*.py and by any app that wants to prove "every subscriber gets
# exactly one mail": queue the mailing, let it run, then count smtp_server.recipients().


class RecordingSMTPHandler:
    """An aiosmtpd handler that keeps every accepted message and can refuse chosen addresses.

    - `refuse`: addresses answered with a permanent `550` at RCPT (the delivery must fail).
    - `defer`: {address: n} answers the first n tries with a transient `451` (must be retried).
    """

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.defer = {}
        self._changed = threading.Condition()

    def mailers(self, *, unreachable=False):
        """MAILERS for this server, or for a port next to it where nobody listens."""
        port = self.port + 1 if self.port < 65535 else self.port - 1
        return smtp_mailers(port if unreachable else self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Recipient address rejected: user unknown"
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def recipients(self):
        """Every envelope recipient of every accepted message, one entry per copy received."""
        with self._changed:
            return [address for message in self.messages for address in message.envelope_recipients]

    def wait_for(self, count, timeout=60):
        """Block until at least `count` messages arrived (True) or `timeout` seconds passed (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.messages) >= count, timeout)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, with Django's mail pointed at it.

    Yields a RecordingSMTPHandler: `.messages` (parsed email.message.EmailMessage objects, each
    with `.envelope_recipients`), `.recipients()`, `.wait_for(n)`, and `.refuse` / `.defer` to
    make it answer 550 / 451 for given addresses. `.host` and `.port` tell where it listens.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.host, handler.port = "127.0.0.1", port
    settings.MAILERS = smtp_mailers(port)
    try:
        yield handler
    finally:
        controller.stop()


def smtp_mailers(port):
    """MAILERS pointing at an SMTP server on this machine (a test's server, or a port nobody listens on)."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }


class CeleryTestWorker:
    """The running worker of `celery_worker_redis`, with a way to wait for its tasks."""

    def __init__(self, worker, changed, marker, seen):
        self.worker = worker
        self._changed = changed
        self._marker = marker
        self._seen = seen

    def drain(self, timeout=60):
        """Wait until every task queued so far has run (a marker task goes through the FIFO queue).

        Tasks waiting for a countdown are not covered; check their effect with wait_until().
        """
        token = uuid.uuid4().hex
        self._marker.delay(token)
        assert self.wait_until(lambda: token in self._seen, timeout), "the worker did not drain its queue"

    def wait_until(self, predicate, timeout=60):
        """Re-check `predicate()` after every task the worker finishes; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                # Tasks with a countdown finish without a signal in between: look again now and then.
                self._changed.wait(min(remaining, 0.5))
        return True


@app.task(name="conftest.drain_marker", shared=False)
def drain_marker(token):
    """A task that does nothing: once the solo worker has run it, everything queued before it has run (FIFO).

    Registered once, here: a task defined inside the fixture was registered again by every test using it, and
    Celery kept the first callable and warned (DuplicateTaskNameWarning)."""
    return token


@pytest.fixture
def celery_worker_redis(transactional_db, settings):
    """A real Celery worker (celery.contrib.testing.worker.start_worker) consuming over REDIS_URL.

    Skips, saying so, when REDIS_URL is unset (tasks then run in-process). The test's database is
    transactional, because the worker thread has its own connection and sees only committed rows:
    queue mail inside `transaction.atomic()` (or plain autocommit), not in a test transaction.
    The queue is purged first so tasks left by an earlier run cannot interfere. Yields a
    CeleryTestWorker; use `.wait_until(lambda: <mailing finished>)` instead of sleeping.
    Tests that do not use this fixture run their tasks eagerly even when REDIS_URL is set.
    """
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real Celery worker (the eager variant runs instead)")
    changed = threading.Condition()
    seen = set()

    def after_task(sender=None, args=None, **kwargs):
        # The worker thread's own database connections must not outlive the test database.
        connections.close_all()
        with changed:
            if sender is not None and sender.name == drain_marker.name:
                seen.add(args[0])
            changed.notify_all()

    app.conf.task_always_eager = False
    app.control.purge()
    task_postrun.connect(after_task, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield CeleryTestWorker(worker, changed, drain_marker, seen)
    finally:
        task_postrun.disconnect(after_task)
        app.control.purge()


@pytest.fixture(autouse=True)
def _tasks_in_process_unless_worker(request):
    """Run Celery tasks eagerly in every test that does not ask for `celery_worker_redis`.

    With REDIS_URL set (CI) tasks would otherwise go to a broker nobody consumes in those tests.
    """
    if "celery_worker_redis" in request.fixturenames:
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
