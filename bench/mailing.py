"""Benchmark: an N-recipient mailing through a real Celery worker to an aiosmtpd sink, against plain smtplib.

Usage (PostgreSQL and Redis must run; see DESIGN.md §9):

    .venv/bin/python bench/mailing.py [--recipients 5000] [--concurrency 2] [--batch-size 100]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/portal_bench (created and migrated
if missing) and REDIS_URL to redis://127.0.0.1:6379/14. The script runs the SMTP sink itself,
starts `celery -A coalition worker` as a subprocess pointed at it (EMAIL_URL), queues the mailing,
and reports mails per second from commit until the last delivery is marked sent. Then it sends the
same number of mails with smtplib over one connection to the same sink: the ceiling the outbox is
measured against.
"""

import argparse
import multiprocessing
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


class CountingSink:
    """An aiosmtpd handler that only counts: the sink should cost as little as possible."""

    def __init__(self, counter):
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += len(envelope.rcpt_tos)
        return "250 OK"


def _serve_sink(port, counter, ready, stop):
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    controller = Controller(CountingSink(counter), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    """The SMTP sink in its own process, so it competes with neither sender for the GIL."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.counter = multiprocessing.Value("i", 0)
        ready, self._stop = multiprocessing.Event(), multiprocessing.Event()
        self._process = multiprocessing.Process(target=_serve_sink, args=(self.port, self.counter, ready, self._stop))
        self._process.start()
        if not ready.wait(30):
            raise SystemExit("the SMTP sink did not start")

    @property
    def count(self):
        return self.counter.value

    def reset(self):
        with self.counter.get_lock():
            self.counter.value = 0

    def stop(self):
        self._stop.set()
        self._process.join(10)


def ensure_database(url):
    """Create the PostgreSQL database named in `url` if it does not exist yet."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        return
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "coalition.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def start_worker(port, concurrency, batch_size):
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "MAIL_BATCH_SIZE": str(batch_size),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "coalition",
        "worker",
        "--loglevel=WARNING",
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"bench-{os.getpid()}@%h",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_for_worker(app, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the worker exited with code {process.returncode}")
        if app.control.ping(timeout=1.0):
            return
    raise SystemExit("the worker did not answer a ping within a minute")


def stop_worker(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # the worker's own process group (start_new_session)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def children_of(pid):
    """Process ids whose parent is `pid` (the worker's pool processes), read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def run_outbox(n, sink, *, worker=None, kill_child_at=None):
    from django.db import transaction
    from django.db.models import Count

    from coalition.mail import Recipient, queue_mailing, release_mailing
    from coalition.models import Delivery, Mailing

    recipients = [
        Recipient(
            f"reader{i:06d}@bench.example", name=f"Reader {i}", context={"unsubscribe_url": f"https://bench.example/u/{i}"}
        )
        for i in range(n)
    ]
    sink.reset()
    with transaction.atomic():
        mailing = queue_mailing(
            template="",
            recipients=recipients,
            kind=Mailing.Kind.ANNOUNCEMENT,
            description=f"bench {n}",
            draft=True,
        )
        Mailing.objects.filter(pk=mailing.pk).update(
            subject="Benchmark",
            body_text="A benchmark mail.\n" * 20,
            body_html="<p>A benchmark mail.</p>" * 20,
        )
    started = time.perf_counter()
    with transaction.atomic():
        release_mailing(mailing)  # the send is enqueued on commit, like every mailing
    killed = None
    while True:
        mailing.refresh_from_db(fields=["state"])
        if mailing.is_finished:
            break
        if kill_child_at is not None and killed is None and sink.count >= kill_child_at * n:
            # Crash drill: SIGKILL one pool process mid-batch. acks_late + reject_on_worker_lost put
            # its task back in the queue, and PostgreSQL drops its transaction and row lock.
            children = children_of(worker.pid)
            if children:
                killed = children[0]
                os.kill(killed, signal.SIGKILL)
                print(f"killed pool process {killed} after {sink.count} mails")
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    states = dict(Delivery.objects.filter(mailing=mailing).values_list("state").annotate(n=Count("pk")))
    return elapsed, states, sink.count


def run_smtplib(n, sink):
    """The ceiling: build each message and send it over one SMTP connection, nothing else."""
    sink.reset()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for i in range(n):
            message = EmailMessage()
            message["From"] = "noreply@bench.example"
            message["To"] = f"Reader {i} <reader{i:06d}@bench.example>"
            message["Subject"] = "Benchmark"
            message.set_content("A benchmark mail.\n" * 20)
            message.add_alternative("<p>A benchmark mail.</p>" * 20, subtype="html")
            smtp.send_message(message)
    elapsed = time.perf_counter() - started
    return elapsed, sink.count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2, help="worker processes")
    parser.add_argument("--batch-size", type=int, default=100, help="MAIL_BATCH_SIZE for the worker")
    parser.add_argument(
        "--kill-a-child-at",
        type=float,
        metavar="FRACTION",
        help="crash drill: SIGKILL one worker pool process when this fraction of the mails arrived",
    )
    args = parser.parse_args()

    os.environ["DEBUG"] = "true"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()

    from coalition.celery import app

    sink = Sink()
    app.control.purge()
    worker = start_worker(sink.port, args.concurrency, args.batch_size)
    try:
        wait_for_worker(app, worker)
        n = args.recipients
        print(f"{n} recipients, worker concurrency {args.concurrency}, batch size {args.batch_size}")
        outbox_seconds, states, received = run_outbox(n, sink, worker=worker, kill_child_at=args.kill_a_child_at)
        outbox_rate = n / outbox_seconds
        print(
            f"outbox via Celery: {outbox_seconds:7.2f} s  {outbox_rate:8.1f} mails/s"
            f"  (deliveries {states}, sink got {received}: {received - n} duplicates)"
        )
        stop_worker(worker)
        smtplib_seconds, received = run_smtplib(n, sink)
        smtplib_rate = n / smtplib_seconds
        print(f"plain smtplib:     {smtplib_seconds:7.2f} s  {smtplib_rate:8.1f} mails/s  (sink got {received})")
        print(f"ratio outbox / smtplib: {outbox_rate / smtplib_rate:.2f}")
    finally:
        stop_worker(worker)
        sink.stop()


if __name__ == "__main__":
    main()
