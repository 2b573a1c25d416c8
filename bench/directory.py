"""Benchmark of the member directory search: run after `seed_demo --members 10000 --organisations 300`.

Usage: DEBUG=true DATABASE_URL=... .venv/bin/python bench/directory.py [--repeat 20]
Prints the median and 95th percentile time of one directory page (count + first 25 rows,
rendered through the view) for a set of typical searches and filters.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from members.models import Municipality, Profile, User  # noqa: E402

QUERIES = [
    {},
    {"q": "verloskundige"},
    {"q": "Vlissingen verloskundige"},
    {"q": "joelle"},
    {"q": "kraamzorg borsele"},
    {"q": "schuldhulpverlner"},  # a typo
    {"q": "zzzz-nothing"},
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()  # allows the test client's host and records the rendered context
    count = Profile.objects.approved().count()
    if count < 1000:
        sys.exit(f"Only {count} approved profiles; run seed_demo --members 10000 first.")
    municipality = Municipality.objects.get(slug="borsele")
    queries = [*QUERIES, {"municipality": municipality.pk, "discipline": "maternity_care"}]
    client = Client()
    client.force_login(User.objects.get(email="member@example.org"))
    url = reverse("members:profile_list")
    print(f"database: {connection.vendor}, approved profiles: {count}, repeats: {args.repeat}")
    print(f"{'query':<55} {'results':>8} {'queries':>8} {'median ms':>10} {'p95 ms':>8}")
    for params in queries:
        client.get(url, params)  # warm up
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, params)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
        label = str(params or "(no search)")[:55]
        results = response.context["page_obj"].paginator.count
        print(f"{label:<55} {results:>8} {len(captured):>8} {statistics.median(timings):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
