"""Benchmark: N members register at once for one event with 30 seats, through the service and through HTTP.

Usage (PostgreSQL and Redis must run; see DESIGN.md §9):

    .venv/bin/python bench/registrations.py [--members 1000] [--seats 30] [--modes service,http]
        [--repeat 1] [--port 8300] [--profile FILE]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/portal_bench_registrations (created and
migrated if missing) and REDIS_URL to redis://127.0.0.1:6379/13. The members
(bench-member-NNNNN@bench.example, approved) are created once and reused; every run registers them for a
new event, and the events of earlier runs are deleted first. The mails' send tasks go to Redis and are
purged at the end: no worker runs, the outbox has its own benchmark (bench/mailing.py).

Modes, each with the same members on a fresh event:

- `service`: two processes call `events.services.register` for every other member, all released at
  the same moment (the portal's settings with DEBUG off, as in production);
- `http`: gunicorn (DEBUG off, two workers, `--no-control-socket`, a free port from --port on) and two
  client processes that POST the registration form, each member with a session cookie and a CSRF
  token made beforehand.

Per mode it prints confirmed, waiting, errors, duplicates (a second registration or a second
registration mail for one member), registration mails, registrations per second (members / seconds
from the release to the last answer), p50/p95/p99 of the time each registration held the event lock
(logged by the service at DEBUG on the `events.locks` logger, which this script turns on), p50/p99 of
the time per call or request, and the load average. `--profile FILE` writes a cProfile of one
service process.
"""

import argparse
import cProfile
import http.client
import logging
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

# The same database and Django setup as the mailing benchmark (this directory is on sys.path when run as a script).
from mailing import ensure_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_registrations"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
EVENT_SLUG = "bench-registrations"
WARM_UP = 8  # extra members who register for a warm-up event first, so every process has loaded its code
LOCK_LOGGER = "events.locks"

# gunicorn's config: each worker appends "event_id milliseconds" per lock the service logs to its own file.
GUNICORN_CONFIG = """
import logging
import os


class LockTimes(logging.Handler):
    def __init__(self, path):
        super().__init__(logging.DEBUG)
        self.file = open(path, "a", buffering=1)

    def emit(self, record):
        self.file.write(f"{record.args[0]} {record.args[1]}\\n")


def post_worker_init(worker):
    logger = logging.getLogger(%(logger)r)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(LockTimes(os.path.join(%(directory)r, f"locks-{os.getpid()}.txt")))
"""


def member_email(i):
    return f"bench-member-{i:05d}@bench.example"


