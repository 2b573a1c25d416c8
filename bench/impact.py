"""Benchmark of the impact figures: `cockpit.impact.report(scope, period)` for the region and for one coalition,
cold (cache cleared) and warm (cached), and the impact page itself, at 10,000 members, 500 events and 20,000
registrations (issue 20, §5: "answers in well under a second").

Usage:
  .venv/bin/python bench/impact.py                          # 10,000 members, 500 events, 20,000 registrations
  .venv/bin/python bench/impact.py --members 1000 --repeat 3 # smaller and quicker
  .venv/bin/python bench/impact.py --clone-from portal_bench_pages --database portal_bench_impact_copy

1. Makes sure its own PostgreSQL database (`--database`, default `portal_bench_impact`, `_<members>` for other
   sizes) holds the demo data (two years of history) plus `--members` bench members and `--events` past events
   with `--registrations` registrations, most checked in, half of those with feedback: bench/pages.py's
   ensure_database, which creates, migrates and seeds it (`seed_demo --members … --events … --registrations …`)
   when it is missing or short, and never drops a database whose name does not start with `portal_bench`.
   The server comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432); the name is replaced.
2. Sets Django up in this process against it with bench/pages.py's production settings (DEBUG off; the
   static files collected into var/bench-static, as that bench does). The cache is the database cache in that same
   database, so clearing it for a cold run touches nobody else's; `--redis-url` measures with Redis instead
   (a cold run FLUSHES that Redis database: give one of your own).
3. For the region and for one coalition (`--coalition`, default borsele), as the regional coordinator, over
   the default period (the last 24 months): `--repeat` cold runs (cache cleared before each) and as many warm
   ones (right after a run filled the cache), each timed and its SQL statements counted; then the impact page
   through the test client, cold and warm. Prints the median and the slowest run in ms, the statements, the
   number of figures the report returned, and the 1-minute load average.

The machine is shared: read the figures with the load beside them, and repeat a run before believing it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import COORDINATOR, PYTHON, ensure_database, server_env  # noqa: E402 — importable by the path above


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10000, help="bench members (default 10,000)")
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--events", type=int, help="past bench events (default: members / 20, 500 at 10,000)")
    parser.add_argument("--registrations", type=int, help="registrations over them (default: members × 2)")
    parser.add_argument("--database", help="database name (default portal_bench_impact[_<members>])")
    parser.add_argument("--clone-from", help="create a missing database as a copy of this one (CREATE … TEMPLATE)")
    parser.add_argument("--coalition", default="borsele", help="the coalition measured besides the region")
    parser.add_argument("--repeat", type=int, default=5, help="cold and warm runs of each (default 5)")
    parser.add_argument("--redis-url", help="measure with this Redis as the cache (a cold run flushes its db)")
    args = parser.parse_args(argv)
    args.events = args.events if args.events is not None else args.members // 20
    args.registrations = args.registrations if args.registrations is not None else args.members * 2
    if not args.database:
        args.database = "portal_bench_impact" + ("" if args.members == 10000 else f"_{args.members}")
    return args


def timed(function, repeat, *, before=None):
    """[(ms, statements)] of `repeat` calls of `function`, each after `before()` (not timed)."""
    from django.db import connection  # noqa: PLC0415 — needs django.setup()
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 — needs django.setup()

    runs, result = [], None
    for _ in range(repeat):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = function()
            elapsed = (time.perf_counter() - start) * 1000
        runs.append((elapsed, len(captured)))
    return runs, result


def row(label, runs, note=""):
    times = [ms for ms, _statements in runs]
    statements = sorted({count for _ms, count in runs})
    shown = "/".join(str(count) for count in statements)
    print(
        f"{label:<34} {statistics.median(times):>9.1f} {max(times):>9.1f} {shown:>10} {os.getloadavg()[0]:>6.2f}"
        f"  {note}",
        flush=True,
    )


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    database_url = ensure_database(
        args.database, args.members, args.organisations, args.clone_from, args.events, args.registrations
    )
    # bench/pages.py's production settings (DEBUG off, its static files collected for the manifest), in process.
    env = server_env(database_url, 8000)
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    subprocess.run([PYTHON, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], env=env, check=True)
    os.environ.update(env)
    import django  # noqa: PLC0415 — the settings come from the environment set just above

    django.setup()
    from django.core.cache import cache  # noqa: PLC0415 — needs django.setup()
    from django.test import Client  # noqa: PLC0415 — needs django.setup()
    from django.test.utils import setup_test_environment  # noqa: PLC0415 — needs django.setup()
    from django.urls import reverse  # noqa: PLC0415 — needs django.setup()

    from cockpit import impact  # noqa: PLC0415 — needs django.setup()
    from cockpit.scope import Period, Scope  # noqa: PLC0415 — needs django.setup()
    from events.models import Event, Registration  # noqa: PLC0415 — needs django.setup()
    from members.models import Profile, User  # noqa: PLC0415 — needs django.setup()
    from network.models import Coalition  # noqa: PLC0415 — needs django.setup()

    setup_test_environment()  # the test client's host is allowed
    coordinator = User.objects.get(email=COORDINATOR)
    coalition = Coalition.objects.get(slug=args.coalition)
    period = Period.default()
    print(
        f"{args.database}: {Profile.objects.approved().count()} approved members, {Event.objects.count()} events, "
        f"{Registration.objects.count()} registrations ({Registration.objects.filter(checked_in=True).count()} "
        f"checked in) · period {period.start}–{period.end} ({len(period.buckets)} buckets) · cache "
        f"{'Redis' if args.redis_url else 'database'} · {args.repeat} runs each · load {os.getloadavg()[0]:.2f}"
    )
    header = f"{'what':<34} {'median ms':>9} {'max ms':>9} {'queries':>10} {'load':>6}"
    print(header)
    print("-" * len(header))
    for label, chosen in (("region", None), (coalition.slug, coalition)):
        scope = Scope.for_user(coordinator, chosen)

        def run(scope=scope):
            return impact.report(scope, period)

        cold, sections = timed(run, args.repeat, before=cache.clear)
        figures = sum(len(section.figures) for section in sections)
        note = f"{len(sections)} sections, {figures} figures"
        if not sections:
            note += " (cockpit.impact.report returns nothing yet: the figures are not built in this tree)"
        row(f"report, {label[:20]}, cold", cold, note)
        run()
        warm, _sections = timed(run, args.repeat)
        row(f"report, {label[:20]}, warm", warm)
    client = Client()
    client.force_login(coordinator)
    for label, query in (("page, region", ""), (f"page, {coalition.slug}", f"?coalition={coalition.slug}")):
        url = reverse("cockpit:impact") + query

        def get(url=url):
            response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)
            return response

        row(f"{label}, cold", timed(get, args.repeat, before=cache.clear)[0])
        get()
        row(f"{label}, warm", timed(get, args.repeat)[0])


if __name__ == "__main__":
    main()
