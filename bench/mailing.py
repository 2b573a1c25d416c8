"""Benchmark: an N-recipient mailing through a real Celery worker to an aiosmtpd sink, against plain smtplib.

Usage (PostgreSQL and Redis must run; see DESIGN.md §9):

    .venv/bin/python bench/mailing.py [--recipients 5000] [--concurrency 2 [4 …]] [--runs 3] [--batch-size 100]
        [--baseline TREE] [--kill-a-child-at F | --kill-worker-at F]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/portal_bench (created and migrated
if missing) and REDIS_URL to redis://127.0.0.1:6379/14. The script runs the SMTP sink itself,
starts `celery -A coalition worker` as a subprocess pointed at it (EMAIL_URL), queues the mailing,
and reports mails per second from commit until the last delivery is marked sent. Then it sends the
same number of mails with smtplib over one connection to the same sink: the ceiling the outbox is
measured against, right after, so both see the same load on a shared machine. Each run prints the
ratio outbox / smtplib and the load averages around it; with several concurrencies and `--runs`,
the runs interleave (2, 4, 2, 4, …) and a table gives the medians per concurrency. Issue 13's
targets: >= 0.9 at concurrency 2 and >= 1.0 at 4 (`--concurrency 2 4 --runs 3`). With `--baseline TREE`
every round also runs a worker from TREE (a git worktree of an older commit, `.venv` linked) right
before this tree's: before and after in one run, each with its own smtplib loop to divide by.

Crash drills: `--kill-a-child-at F` SIGKILLs one pool process when a fraction F of the mails
arrived; `--kill-worker-at F` SIGKILLs the whole worker (its process group: the main process and
every pool process), starts a new one, and prints how many recipients got no mail (lost), how many
copies arrived twice (duplicates) and the seconds from the restart to the first and to the last mail.
No beat runs: what brings the mailing back is the new worker itself.
"""

import argparse
import logging
import multiprocessing
import os
import re
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import time
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlparse

import django
import psycopg
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


READER = re.compile(r"reader(\d+)@")


def reader_address(i):
    return f"reader{i:06d}@bench.example"


class CountingSink:
    """An aiosmtpd handler that only counts: the sink should cost as little as possible.

    Besides the total it counts copies per reader (to find lost and duplicate mails) and keeps the
    time of the last arrival.
    """

    def __init__(self, counter, per_reader, last_at):
        self.counter = counter
        self.per_reader = per_reader
        self.last_at = last_at

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += len(envelope.rcpt_tos)
            for address in envelope.rcpt_tos:
                match = READER.match(address)
                if match and int(match[1]) < len(self.per_reader):
                    self.per_reader[int(match[1])] += 1
            self.last_at.value = time.time()
        return "250 OK"


