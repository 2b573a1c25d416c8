"""In-process timing and profile of the portal's pages against a bare view, as production renders them.

Usage (on a copy of a seeded database, never the seed itself):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_h2_10k REDIS_URL=redis://127.0.0.1:6379/2 \
    .venv/bin/python bench/profile_page.py [--seconds 3] [--page directory] [--profile] [--as member]

Runs with DEBUG off (cached template loader, manifest static storage from a private STATIC_ROOT that it
collects once), through the full middleware, with Django's test client. For each page it prints requests/s,
the ratio to a view returning "ok" through the same middleware (measured right before it), queries and
templates rendered per request. --profile prints the cProfile of one page. Figures are ratios in one run:
the machine is shared, absolute times mean little. bench/pages.py (gunicorn + wrk) is the reference.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STATIC_ROOT = Path(os.environ.get("PROFILE_STATIC_ROOT", ROOT / "var" / "profile-static"))

os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "profile-page-" + "x" * 60)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

# Settings = the portal's own, with a private STATIC_ROOT and a URLconf that adds the bare view and a page of
# 25 static rows inside base.html.
settings_module = types.ModuleType("profile_page_settings")
exec("from coalition.settings import *", settings_module.__dict__)  # noqa: S102
settings_module.STATIC_ROOT = STATIC_ROOT
settings_module.ROOT_URLCONF = "profile_page_urls"
sys.modules["profile_page_settings"] = settings_module
os.environ["DJANGO_SETTINGS_MODULE"] = "profile_page_settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.signals import template_rendered  # noqa: E402
from django.test.utils import CaptureQueriesContext, instrumented_test_render  # noqa: E402
from django.urls import include, path  # noqa: E402

STATIC_ROWS = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<ul>{% for i in rows %}<li>Row {{ i }}</li>{% endfor %}</ul>'
    "{% endblock %}"
)


def bare(request):
    return HttpResponse("ok")


def static_rows(request):
    return HttpResponse(STATIC_ROWS.render({"rows": range(25)}, request))


urls_module = types.ModuleType("profile_page_urls")
urls_module.urlpatterns = [
    path("__bare__/", bare),
    path("__static_rows__/", static_rows),
    path("", include("coalition.urls")),
]
urls_module.handler403 = "coalition.views.permission_denied"
sys.modules["profile_page_urls"] = urls_module

from events.models import Event  # noqa: E402
from journal.models import Edition, Story  # noqa: E402
from members.models import Organisation, User  # noqa: E402
from network.models import Coalition  # noqa: E402

_ = render  # keeps the import for interactive use


def pages():
    edition = Edition.objects.published().order_by("-published_at").first()
    story = Story.objects.filter(edition=edition).first() if edition else None
    event = Event.objects.published().upcoming().first()
    organisation = Organisation.objects.order_by("pk").first()
    coalition = Coalition.objects.order_by("pk").first()
    return {
        "static_rows": "/__static_rows__/",
        "home": "/",
        "directory": "/members/",
        "directory_filtered": "/members/?discipline=midwifery&level=practice",
        "journal": "/journal/",
        "edition": edition.get_absolute_url() if edition else None,
        "story": story.get_absolute_url() if story else None,
        "events": "/events/",
        "event": event.get_absolute_url() if event else None,
        "organisations": "/organisations/",
        "organisation": organisation.get_absolute_url() if organisation else None,
        "offerings": "/offerings/",
        "coalitions": "/coalitions/",
        "coalition": coalition.get_absolute_url() if coalition else None,
        "tips": "/journal/tips/",
        "me": "/members/me/",
    }


def client_for(role):
    client = Client(HTTP_HOST="testserver")
    email = {"member": "member@example.org", "coordinator": "coordinator@example.org"}.get(role)
    if email:
        client.force_login(User.objects.get(email=email))
    return client


def rate(client, url, seconds):
    """(requests per second, CPU seconds of this process per request) of `url` over about `seconds`."""
    response = client.get(url, secure=True)
    if response.status_code != 200:
        return None, None
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < seconds:
        client.get(url, secure=True)
        count += 1
    return count / elapsed, (time.process_time() - cpu) / count


def census(client, url):
    """Queries and templates of one request."""
    templates = []

    def record(sender, template, context, **kwargs):
        templates.append(template.name)

    original = django.template.Template._render
    django.template.Template._render = instrumented_test_render
    template_rendered.connect(record)
    try:
        with CaptureQueriesContext(connection) as queries:
            client.get(url, secure=True)
    finally:
        template_rendered.disconnect(record)
        django.template.Template._render = original
    return len(queries), len(templates), queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--page", action="append", help="only these pages (repeatable)")
    parser.add_argument("--as", dest="role", default="member", choices=["member", "coordinator", "visitor"])
    parser.add_argument("--profile", action="store_true", help="cProfile the pages instead of timing them")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL")
    args = parser.parse_args()
    if not (STATIC_ROOT / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    client = client_for(args.role)
    selected = {name: url for name, url in pages().items() if url and (not args.page or name in args.page)}
    print(f"load average {os.getloadavg()}, as {args.role}")
    if args.profile:
        for name, url in selected.items():
            client.get(url, secure=True)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(50):
                client.get(url, secure=True)
            profiler.disable()
            print(f"=== {name} {url} (50 requests)")
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("LINES", "45")))
        return
    print(
        f"{'page':<20} {'req/s':>7} {'bare/s':>7} {'ratio':>6} {'cpu ms':>7} {'bare ms':>7} {'cpu ratio':>9} "
        f"{'queries':>7} {'templates':>9}"
    )
    for name, url in selected.items():
        # The bare view right before and right after the page: the machine is shared, its speed drifts.
        bare_before, cpu_before = rate(client, "/__bare__/", args.seconds / 4)
        page_rate, page_cpu = rate(client, url, args.seconds)
        bare_after, cpu_after = rate(client, "/__bare__/", args.seconds / 4)
        if page_rate is None:
            print(f"{name:<20} not shown to {args.role}")
            continue
        bare_rate, bare_cpu = (bare_before + bare_after) / 2, (cpu_before + cpu_after) / 2
        queries, templates, captured = census(client, url)
        print(
            f"{name:<20} {page_rate:>7.1f} {bare_rate:>7.0f} {page_rate / bare_rate:>6.3f} {page_cpu * 1000:>7.2f} "
            f"{bare_cpu * 1000:>7.3f} {bare_cpu / page_cpu:>9.3f} {queries:>7} {templates:>9}"
        )
        if args.queries:
            for query in captured:
                print("   ", query["sql"][:200])
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
