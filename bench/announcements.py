"""Benchmark: an announcement to N people (10,000) through the check step: the count, the check page, the confirm.

Usage (PostgreSQL and Redis must run; see DESIGN.md §9; one benchmark at a time: `flock /tmp/bench.lock …`):

    .venv/bin/python bench/announcements.py [--recipients 10000] [--runs 3]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/portal_bench_announcements (created and migrated if
missing) and REDIS_URL to redis://127.0.0.1:6379/12. It seeds its own people once (approved members
bench-reader-NNNNN@bench.example of one organisation, an outer-circle partner of the coalition "Benchcoalitie")
and a regional coordinator; every run writes a new announcement to that outer circle, and the announcements and
mailings of earlier runs are deleted first. No worker runs: the send tasks are purged at the end (the outbox's
own speed is bench/mailing.py's business).

Per run it measures, through the pages (Django's test client in-process, DEBUG off, as in production):

- compose: POST "Check and send" on /announcements/new/ (validate, save the draft, count: open_check);
- check page: GET /mail/check/<pk>/ (recount, who is left out, the first recipient's mail rendered);
- frame: GET the check page's HTML part (the preview's iframe);
- confirm: POST confirm (recount, compare, queue the mailing with one delivery per recipient, mark it sent),
  until the response: issue 15's "queued in under 2 s from the confirm click";

and, as parts of those, the audience alone (people_of + screen; the links are signed at confirm) and the signing
alone. It prints each run and the medians; targets: check page < 1 s, confirm < 2 s.
"""

import argparse
import os
import statistics
import time
from pathlib import Path

# The same database and Django setup as the mailing benchmark (this directory is on sys.path when run as a script).
from mailing import ensure_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_announcements"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
COORDINATOR = "bench-coordinator@bench.example"
SUBJECT = "Benchmark: de bijeenkomst verhuist"


def reader_email(i):
    return f"bench-reader-{i:05d}@bench.example"


