"""Benchmark of the network's pages: the coalition list, a coalition's page and the regional overview.

Usage: DEBUG=true DATABASE_URL=... .venv/bin/python bench/network.py [--coalitions 200] [--repeat 20]
Run `seed_demo` first. Adds `--coalitions` benchmark coalitions (slugs `bench-coalition-<n>`, each with
municipalities of its own, twenty partners, two trekkers and a half-signed declaration; idempotent), then
prints the median and 95th percentile time of each page rendered through its view, and its query count.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from members.models import Municipality, Organisation, Profile, User  # noqa: E402
from network.models import (  # noqa: E402
    Coalition,
    CoalitionMunicipality,
    Declaration,
    Partnership,
    Phase,
    Signature,
    Trekker,
)

PARTNERS = 20


@transaction.atomic
def build(count):
    """Benchmark coalitions with bulk inserts; the ones already there are kept."""
    organisations = list(Organisation.objects.order_by("pk")[:PARTNERS])
    people = list(Profile.objects.approved().order_by("pk")[:2])
    phases = list(Phase)
    existing = set(Coalition.objects.filter(slug__startswith="bench-coalition-").values_list("slug", flat=True))
    new = [
        Coalition(
            name=f"Benchcoalitie {n}", slug=f"bench-coalition-{n}", phase=phases[n % 5], phase_since=date(2024, 1, 1)
        )
        for n in range(count)
        if f"bench-coalition-{n}" not in existing
    ]
    Coalition.objects.bulk_create(new)
    new = list(Coalition.objects.filter(slug__in=[c.slug for c in new]))
    places = Municipality.objects.bulk_create(
        [Municipality(name=f"Benchgemeente {c.slug}", slug=f"benchgemeente-{c.slug}") for c in new]
    )
    CoalitionMunicipality.objects.bulk_create(
        [CoalitionMunicipality(coalition=c, municipality=m) for c, m in zip(new, places, strict=True)]
    )
    Partnership.objects.bulk_create(
        [
            Partnership(coalition=c, organisation=o, circle="inner" if i % 3 else "outer", since=date(2024, 1, 1))
            for c in new
            for i, o in enumerate(organisations)
        ]
    )
    Trekker.objects.bulk_create(
        [
            Trekker(coalition=c, profile=p, role=r, starts_on=date(2024, 1, 1))
            for c in new
            for p, r in zip(people, ["content", "policy"], strict=False)
        ]
    )
    Declaration.objects.bulk_create(
        [
            Declaration(coalition=c, title="Intentieverklaring", version=1, text="Samen.", dated_on=date(2024, 2, 1))
            for c in new
        ]
    )
    declarations = {d.coalition_id: d for d in Declaration.objects.filter(coalition__in=new)}
    Signature.objects.bulk_create(
        [
            Signature(
                declaration=declarations[p.coalition_id],
                partnership=p,
                signed_by_name="Directeur",
                signed_on=date(2024, 2, 1),
            )
            for p in Partnership.objects.filter(coalition__in=new)
            if p.pk % 2
        ]
    )
    with connection.cursor() as cursor:
        for model in (Coalition, Partnership, Trekker, Declaration, Signature, CoalitionMunicipality):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def measure(client, label, url, repeat):
    client.get(url)  # warm up
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
    print(f"{label:<36} {len(captured):>8} {statistics.median(timings):>10.1f} {p95:>8.1f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--coalitions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()  # allows the test client's host
    if not Coalition.objects.filter(slug="borsele").exists():
        sys.exit("Run seed_demo first.")
    build(args.coalitions)
    client = Client()
    client.force_login(User.objects.get(email="coordinator@example.org"))
    print(f"database: {connection.vendor}, coalitions: {Coalition.objects.count()}, "
          f"partnerships: {Partnership.objects.count()}, repeats: {args.repeat}")  # fmt: skip
    print(f"{'page':<36} {'queries':>8} {'median ms':>10} {'p95 ms':>8}")
    measure(client, "coalition list", reverse("network:coalition_list"), args.repeat)
    measure(client, "coalition page (Borsele)", reverse("network:coalition_detail", args=["borsele"]), args.repeat)
    measure(
        client,
        "coalition page (bench, 20 partners)",
        reverse("network:coalition_detail", args=["bench-coalition-0"]),
        args.repeat,
    )
    measure(client, "regional overview", reverse("network:regional_overview"), args.repeat)
    measure(client, "regional overview CSV", reverse("network:regional_overview_csv"), args.repeat)


if __name__ == "__main__":
    main()