def _serve_sink(port, counter, per_reader, last_at, ready, stop):
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    controller = Controller(CountingSink(counter, per_reader, last_at), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    """The SMTP sink in its own process, so it competes with neither sender for the GIL."""

    def __init__(self, readers):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.counter = multiprocessing.Value("i", 0)
        self.per_reader = multiprocessing.Array("i", readers, lock=False)  # guarded by the counter's lock
        self.last_at = multiprocessing.Value("d", 0.0, lock=False)
        ready, self._stop = multiprocessing.Event(), multiprocessing.Event()
        self._process = multiprocessing.Process(
            target=_serve_sink, args=(self.port, self.counter, self.per_reader, self.last_at, ready, self._stop)
        )
        self._process.start()
        if not ready.wait(30):
            raise SystemExit("the SMTP sink did not start")

    @property
    def count(self):
        return self.counter.value

    def reset(self):
        with self.counter.get_lock():
            self.counter.value = 0
            self.per_reader[:] = [0] * len(self.per_reader)
            self.last_at.value = 0.0

    def lost_and_duplicates(self):
        """Readers who got no mail, and copies beyond the first."""
        with self.counter.get_lock():
            copies = list(self.per_reader)
        return sum(1 for c in copies if c == 0), sum(c - 1 for c in copies if c > 1)

    def stop(self):
        self._stop.set()
        self._process.join(10)


def ensure_database(url):
    """Create the PostgreSQL database named in `url` if it does not exist yet."""
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
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def start_worker(port, concurrency, batch_size, tree=ROOT):
    """`celery -A coalition worker` run from `tree` (this checkout, or a --baseline one to compare with)."""
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "MAIL_BATCH_SIZE": str(batch_size),
    }
    command = [
        str(tree / ".venv" / "bin" / "celery"),
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
    return subprocess.Popen(command, cwd=tree, env=env, start_new_session=True)


def wait_for_worker(app, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the worker exited with code {process.returncode}")
        if app.control.ping(timeout=1.0):
            return
    raise SystemExit("the worker did not answer a ping within a minute")


def kill_worker(process):
    """SIGKILL the whole worker: its main process and every pool process (one process group)."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


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


def run_outbox(n, sink, *, worker=None, kill_child_at=None, kill_worker_at=None, restart=None, timeout=600):
    """Send an n-recipient mailing through the worker; returns (seconds, delivery states, mails received, drill).

    With `kill_worker_at`, `restart()` starts the replacement worker and `drill` holds the figures.
    """
    # The portal's modules follow django.setup(), which main() runs once the environment is set from the options.
    from coalition.mail import Recipient, queue_mailing, release_mailing  # noqa: PLC0415 — after django.setup()
    from coalition.models import Delivery, Mailing  # noqa: PLC0415 — after django.setup()

    recipients = [
        Recipient(reader_address(i), name=f"Reader {i}", context={"unsubscribe_url": f"https://bench.example/u/{i}"})
        for i in range(n)
    ]
    sink.reset()
    with transaction.atomic():
        mailing = queue_mailing(
            template="",
            recipients=recipients,
            # A list kind without the check step (bench/announcements.py measures the step): the engine is measured.
            kind=Mailing.Kind.REMINDER,
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
    drill = {}
    while True:
        mailing.refresh_from_db(fields=["state"])
        if mailing.is_finished:
            break
        if "restarted" in drill:
            if "first_after" not in drill and sink.count > drill["killed_after"]:
                drill["first_after"] = time.time() - drill["restarted"]
            if time.time() - drill["restarted"] > timeout:
                print(f"the mailing did not finish within {timeout} s of the restart")
                break
        if kill_worker_at is not None and "restarted" not in drill and sink.count >= kill_worker_at * n:
            # Crash drill: the whole worker dies at once (OOM killer, a lost container). The tasks it
            # held stay unacknowledged in Redis; PostgreSQL drops its open transactions and row locks.
            kill_worker(worker)
            drill["killed_after"] = sink.count
            print(f"killed the whole worker (process group {worker.pid}) after {drill['killed_after']} mails")
            drill["restarted"] = time.time()
            restart()
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
    if "restarted" in drill:
        drill["lost"], drill["duplicates"] = sink.lost_and_duplicates()
        drill["last_after"] = sink.last_at.value - drill["restarted"]
    return elapsed, states, sink.count, drill


def run_smtplib(n, sink):
    """The ceiling: build each message and send it over one SMTP connection, nothing else."""
    sink.reset()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for i in range(n):
            message = EmailMessage()
            message["From"] = "noreply@bench.example"
            message["To"] = Address(f"Reader {i}", addr_spec=reader_address(i))
            message["Subject"] = "Benchmark"
            message.set_content("A benchmark mail.\n" * 20)
            message.add_alternative("<p>A benchmark mail.</p>" * 20, subtype="html")
            smtp.send_message(message)
    elapsed = time.perf_counter() - started
    return elapsed, sink.count


def measure(n, sink, concurrency, batch_size, app, *, kill_child_at=None, kill_worker_at=None, tree=ROOT):
    """One run: the outbox through a fresh worker, then the smtplib loop right after; returns the figures."""
    workers = [start_worker(sink.port, concurrency, batch_size, tree)]
    try:
        wait_for_worker(app, workers[0])
        load_before = os.getloadavg()
        outbox_seconds, states, received, drill = run_outbox(
            n,
            sink,
            worker=workers[0],
            kill_child_at=kill_child_at,
            kill_worker_at=kill_worker_at,
            restart=lambda: workers.append(start_worker(sink.port, concurrency, batch_size, tree)),
        )
    finally:
        for worker in workers:
            stop_worker(worker)
    outbox_rate = n / outbox_seconds
    print(
        f"outbox via Celery: {outbox_seconds:7.2f} s  {outbox_rate:8.1f} mails/s"
        f"  (deliveries {states}, sink got {received}: {received - n} duplicates)"
    )
    if drill:
        print(
            f"kill drill: lost {drill['lost']}, duplicates {drill['duplicates']};"
            f" from restart to first mail {drill.get('first_after', float('nan')):.1f} s,"
            f" to last mail {drill['last_after']:.1f} s"
        )
    smtplib_seconds, smtplib_received = run_smtplib(n, sink)
    smtplib_rate = n / smtplib_seconds
    load_after = os.getloadavg()
    print(f"plain smtplib:     {smtplib_seconds:7.2f} s  {smtplib_rate:8.1f} mails/s  (sink got {smtplib_received})")
    print(
        f"ratio outbox / smtplib: {outbox_rate / smtplib_rate:.2f}"
        f"   load average {_load(load_before)} -> {_load(load_after)}"
    )
    return {
        "outbox": outbox_rate,
        "smtplib": smtplib_rate,
        "ratio": outbox_rate / smtplib_rate,
        "duplicates": received - n,
        "load": (load_before, load_after),
    }


def _load(load):
    return " ".join(f"{x:.2f}" for x in load)


def print_table(results):
    """Medians per tree and concurrency, with every run's ratio and the load averages around it."""
    print()
    print("tree | concurrency | outbox mails/s | smtplib mails/s | ratio (median) | per run | duplicates | load 1 min")
    print("---- | ----------- | -------------- | --------------- | -------------- | ------- | ---------- | ----------")
    for (label, concurrency), runs in results.items():
        ratios = " ".join(f"{run['ratio']:.2f}" for run in runs)
        loads = " ".join(f"{run['load'][0][0]:.1f}-{run['load'][1][0]:.1f}" for run in runs)
        print(
            f"{label} | {concurrency:11d} | {statistics.median(r['outbox'] for r in runs):14.1f}"
            f" | {statistics.median(r['smtplib'] for r in runs):15.1f}"
            f" | {statistics.median(r['ratio'] for r in runs):14.2f} | {ratios:7s}"
            f" | {sum(r['duplicates'] for r in runs):10d} | {loads}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[os.cpu_count() or 2],
        help="worker processes; several values are run interleaved (2 4: 2, 4, 2, 4, …)",
    )
    parser.add_argument("--runs", type=int, default=1, help="rounds over the concurrencies; the table shows medians")
    parser.add_argument("--batch-size", type=int, default=100, help="MAIL_BATCH_SIZE for the worker")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="TREE",
        help="also run the worker from this checkout (e.g. a git worktree of an older commit, with .venv"
        " linked), interleaved before this one's in every round: before and after measured in one run",
    )
    drills = parser.add_mutually_exclusive_group()
    drills.add_argument(
        "--kill-a-child-at",
        type=float,
        metavar="FRACTION",
        help="crash drill: SIGKILL one worker pool process when this fraction of the mails arrived",
    )
    drills.add_argument(
        "--kill-worker-at",
        type=float,
        metavar="FRACTION",
        help="crash drill: SIGKILL the whole worker when this fraction of the mails arrived, then start a new one",
    )
    args = parser.parse_args()

    os.environ["DEBUG"] = "true"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()

    from coalition.celery import app  # noqa: PLC0415 — settings are read from the environment set just above

    n = args.recipients
    sink = Sink(n)
    app.control.purge()
    trees = {"baseline": args.baseline.resolve(), "this": ROOT} if args.baseline else {"this": ROOT}
    results = {(label, concurrency): [] for concurrency in args.concurrency for label in trees}
    try:
        for run in range(1, args.runs + 1):
            for concurrency in args.concurrency:
                for label, tree in trees.items():
                    print(
                        f"\nrun {run}: {n} recipients, worker concurrency {concurrency}, batch size {args.batch_size},"
                        f" worker from {tree}"
                    )
                    results[label, concurrency].append(
                        measure(
                            n,
                            sink,
                            concurrency,
                            args.batch_size,
                            app,
                            kill_child_at=args.kill_a_child_at,
                            kill_worker_at=args.kill_worker_at,
                            tree=tree,
                        )
                    )
        print_table(results)
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