def ensure_people(count):
    """The coalition, its outer-circle organisation with `count` approved members, and a regional coordinator."""
    from django.contrib.auth.hashers import make_password  # noqa: PLC0415 — after django.setup()
    from django.contrib.auth.models import Group  # noqa: PLC0415 — after django.setup()

    from coalition.roles import COORDINATOR as COORDINATOR_ROLE  # noqa: PLC0415 — after django.setup()
    from members.models import Organisation, Profile, User  # noqa: PLC0415 — after django.setup()
    from network.models import Circle, Coalition, Partnership  # noqa: PLC0415 — after django.setup()

    coalition, _created = Coalition.objects.get_or_create(slug="benchcoalitie", defaults={"name": "Benchcoalitie"})
    organisation, _created = Organisation.objects.get_or_create(
        slug="bench-buitenkring", defaults={"name": "Bench buitenkring", "discipline": "midwifery"}
    )
    Partnership.objects.get_or_create(coalition=coalition, organisation=organisation, defaults={"circle": Circle.OUTER})
    emails = [reader_email(i) for i in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    missing = [email for email in emails if email not in existing]
    if missing:
        password = make_password(None)
        User.objects.bulk_create([User(email=email, password=password) for email in missing], batch_size=1000)
        Profile.objects.bulk_create(
            [
                Profile(
                    user=user,
                    first_name="Lezer",
                    last_name=user.email.split("@")[0],
                    discipline="midwifery",
                    organisation=organisation,
                    status=Profile.Status.APPROVED,
                )
                for user in User.objects.filter(email__in=missing).order_by("pk")
            ],
            batch_size=1000,
        )
        print(f"created {len(missing)} members")
    coordinator, created = User.objects.get_or_create(
        email=COORDINATOR, defaults={"first_name": "Bench", "last_name": "Coördinator"}
    )
    if created:
        coordinator.groups.add(Group.objects.get(name=COORDINATOR_ROLE))
        Profile.objects.create(user=coordinator, first_name="Bench", last_name="Coördinator", status="approved")
    return coalition, coordinator


def delete_earlier_runs():
    from announcements.models import Announcement  # noqa: PLC0415 — after django.setup()
    from coalition.models import MailCheck, Mailing  # noqa: PLC0415 — after django.setup()

    mailings = list(Announcement.objects.filter(subject=SUBJECT).values_list("mailing_id", flat=True))
    Announcement.objects.filter(subject=SUBJECT).delete()
    MailCheck.objects.filter(kind="announcements.announcement", created_by__email=COORDINATOR).delete()
    Mailing.objects.filter(pk__in=[pk for pk in mailings if pk]).delete()


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def run(client, coalition, recipients):
    from django.urls import reverse  # noqa: PLC0415 — after django.setup()

    from announcements.mailings import TOPIC, AnnouncementMail  # noqa: PLC0415 — after django.setup()
    from announcements.models import Announcement  # noqa: PLC0415 — after django.setup()
    from coalition import checkstep  # noqa: PLC0415 — after django.setup()
    from coalition.models import Delivery, MailCheck  # noqa: PLC0415 — after django.setup()

    delete_earlier_runs()
    data = {
        "subject": SUBJECT,
        "body": "De bijeenkomst is in **Wijkcentrum De Brug**.\n\n- zelfde tijd\n- parkeren achter",
        "cta_label": "Bekijk de bijeenkomst",
        "cta_url": "https://example.org/bijeenkomst",
        "segment-coalitions": [coalition.pk],
        "segment-circle": "outer",
        "action": "check",
    }
    response, compose = timed(client.post, reverse("announcements:announcement_new"), data)
    assert response.status_code == 302, response.status_code
    check = MailCheck.objects.latest("pk")
    assert check.recipient_count == recipients, check.recipient_count
    response, page = timed(client.get, check.get_absolute_url())
    assert response.status_code == 200, response.status_code
    response, frame = timed(client.get, reverse("mail_check_frame", args=[check.pk]))
    assert response.status_code == 200, response.status_code
    mass = AnnouncementMail(check.params)
    _audience, audience = timed(mass.audience)
    addresses = [reader_email(i) for i in range(recipients)]
    _tokens, signing = timed(lambda: [checkstep.unsubscribe_token(a, TOPIC) for a in addresses])
    response, confirm = timed(
        client.post, check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint}
    )
    assert response.status_code == 302, response.status_code
    announcement = Announcement.objects.get(subject=SUBJECT)
    queued = Delivery.objects.filter(mailing=announcement.mailing).count()
    assert queued == recipients and announcement.recipient_count == recipients, (queued, announcement.recipient_count)
    return {
        "compose": compose,
        "check page": page,
        "frame": frame,
        "confirm": confirm,
        "audience": audience,
        "signing": signing,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-announcements-" + "k" * 50)
    os.environ["SITE_URL"] = "http://127.0.0.1:8599"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()

    from django.conf import settings  # noqa: PLC0415 — after django.setup()
    from django.test import Client  # noqa: PLC0415 — after django.setup()

    from coalition.celery import app  # noqa: PLC0415 — settings are read from the environment set just above

    # The pages' static links without a collected manifest (DEBUG off would ask for one): not what is measured.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    coalition, coordinator = ensure_people(args.recipients)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(coordinator)
    columns = ["compose", "check page", "frame", "confirm", "audience", "signing"]
    print(f"announcement to {args.recipients} people; seconds (targets: check page < 1, confirm < 2)")
    print(" ".join(f"{name:>11}" for name in ["run", *columns]))
    results = []
    try:
        for number in range(1, args.runs + 1):
            figures = run(client, coalition, args.recipients)
            results.append(figures)
            print(" ".join([f"{number:>11}", *(f"{figures[name]:>11.3f}" for name in columns)]), flush=True)
    finally:
        app.control.purge()
    print(" ".join([f"{'median':>11}", *(f"{statistics.median(r[n] for r in results):>11.3f}" for n in columns)]))
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