def ensure_members(count):
    """Approved members bench-member-00000… (reused between runs), spread over ten organisations."""
    from django.contrib.auth.hashers import make_password  # noqa: PLC0415 — after django.setup()

    from members.models import Organisation, Profile, User  # noqa: PLC0415 — after django.setup()

    organisations = [
        Organisation.objects.get_or_create(
            slug=f"bench-organisation-{i}", defaults={"name": f"Benchorganisatie {i}", "discipline": "midwifery"}
        )[0]
        for i in range(10)
    ]
    emails = [member_email(i) for i in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    missing = [email for email in emails if email not in existing]
    if missing:
        password = make_password(None)
        User.objects.bulk_create([User(email=email, password=password) for email in missing], batch_size=1000)
        users = User.objects.filter(email__in=missing).order_by("pk")
        Profile.objects.bulk_create(
            [
                Profile(
                    user=user,
                    first_name="Bench",
                    last_name=user.email.split("@")[0],
                    discipline="midwifery",
                    organisation=organisations[user.pk % len(organisations)],
                    status=Profile.Status.APPROVED,
                )
                for user in users
            ],
            batch_size=1000,
        )
        print(f"created {len(missing)} members")
    by_email = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    return [by_email[email] for email in emails]


def new_event(label, seats):
    """A published event starting in a month, with `seats` seats; earlier benchmark events go first."""
    from django.utils import timezone  # noqa: PLC0415 — after django.setup()

    from events.models import Event  # noqa: PLC0415 — after django.setup()

    starts_at = timezone.now() + timedelta(days=30)
    return Event.objects.create(
        title=f"Benchmark {label}",
        slug=f"{EVENT_SLUG}-{label}-{secrets.token_hex(4)}",
        state=Event.State.PUBLISHED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        venue="Wijkcentrum De Brug",
        address="Brugstraat 1\n3511 AB Utrecht",
        capacity=seats,
        description="Een benchmark.",
    )


def delete_old_events():
    from coalition.models import Mailing  # noqa: PLC0415 — after django.setup()
    from events.models import Event  # noqa: PLC0415 — after django.setup()

    old = Event.objects.filter(slug__startswith=EVENT_SLUG)
    Mailing.objects.filter(event_link__event__in=old).delete()
    old.delete()


def outcome(event, member_ids):
    """confirmed, waiting, duplicates, registration mails, members without a registration or a mail."""
    from django.db.models import Count  # noqa: PLC0415 — after django.setup()

    from coalition.models import Delivery  # noqa: PLC0415 — after django.setup()
    from events.models import EventMailing, Registration  # noqa: PLC0415 — after django.setup()

    registrations = Registration.objects.filter(event=event, profile__user_id__in=member_ids)
    states = dict(registrations.values_list("state").annotate(n=Count("pk")))
    twice = registrations.values("profile_id").annotate(n=Count("pk")).filter(n__gt=1)
    mails = Delivery.objects.filter(
        mailing__event_link__event=event,
        mailing__event_link__purpose__in=[EventMailing.Purpose.CONFIRMATION, EventMailing.Purpose.WAITING],
    )
    per_address = mails.values("address").annotate(n=Count("pk"))
    duplicates = sum(row["n"] - 1 for row in twice) + sum(row["n"] - 1 for row in per_address if row["n"] > 1)
    registered = registrations.count()
    return {
        "confirmed": states.get(Registration.State.CONFIRMED, 0),
        "waiting": states.get(Registration.State.WAITING, 0),
        "duplicates": duplicates,
        "mails": mails.count(),
        "unmailed": registered - per_address.count(),
    }


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- Through the service ------------------------------------------------------------------------


class LockTimes(logging.Handler):
    """Collects (event id, milliseconds) from the service's lock log."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.times = []

    def emit(self, record):
        self.times.append((record.args[0], float(record.args[1])))


def service_process(member_ids, event_id, warm_up_ids, warm_up_event_id, ready, go, results, profile_path):
    from django.db import connections  # noqa: PLC0415 — after django.setup()

    from events import services  # noqa: PLC0415 — after django.setup()
    from events.models import Event  # noqa: PLC0415 — after django.setup()
    from members.models import User  # noqa: PLC0415 — after django.setup()

    handler = LockTimes()
    logger = logging.getLogger(LOCK_LOGGER)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    warm_up_event = Event.objects.get(pk=warm_up_event_id)
    for user in User.objects.filter(pk__in=warm_up_ids):
        services.register(warm_up_event, user)
    # As AuthenticationMiddleware loads them: the user alone, the profile on first use.
    users = {user.pk: user for user in User.objects.filter(pk__in=member_ids)}
    users = [users[pk] for pk in member_ids]
    event = Event.objects.get(pk=event_id)
    handler.times.clear()
    profiler = cProfile.Profile() if profile_path else None
    errors, latencies = {}, []
    ready.wait()
    go.wait()
    if profiler:
        profiler.enable()
    for user in users:
        started = time.perf_counter()
        try:
            services.register(event, user)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        latencies.append((time.perf_counter() - started) * 1000)
    finished = time.monotonic()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile_path)
    connections.close_all()
    locks = [ms for event_pk, ms in handler.times if event_pk == event_id]
    results.put({"finished": finished, "errors": errors, "latencies": latencies, "locks": locks})


def run_service(member_ids, warm_up_ids, seats, processes, profile_path):
    from django.db import connections  # noqa: PLC0415 — after django.setup()

    event = new_event("service", seats)
    warm_up_event = new_event("warm-up", 1)
    connections.close_all()  # each forked process opens its own connection
    context = multiprocessing.get_context("fork")
    ready, go, results = context.Barrier(processes + 1), context.Event(), context.Queue()
    workers = [
        context.Process(
            target=service_process,
            args=(
                member_ids[i::processes],
                event.pk,
                warm_up_ids[i::processes],
                warm_up_event.pk,
                ready,
                go,
                results,
                profile_path if i == 0 else None,
            ),
        )
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    ready.wait()
    started = time.monotonic()
    go.set()
    reports = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    seconds = max(r["finished"] for r in reports) - started
    return event, seconds, reports


# --- Through HTTP -------------------------------------------------------------------------------


def free_port(first):
    for port in range(first, first + 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {first}–{first + 99}")


def sessions_for(member_ids):
    """(session key, CSRF secret) per member: logged in beforehand, as if each had signed in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: PLC0415
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS  # noqa: PLC0415 — after django.setup()
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415 — after django.setup()
    from django.contrib.sessions.models import Session  # noqa: PLC0415 — after django.setup()
    from django.middleware.csrf import _get_new_csrf_string  # noqa: PLC0415 — after django.setup()
    from django.utils import timezone  # noqa: PLC0415 — after django.setup()
    from django.utils.crypto import get_random_string  # noqa: PLC0415 — after django.setup()

    from members.models import User  # noqa: PLC0415 — after django.setup()

    users = User.objects.in_bulk(member_ids)
    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    rows, keys = [], []
    for pk in member_ids:
        user = users[pk]
        key = get_random_string(32, VALID_KEY_CHARS)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append((key, _get_new_csrf_string()))
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def post_registration(port, slug, session_key, csrf):
    body = urlencode({"csrfmiddlewaretoken": csrf, "consent_to_list": "on"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST",
            f"/events/{slug}/register/",
            body,
            headers={
                "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def http_client(port, slug, jobs, ready, go, results):
    statuses, latencies = {}, []
    ready.wait()
    go.wait()
    for session_key, csrf in jobs:
        started = time.perf_counter()
        try:
            status = post_registration(port, slug, session_key, csrf)
        except OSError as exc:
            status = type(exc).__name__
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
    results.put({"finished": time.monotonic(), "statuses": statuses, "latencies": latencies})


def start_gunicorn(port, directory):
    config = Path(directory) / "gunicorn_conf.py"
    config.write_text(GUNICORN_CONFIG % {"logger": LOCK_LOGGER, "directory": str(directory)})
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "coalition.wsgi:application",
        "--workers=2",
        f"--bind=127.0.0.1:{port}",
        "--no-control-socket",
        f"--config={config}",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within a minute")


def stop_gunicorn(process):
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_http(member_ids, warm_up_ids, seats, clients, port):
    from django.db import connections  # noqa: PLC0415 — after django.setup()

    event = new_event("http", seats)
    warm_up_event = new_event("warm-up", 1)
    jobs = sessions_for(member_ids)
    warm_up_jobs = sessions_for(warm_up_ids)
    connections.close_all()
    with tempfile.TemporaryDirectory(prefix="bench-registrations-") as directory:
        server = start_gunicorn(port, directory)
        try:
            for session_key, csrf in warm_up_jobs:
                post_registration(port, warm_up_event.slug, session_key, csrf)
            context = multiprocessing.get_context("fork")
            ready, go, results = context.Barrier(clients + 1), context.Event(), context.Queue()
            workers = [
                context.Process(target=http_client, args=(port, event.slug, jobs[i::clients], ready, go, results))
                for i in range(clients)
            ]
            for worker in workers:
                worker.start()
            ready.wait()
            started = time.monotonic()
            go.set()
            reports = [results.get() for _ in workers]
            for worker in workers:
                worker.join()
        finally:
            stop_gunicorn(server)
        locks = []
        for path in Path(directory).glob("locks-*.txt"):
            for line in path.read_text().splitlines():
                event_pk, ms = line.split()
                if int(event_pk) == event.pk:
                    locks.append(float(ms))
    seconds = max(r["finished"] for r in reports) - started
    for report in reports:
        report["locks"] = locks if report is reports[0] else []
        ok = report["statuses"].get(302, 0)
        report["errors"] = {str(k): v for k, v in report["statuses"].items() if k != 302}
        report["ok"] = ok
    return event, seconds, reports


# --- Report ---------------------------------------------------------------------------------------

HEADER = (
    f"{'mode':<8} {'members':>7} {'confirmed':>9} {'waiting':>7} {'errors':>6} {'dupl.':>5} {'mails':>5}"
    f" {'reg/s':>7} {'lock p50':>8} {'p95':>6} {'p99':>6} {'max':>6} {'call p50':>8} {'p99':>7}  load avg"
)


def report_line(mode, member_ids, event, seconds, reports):
    result = outcome(event, member_ids)
    errors = {}
    for report in reports:
        for name, n in report["errors"].items():
            errors[name] = errors.get(name, 0) + n
    locks = [ms for report in reports for ms in report["locks"]]
    latencies = [ms for report in reports for ms in report["latencies"]]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    line = (
        f"{mode:<8} {len(member_ids):>7} {result['confirmed']:>9} {result['waiting']:>7} {sum(errors.values()):>6}"
        f" {result['duplicates']:>5} {result['mails']:>5} {len(member_ids) / seconds:>7.1f}"
        f" {percentile(locks, 0.5):>8.2f} {percentile(locks, 0.95):>6.2f} {percentile(locks, 0.99):>6.2f}"
        f" {max(locks, default=float('nan')):>6.2f} {statistics.median(latencies):>8.1f}"
        f" {percentile(latencies, 0.99):>7.1f}  {load}"
    )
    notes = []
    if errors:
        notes.append(f"errors: {errors}")
    if result["unmailed"]:
        notes.append(f"{result['unmailed']} registrations without a mail")
    if len(locks) != result["confirmed"] + result["waiting"]:
        notes.append(f"{len(locks)} lock times logged for {result['confirmed'] + result['waiting']} registrations")
    return line + "".join(f"\n         {note}" for note in notes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--modes", default="service,http", help="comma-separated: service, http")
    parser.add_argument("--processes", type=int, default=2, help="service processes and HTTP client processes")
    parser.add_argument("--repeat", type=int, default=1, help="runs of every mode, interleaved")
    parser.add_argument("--port", type=int, default=8300, help="gunicorn takes the first free port from here on")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first service process here")
    args = parser.parse_args()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]

    port = free_port(args.port) if "http" in modes else args.port
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-registrations-" + "k" * 50)
    os.environ["SITE_URL"] = f"http://127.0.0.1:{port}"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()

    from coalition.celery import app  # noqa: PLC0415 — settings are read from the environment set just above

    delete_old_events()
    ids = ensure_members(args.members + WARM_UP)
    member_ids, warm_up_ids = ids[: args.members], ids[args.members :]
    print(f"{args.members} members, {args.seats} seats, {args.processes} processes; times in ms")
    print(HEADER)
    try:
        for _ in range(args.repeat):
            for mode in modes:
                if mode == "service":
                    event, seconds, reports = run_service(
                        member_ids, warm_up_ids, args.seats, args.processes, args.profile
                    )
                elif mode == "http":
                    event, seconds, reports = run_http(member_ids, warm_up_ids, args.seats, args.processes, port)
                else:
                    raise SystemExit(f"unknown mode {mode!r}")
                print(report_line(mode, member_ids, event, seconds, reports), flush=True)
    finally:
        app.control.purge()


if __name__ == "__main__":
    main()
