"""Benchmark of the member directory search: run after `seed_demo --members 10000 --organisations 300`.

Usage:
  DEBUG=true DATABASE_URL=... .venv/bin/python bench/directory.py [--repeat 20]
      the median and 95th percentile time of one directory page (count + first 25 rows, rendered through
      the view) for a set of typical searches and filters, on the database of DATABASE_URL.
  DEBUG=true .venv/bin/python bench/directory.py --sizes [--prefix portal_bench] [--query verloskundige]
      one search at 1,000, 10,000 and 50,000 members, each in a database of its own (PREFIX_1k, _10k, _50k on
      the PostgreSQL server of DATABASE_URL, postgres://postgres@127.0.0.1:5432 by default). A missing database
      is seeded (10k cloned from portal_seed10k when it exists), every one migrated; seeding 50k takes minutes.
      --baseline DIR --baseline-prefix P also measures the code checked out in DIR on databases P_1k, P_10k,
      P_50k (seeded and migrated by that code), interleaved with the current code in the same run, so the two
      columns share the machine's load and their ratio means something.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SIZES = [("1k", 1000), ("10k", 10000), ("50k", 50000)]
SEED_TEMPLATES = {"10k": "portal_seed10k"}  # a seeded copy to clone instead of seeding again; never used directly

QUERIES = [
    {},
    {"q": "verloskundige"},
    {"q": "Vlissingen verloskundige"},
    {"q": "joelle"},
    {"q": "kraamzorg borsele"},
    {"q": "schuldhulpverlner"},  # a typo
    {"q": "zzzz-nothing"},
]


def _setup_django(code_dir):
    sys.path.insert(0, str(code_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    os.environ.setdefault("DEBUG", "true")
    import django  # noqa: PLC0415 (after choosing which checkout's code to load)

    django.setup()


def _time_page(client, url, params, repeat):
    """Median and p95 of the whole request, median SQL time, the result count and the queries of one request."""
    from django.db import connection  # noqa: PLC0415 (needs django.setup() first)
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 (idem)

    client.get(url, params)  # warm up
    timings, sql = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
    assert response.status_code == 200, response.status_code
    return {
        "median": statistics.median(timings),
        "p95": sorted(timings)[max(0, int(len(timings) * 0.95) - 1)],
        "sql": statistics.median(sql),
        "results": response.context["page_obj"].paginator.count,
        "queries": len(captured),
    }


def _member_client():
    from django.test import Client  # noqa: PLC0415 (needs django.setup() first)
    from django.test.utils import setup_test_environment  # noqa: PLC0415 (idem)

    from members.models import User  # noqa: PLC0415 (idem)

    setup_test_environment()  # allows the test client's host and records the rendered context
    client = Client()
    client.force_login(User.objects.get(email="member@example.org"))
    return client


def measure_queries(repeat):
    """The classic table: every typical search and filter on the database of DATABASE_URL."""
    _setup_django(ROOT)
    from django.db import connection  # noqa: PLC0415 (needs django.setup() first)
    from django.urls import reverse  # noqa: PLC0415 (idem)

    from members.models import Municipality, Profile  # noqa: PLC0415 (idem)

    count = Profile.objects.approved().count()
    if count < 1000:
        sys.exit(f"Only {count} approved profiles; run seed_demo --members 10000 first.")
    municipality = Municipality.objects.get(slug="borsele")
    queries = [*QUERIES, {"municipality": municipality.pk, "discipline": "maternity_care"}]
    client = _member_client()
    url = reverse("members:profile_list")
    print(f"database: {connection.vendor}, approved profiles: {count}, repeats: {repeat}, load: {_load()}")
    print(f"{'query':<55} {'results':>8} {'queries':>8} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>8}")
    for params in queries:
        timing = _time_page(client, url, params, repeat)
        label = str(params or "(no search)")[:55]
        print(
            f"{label:<55} {timing['results']:>8} {timing['queries']:>8} {timing['median']:>10.1f} "
            f"{timing['p95']:>8.1f} {timing['sql']:>8.1f}"
        )


def measure_one(code_dir, query, repeat):
    """Child of --sizes: one search on the database of DATABASE_URL with the code in code_dir; prints JSON."""
    _setup_django(code_dir)
    from django.urls import reverse  # noqa: PLC0415 (needs django.setup() first)

    from members.models import Profile  # noqa: PLC0415 (idem)

    timing = _time_page(_member_client(), reverse("members:profile_list"), {"q": query}, repeat)
    timing["members"] = Profile.objects.approved().count()
    print(json.dumps(timing))


def _load():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _server_url():
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("--sizes needs PostgreSQL: set DATABASE_URL to a postgres:// URL (its database is not used).")
    return parts


def _database_url(parts, name):
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _database_exists(parts, name):
    import psycopg  # noqa: PLC0415 (only --sizes talks to the server itself)

    with psycopg.connect(_database_url(parts, "postgres"), autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _prepare(parts, name, label, members, code_dir):
    """Create, migrate and seed database `name` with the code in code_dir; one that exists is only migrated."""
    import psycopg  # noqa: PLC0415 (only --sizes talks to the server itself)
    from psycopg import sql  # noqa: PLC0415 (idem)

    env = {**os.environ, "DATABASE_URL": _database_url(parts, name), "DEBUG": "true"}
    manage = [sys.executable, str(Path(code_dir) / "manage.py")]
    if _database_exists(parts, name):
        # Seeded by older code: migrated to this code's models (a no-op when they are current).
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=code_dir)
        return
    template = SEED_TEMPLATES.get(label)
    with psycopg.connect(_database_url(parts, "postgres"), autocommit=True) as connection:
        if template and _database_exists(parts, template):
            print(f"cloning {template} into {name}", flush=True)
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
            )
        else:
            template = None
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=code_dir)
    if not template:
        print(f"seeding {name} with {members} members (this takes a while)", flush=True)
        subprocess.run(
            [*manage, "seed_demo", "--members", str(members), "--organisations", "300"],
            env=env,
            check=True,
            cwd=code_dir,
            stdout=subprocess.DEVNULL,
        )


def _child(parts, name, code_dir, query, repeat):
    env = {**os.environ, "DATABASE_URL": _database_url(parts, name), "DEBUG": "true"}
    command = [sys.executable, __file__, "--one", "--code", str(code_dir), "--query", query, "--repeat", str(repeat)]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True, cwd=code_dir).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure_sizes(args):
    parts = _server_url()
    runs = [("current", ROOT, args.prefix)]
    if args.baseline:
        runs.insert(0, ("baseline", Path(args.baseline).resolve(), args.baseline_prefix))
    for _name, code_dir, prefix in runs:
        for label, members in SIZES:
            _prepare(parts, f"{prefix}_{label}", label, members, code_dir)
    results = {(run, label): [] for run, _c, _p in runs for label, _m in SIZES}
    members = {}
    loads = [_load()]
    for _round in range(args.rounds):
        for label, _members in SIZES:
            for run, code_dir, prefix in runs:  # interleaved: the runs share the machine's load alike
                timing = _child(parts, f"{prefix}_{label}", code_dir, args.query, args.repeat)
                results[run, label].append(timing)
                members[label] = timing["members"]
        loads.append(_load())
    print(f"search {args.query!r}, member's view, {args.rounds} round(s) of {args.repeat} requests each")
    print(f"load average (1, 5, 15 min) before and after each round: {' | '.join(loads)}")
    header = f"{'members':>8} {'results':>8}"
    for run, _c, _p in runs:
        header += f" {run + ' ms':>13} {'p95':>7} {'SQL ms':>7} {'growth':>7}"
    if args.baseline:
        header += f" {'current/baseline':>17}"
    print(header)
    previous = {}
    for label, _members in SIZES:
        line = f"{members[label]:>8} {results[runs[-1][0], label][0]['results']:>8}"
        medians = {}
        for run, _c, _p in runs:
            timings = results[run, label]
            medians[run] = statistics.median(t["median"] for t in timings)
            growth = f"{medians[run] / previous[run]:.2f}x" if run in previous else "-"
            line += (
                f" {medians[run]:>13.1f} {statistics.median(t['p95'] for t in timings):>7.1f}"
                f" {statistics.median(t['sql'] for t in timings):>7.1f} {growth:>7}"
            )
        if args.baseline:
            line += f" {medians['current'] / medians['baseline']:>17.2f}"
        previous = medians
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sizes", action="store_true", help="one search at 1k, 10k and 50k members")
    parser.add_argument("--query", default="verloskundige", help="the search --sizes measures")
    parser.add_argument("--prefix", default="portal_bench", help="databases PREFIX_1k, PREFIX_10k, PREFIX_50k")
    parser.add_argument("--baseline", help="a checkout of older code to measure alongside (--sizes)")
    parser.add_argument("--baseline-prefix", default="portal_bench_baseline")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds (--sizes); medians are printed")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure_one(Path(args.code), args.query, args.repeat)
    elif args.sizes:
        measure_sizes(args)
    else:
        measure_queries(args.repeat)


if __name__ == "__main__":
    main()
