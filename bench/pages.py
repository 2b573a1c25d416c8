"""Every page a visitor, a member and a coordinator open, served as in production, each against a bare view.

Usage:
  .venv/bin/python bench/pages.py                 # 10,000 members, every page, 10 s per run
  .venv/bin/python bench/pages.py --quick         # what `make bench` runs: 1,000 members, 2 s per run
  .venv/bin/python bench/pages.py --members 50000 --pages directory --duration 20

What it does:
1. Makes sure a PostgreSQL database `--database` (default `portal_bench_pages`, `_1k` with --quick, `_50k`
   with 50,000 members) exists with exactly `--members` bench members: creates it when missing, migrates it,
   seeds it (`manage.py seed_demo --members N --organisations 300 --events N/20 --registrations 2N`: 10,000
   members come with 500 past events and 20,000 registrations, checked in and with feedback, for the cockpit's
   impact page) and analyses it when the number of members is not right or bench events are missing (it never
   drops a database whose name does not start with `portal_bench`). The server comes
   from DATABASE_URL (its host, port and user; the database name is replaced), default
   postgres://postgres@127.0.0.1:5432. `--clone-from DB` creates a missing database as a copy of DB.
2. Collects the static files into `var/bench-static` and serves the portal as in production: gunicorn, two
   sync workers, `DEBUG=false`, `--no-control-socket`, on a free port (or `--port`), with
   DJANGO_SETTINGS_MODULE=bench.pages_settings: the portal's settings plus a bare view and a page of 25 static
   rows in base.html (bench/pages_urls.py), and a query counter that only answers requests asking for it
   (bench/pages_middleware.py). REDIS_URL is passed on when set (cache and broker as in production).
3. Logs in by creating sessions (member@example.org, coordinator@example.org; the visitor has none) and sends
   every request with `X-Forwarded-Proto: https`, as the reverse proxy in front of the portal does.
4. For each page: one request with `X-Bench-Count-Queries: 1` gives the status (it must be 200) and the
   number of SQL statements the server ran for it (all middleware included); a few requests warm both
   workers; then `wrk` (or, when wrk is missing, a small Python client with processes and threads) loads the
   bare view with the same cookies for `--duration` seconds, and right after it the page.
   It prints requests/s, the ratio to that bare view, p50 and p99 latency, queries per request and the
   1-minute load average at the end of the run.

A page that gives no answer within 60 s is reported as such, and the run goes on with the next page once the
workers have worked off what was queued (the bare view answers again).

The machine is shared: read the ratios, not the absolute figures, and repeat a run before believing it.
While others edit the working tree, measure a snapshot: `--worktree HEAD` runs the bench in a git worktree of
that commit under /tmp (sharing .venv and node_modules), so nobody's half-made edit is served during a run.
`make bench-tools` installs wrk (apt-get) when it is missing.
"""

import argparse
import contextlib
import http.client
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))  # the portal and bench.pages_settings import from the project root
BARE = "/__bench__/ok"  # bench/pages_urls.py
STATIC_ROWS = "/__bench__/static-rows"
SETTINGS = "bench.pages_settings"
MEMBER, COORDINATOR = "member@example.org", "coordinator@example.org"
EVENT, PAST_EVENT, OPEN_EVENT = "workshop-vroegsignalering", "workshop-mentale-gezondheid-2", "presentatie-geldzorgen"
PROGRAMME_EVENT, GUEST_EVENT = "regionale-online-bijeenkomst-projectleiders", "werkbezoek-kraamzorg"


@dataclass(frozen=True)
class Page:
    label: str
    role: str  # visitor, member or coordinator
    name: str  # the URL pattern's name (checked by coalition/tests/test_bench_pages.py)
    address: object  # a function of the demo objects (Demo below) returning the path


def _r(name, *args, query=""):
    """An address: reverse(name, args) once Django is set up, plus a query string."""
    return lambda demo: demo.reverse(name, *[arg(demo) if callable(arg) else arg for arg in args]) + query


def P(label, role, name, *args, query="", address=None):  # a row of the table below
    return Page(label, role, name, address or _r(name, *args, query=query))


ORG, EDITION, STORY, PROFILE = (
    (lambda d: d.organisation),
    (lambda d: d.edition),
    (lambda d: d.story),
    (lambda d: d.profile),
)
DIRECTORY = "members:profile_list"

# Every page a person opens, as each role that opens it. The directory searches: two common ones, a rare one,
# a typo and a filter combination.
PAGES = [
    # A visitor (not logged in)
    P("home", "visitor", "home"),
    P("privacy", "visitor", "privacy"),
    P("accessibility", "visitor", "accessibility"),
    P("login", "visitor", "account_login"),
    P("signup", "visitor", "account_signup"),
    P("organisations", "visitor", "members:organisation_list"),
    P("organisation", "visitor", "members:organisation_detail", ORG),
    P("offerings", "visitor", "members:offering_list"),
    P("offerings search", "visitor", "members:offering_list", query="?q=kraamzorg"),
    P("offerings print", "visitor", "members:offering_print", query="?life_phase=birth"),
    P("offering confirm", "visitor", "members:offering_confirm", address=lambda d: d.offering_confirm),
    P("coalitions", "visitor", "network:coalition_list"),
    P("coalition", "visitor", "network:coalition_detail", "borsele"),
    P("journal", "visitor", "journal:edition_list"),
    P("edition", "visitor", "journal:edition_detail", EDITION),
    P("story", "visitor", "journal:story_detail", EDITION, STORY),
    P("tip form", "visitor", "journal:tip_create"),
    P("tip thanks", "visitor", "journal:tip_thanks"),
    P("subscribe", "visitor", "journal:subscribe"),
    P("subscribe done", "visitor", "journal:subscribe_done"),
    P("subscription confirm", "visitor", "journal:confirm", "bench"),  # its GET only asks; it reads no token
    P("journal unsubscribe", "visitor", "journal:unsubscribe", address=lambda d: d.journal_unsubscribe),
    P("events feed", "visitor", "events:feed"),
    P("event series", "visitor", "events:series_detail", "halfjaarlijkse-partnerbijeenkomst"),
    P("event series feed", "visitor", "events:series_feed", "halfjaarlijkse-partnerbijeenkomst"),
    P("mail unsubscribe", "visitor", "mail_unsubscribe", address=lambda d: d.mail_unsubscribe),
    P("group mail stop", "visitor", "groups:stop_notifications", address=lambda d: d.group_stop),
    P("mail preferences link", "visitor", "mail_preferences_link", address=lambda d: d.mail_preferences_link),
    P("events", "visitor", "events:event_list"),
    P("past events", "visitor", "events:past_events"),
    P("event", "visitor", "events:event_detail", EVENT),
    P("invitation", "visitor", "events:invitation_answer", address=lambda d: d.invitation),
    P("events opt-out", "visitor", "events:opt_out", address=lambda d: d.opt_out),
    P("certificate verification form", "visitor", "events:certificate_verify_form"),
    P("guest register form", "visitor", "events:guest_register", GUEST_EVENT),
    P("guest registration", "visitor", "events:guest_registration", address=lambda d: d.guest_registration),
    P("guest cancel", "visitor", "events:guest_cancel", address=lambda d: d.guest_cancel),
    P("survey by link", "visitor", "surveys:answer_by_link", lambda d: d.survey_link),
    P("certificate verification", "visitor", "events:certificate_verify", address=lambda d: d.certificate_verify),
    P("confirm details", "visitor", "members:confirm_details", address=lambda d: d.confirm_details),
    # A member
    P("home", "member", "home"),
    P("directory", "member", DIRECTORY),
    P("directory page 2", "member", DIRECTORY, query="?page=2"),
    P("search verloskundige", "member", DIRECTORY, query="?q=verloskundige"),
    P("search kraamzorg borsele", "member", DIRECTORY, query="?q=kraamzorg+borsele"),
    P("search rare (joelle)", "member", DIRECTORY, query="?q=joelle"),
    P("search typo", "member", DIRECTORY, query="?q=schuldhulpverlner"),
    P("directory filter", "member", DIRECTORY, address=lambda d: d.reverse(DIRECTORY) + d.filter_query),
    P("profile", "member", "members:profile_detail", PROFILE),
    P("my profile", "member", "members:me"),
    P("my page as others see it", "member", "members:me_preview"),
    P("my data", "member", "members:me_data"),
    P("delete my account", "member", "members:me_delete"),
    P("organisations", "member", "members:organisation_list"),
    P("organisation", "member", "members:organisation_detail", ORG),
    P("offerings", "member", "members:offering_list"),
    P("offerings search", "member", "members:offering_list", query="?q=borstvoeding"),
    P("coalitions", "member", "network:coalition_list"),
    P("coalition", "member", "network:coalition_detail", "borsele"),
    P("groups", "member", "groups:group_list"),
    P("group", "member", "groups:group_detail", lambda d: d.group),
    P("join a group", "member", "groups:join", lambda d: d.working_group),
    P("leave a group", "member", "groups:leave", lambda d: d.group),
    P("group actions", "member", "groups:action_list", lambda d: d.group),
    P("group actions, all", "member", "groups:action_list", lambda d: d.group, query="?status=all"),
    P("group action", "member", "groups:action_detail", lambda d: d.group, lambda d: d.group_action),
    P("new group action", "member", "groups:action_create", lambda d: d.group),
    P("group documents", "member", "groups:document_list", lambda d: d.group),
    P("share a document", "member", "groups:document_upload", lambda d: d.group),
    P("MDO case form", "member", "events:case_new", lambda d: d.mdo_meeting),
    P("signals", "member", "signals:signal_list"),
    P("signals search", "member", "signals:signal_list", query="?q=schulden"),
    P("signal", "member", "signals:signal_detail", "zorgmijding"),
    P("signal card", "member", "signals:card", "huiselijk-geweld", "goes"),
    P("signal card coalition", "member", "signals:card", "geldzorgen-en-schulden", "middelburg"),
    P("signal print card", "member", "signals:print", "goes"),
    P("join a coalition", "member", "network:join", "walcheren"),
    P("journal", "member", "journal:edition_list"),
    P("edition", "member", "journal:edition_detail", EDITION),
    P("story", "member", "journal:story_detail", EDITION, STORY),
    P("my subscription", "member", "journal:subscription"),
    P("mail preferences", "member", "mail_preferences"),
    P("announcements", "member", "announcements:announcement_list"),
    P("announcement", "member", "announcements:announcement_detail", lambda d: d.announcement),
    P("events", "member", "events:event_list"),
    P("past events", "member", "events:past_events"),
    P("event", "member", "events:event_detail", EVENT),
    P("register form", "member", "events:register", OPEN_EVENT),
    P("event with a programme", "member", "events:event_detail", PROGRAMME_EVENT),
    P("surveys", "member", "surveys:survey_list"),
    P("survey on the site", "member", "surveys:survey_detail", lambda d: d.survey_on_site),
    P("participants", "member", "events:participants", EVENT),
    P("my registrations", "member", "events:my_registrations"),
    # The regional coordinator
    P("home", "coordinator", "home"),
    P("directory", "coordinator", DIRECTORY),
    P("search verloskundige", "coordinator", DIRECTORY, query="?q=verloskundige"),
    P("pending members", "coordinator", "members:pending"),
    P("profile", "coordinator", "members:profile_detail", PROFILE),
    P("organisation", "coordinator", "members:organisation_detail", ORG),
    P("organisation edit", "coordinator", "members:organisation_edit", ORG),
    P("offering new", "coordinator", "members:offering_create", ORG),
    P("offering edit", "coordinator", "members:offering_edit", lambda d: d.offering[0], lambda d: d.offering[1]),
    P("coalitions", "coordinator", "network:coalition_list"),
    P("coalition", "coordinator", "network:coalition_detail", "borsele"),
    P("groups", "coordinator", "groups:group_list"),
    P("group", "coordinator", "groups:group_detail", lambda d: d.working_group),
    P("group members", "coordinator", "groups:manage_members", lambda d: d.working_group),
    P("delete a document", "coordinator", "groups:document_delete", lambda d: d.working_group, lambda d: d.document),
    P("look back and ahead", "coordinator", "groups:report", "borsele"),
    P("signal card", "coordinator", "signals:card", "geldzorgen-en-schulden", "terneuzen"),
    P("plan a group meeting", "coordinator", "events:plan_group_meeting", lambda d: d.working_group),
    P("meeting notes", "coordinator", "events:meeting_notes", lambda d: d.notes_meeting),
    P("MDO cases", "coordinator", "events:case_list", lambda d: d.mdo_meeting),
    P("MDO advice", "coordinator", "events:case_advice", lambda d: d.mdo_case),
    P("regional overview", "coordinator", "network:regional_overview"),
    P("coalition phase", "coordinator", "network:change_phase", "borsele"),
    P("join requests", "coordinator", "network:join_request_list", "borsele"),
    P("join request", "coordinator", "network:join_request_detail", "borsele", lambda d: d.join_request),
    P("journal", "coordinator", "journal:edition_list"),
    P("editorial desk", "coordinator", "journal:desk"),
    P("tips", "coordinator", "journal:tip_list"),
    P("tip", "coordinator", "journal:tip_detail", lambda d: d.tip),
    P("events", "coordinator", "events:event_list"),
    P("event", "coordinator", "events:event_detail", EVENT),
    P("participants", "coordinator", "events:participants", EVENT),
    P("invite", "coordinator", "events:invite", EVENT),
    P("invitations", "coordinator", "events:invitations", EVENT),
    P("check-in list", "coordinator", "events:check_in_list", EVENT),
    P("results", "coordinator", "events:results", PAST_EVENT),
    P("send materials", "coordinator", "events:send_materials", PAST_EVENT),
    P("send certificates", "coordinator", "events:send_certificates", PAST_EVENT),
    P("breakout sessions", "coordinator", "events:sessions", PROGRAMME_EVENT),
    P("ask what they want to learn", "coordinator", "events:ask_needs", EVENT),
    P("overview before the event", "coordinator", "events:overview", PROGRAMME_EVENT),
    P("surveys I manage", "coordinator", "surveys:manage_list"),
    P("survey follow", "coordinator", "surveys:manage", lambda d: d.survey),
    P("survey send", "coordinator", "surveys:send", lambda d: d.survey),
    P("survey results", "coordinator", "surveys:results", lambda d: d.survey),
    P("survey results by coalition", "coordinator", "surveys:results", lambda d: d.survey, query="?by=coalition"),
    P("cancel event", "coordinator", "events:cancel_event", EVENT),
    P("mailings", "coordinator", "events:mailings", EVENT),
    P("message to participants", "coordinator", "events:message", EVENT),
    P("event series", "coordinator", "events:series_detail", "halfjaarlijkse-partnerbijeenkomst"),
    P("announcements", "coordinator", "announcements:announcement_list"),
    P("new announcement", "coordinator", "announcements:announcement_new"),
    P("announcement", "coordinator", "announcements:announcement_detail", lambda d: d.announcement),
    P("announcement edit", "coordinator", "announcements:announcement_edit", lambda d: d.draft_announcement),
    P("cockpit", "coordinator", "cockpit:todo"),
    P("impact", "coordinator", "cockpit:impact"),
    P("impact, one coalition", "coordinator", "cockpit:impact", query="?coalition=borsele"),
]

# The quick run (`make bench`): the pages the issue names, as the member and the visitor.
QUICK = {
    ("member", label)
    for label in (
        "home", "directory", "search verloskundige", "search kraamzorg borsele", "search rare (joelle)",
        "search typo", "directory filter", "profile", "organisations", "organisation", "offerings", "coalitions",
        "coalition", "journal", "edition", "story", "events", "event", "my registrations", "my profile",
    )
} | {("visitor", "home"), ("visitor", "journal"), ("visitor", "events"), ("coordinator", "directory")}  # fmt: skip

# Named URL patterns of the portal that are not measured, and why (coalition/tests/test_bench_pages.py checks
# that every other one is in PAGES, so a new page cannot be forgotten).
EXCLUDED = {
    "signals:service_worker": "a script (the signal route's offline copy), not a page",
    "groups:answer_invitation": "a form's POST (accept or decline), redirecting to the group's page",
    "groups:choose_notifications": "a form's POST, redirecting to the group's page",
    "groups:action_status": "a form's POST (one status button), redirecting to the action",
    "groups:document_download": "a download (a private file)",
    "groups:report_pdf": "a download (PDF)",
    "events:send_meeting_notes": "a form's POST that opens the check step (bench/announcements.py measures that)",
    "healthz": "a probe for the load balancer, not a page",
    "mail_bounces": "a webhook for the mail provider (POST, bearer token), not a page",
    "mail_check": "needs a mail composed for the run; bench/announcements.py measures the check step for 10,000",
    "mail_check_frame": "the check page's framed HTML part; measured with it in bench/announcements.py",
    "announcements:attachment": "a download",
    "profile_photo": "a file download (photos)",
    "public_media": "a file download (logos, covers)",
    "members:me_export": "a download (the person's data as JSON)",
    "members:profile_vcard": "a download (vCard)",
    "members:approve": "POST only",
    "members:decline": "POST only",
    "network:regional_overview_csv": "a download (CSV)",
    "network:declaration_pdf": "a download (PDF)",
    "journal:feed": "an RSS feed, not an HTML page",
    "journal:revoke_preview": "POST only",
    "journal:tip_mail": "POST only",
    "journal:preview": "needs a preview link made for the run; renders the edition page's template",
    "journal:preview_story": "needs a preview link made for the run; renders the story page's template",
    "journal:preview_attachment": "a download (PDF)",
    "journal:preview_story_attachment": "a download (PDF)",
    "journal:story_attachment": "a download (PDF)",
    "events:renew_calendar_feed": "POST only",
    "events:calendar_feed": "a calendar file (ics)",
    "events:event_ics": "a calendar file (ics)",
    "events:cancel_registration": "POST only",
    "events:material_download": "a download",
    "events:certificate_download": "a download (PDF)",
    "events:guest_confirm": "needs a pending guest made for the run; confirming is a write (a POST) after it",
    "events:guest_material": "a download",
    "events:feedback": "redirects to the member's own survey answer page, measured as surveys:answer_by_link",
    "events:guest_feedback": "redirects to the guest's own survey answer page, measured as surveys:answer_by_link",
    "events:choose_session": "POST only",
    "surveys:survey_thanks": "a short page after answering; before answering a redirect to the form",
    "surveys:answer_thanks": "a short page after answering by the link; before answering a redirect to the form",
    "surveys:results_csv": "a download (CSV)",
    "events:certificate_signed": "a download (PDF)",
    "announcements:attachment_link": "a download, by a recipient's signed link",
    "events:registrations_csv": "a download (CSV)",
    "cockpit:impact_csv": "a download (CSV); the same figures as the impact page (bench/impact.py times them)",
    "cockpit:impact_pdf": "a download (PDF) of the impact page's figures",
    "cockpit:retry_mailing": "a POST (sends a mailing's failed mails again)",
}


# --- The database --------------------------------------------------------------------------------------------


def server_url(name):
    """DATABASE_URL's server (or the local default) with another database name."""
    parts = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("bench/pages.py needs PostgreSQL: DATABASE_URL must be postgres://… (or unset)")
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def bench_members(url):
    """How many bench members (seed_demo --members) the database holds; None when it has no tables yet."""
    import psycopg  # noqa: PLC0415 — only this helper needs the driver directly, before Django is set up

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as connection:
        try:
            row = connection.execute(
                "SELECT count(*) FROM members_user WHERE email LIKE 'bench%%@example.org'"
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return row[0]


def bench_events(url):
    """How many bench events (seed_demo --events) the database holds."""
    import psycopg  # noqa: PLC0415 — see bench_members

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as connection:
        return connection.execute("SELECT count(*) FROM events_event WHERE slug LIKE 'bench-event-%%'").fetchone()[0]


def ensure_database(name, members, organisations, clone_from=None, events=0, registrations=0):
    import psycopg  # noqa: PLC0415 — see bench_members

    admin = server_url("postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and name.startswith("portal_bench"):
            count = bench_members(server_url(name))
            if count is not None and count > members:
                print(f"{name} holds {count} bench members, not {members}: dropping it", flush=True)
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = False
        if not exists:
            template = f' TEMPLATE "{clone_from}"' if clone_from else ""
            print(f"creating {name}{template}", flush=True)
            for attempt in range(10):
                try:
                    connection.execute(f'CREATE DATABASE "{name}"{template}')
                    break
                except psycopg.errors.ObjectInUse:  # the template is in use by another session: wait
                    if attempt == 9:
                        raise
                    time.sleep(3)
    env = {**os.environ, "DATABASE_URL": server_url(name), "DEBUG": "true"}
    env.pop("REDIS_URL", None)  # seeding runs no tasks that need the broker
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    count = bench_members(server_url(name))
    if count != members or bench_events(server_url(name)) < events:
        print(
            f"seeding {name}: {members} members, {organisations} organisations, {events} past events with "
            f"{registrations} registrations (takes a while)",
            flush=True,
        )
        sizes = {"--members": members, "--organisations": organisations, "--events": events}
        sizes["--registrations"] = registrations
        subprocess.run(
            [*manage, "seed_demo", *[str(part) for option in sizes.items() for part in option]],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        with psycopg.connect(server_url(name).replace("postgres://", "postgresql://", 1), autocommit=True) as c:
            c.execute("ANALYZE")  # what autovacuum does soon after a bulk load
    return server_url(name)


# --- The demo objects the addresses need ---------------------------------------------------------------------


class Demo:
    """The slugs, keys and signed links of the seeded demo data that the pages' addresses use."""

    def __init__(self):
        # Django must be set up first (main() does it): these imports read the settings.
        from django.urls import reverse  # noqa: PLC0415 — needs django.setup()

        from announcements.models import Announcement  # noqa: PLC0415 — needs django.setup()
        from coalition import checkstep  # noqa: PLC0415 — needs django.setup()
        from coalition.views import preferences_token  # noqa: PLC0415 — needs django.setup()
        from events import certificates, group_meetings_demo  # noqa: PLC0415 — needs django.setup()
        from events import demo as events_demo  # noqa: PLC0415 — needs django.setup()
        from events import services as event_services  # noqa: PLC0415 — needs django.setup()
        from events.models import Case, Invitation, Registration  # noqa: PLC0415 — needs django.setup()
        from groups import demo as groups_demo  # noqa: PLC0415 — needs django.setup()
        from groups import services as group_services  # noqa: PLC0415 — needs django.setup()
        from groups.models import Action, Document, Membership  # noqa: PLC0415 — needs django.setup()
        from journal.models import Edition, Subscriber, Tip  # noqa: PLC0415 — needs django.setup()
        from members import services as member_services  # noqa: PLC0415 — needs django.setup()
        from members.models import Municipality, Offering, Organisation, Profile  # noqa: PLC0415 — needs django.setup()
        from network.models import JoinRequest  # noqa: PLC0415 — needs django.setup()
        from surveys.models import Participant, Survey  # noqa: PLC0415 — needs django.setup()

        self.reverse = lambda name, *args: reverse(name, args=args)
        path = lambda url: urlsplit(url).path  # noqa: E731
        # The first demo organisation with offerings: its page shows the most of what an organisation page holds.
        self.organisation = (
            Organisation.objects.exclude(slug__startswith="bench-")
            .filter(offerings__isnull=False)
            .distinct()
            .order_by("name", "pk")[0]
            .slug
        )
        edition = Edition.objects.published().order_by("-published_at", "pk")[0]
        self.edition, self.story = edition.slug, edition.stories.order_by("pk")[0].slug
        self.profile = (
            Profile.objects.approved().exclude(user__email__endswith="@example.org").order_by("pk")[0].pk
            if Profile.objects.approved().exclude(user__email__endswith="@example.org").exists()
            else Profile.objects.approved().order_by("pk")[0].pk
        )
        self.filter_query = f"?discipline=maternity_care&municipality={Municipality.objects.get(slug='borsele').pk}"
        offering = Offering.objects.select_related("organisation").order_by("pk")[0]
        self.offering_confirm = reverse(
            "members:offering_confirm", args=[member_services.offering_confirmation_token(offering)]
        )
        self.offering = (offering.organisation.slug, offering.pk)
        self.join_request = JoinRequest.objects.filter(coalition__slug="borsele").order_by("pk")[0].pk
        self.tip = Tip.objects.order_by("pk")[0].pk
        invitation = Invitation.objects.filter(event__slug=EVENT).first() or Invitation.objects.order_by("pk")[0]
        self.invitation = path(event_services.answer_url(invitation, Invitation.Answer.COMING))
        self.opt_out = path(event_services.opt_out_url(MEMBER))
        attended = Registration.objects.get(event__slug=PAST_EVENT, profile__user__email=MEMBER)
        code = event_services.issue_certificate(attended).certificate_code
        self.certificate_verify = reverse("events:certificate_verify", args=[certificates.grouped(code)])
        guest = Registration.objects.get(email=events_demo.MINISTRY_GUEST["email"])
        self.guest_registration = path(event_services.guest_url(guest))
        self.guest_cancel = path(event_services.guest_url(guest, "cancel"))
        open_surveys = Survey.objects.open()
        self.survey = Survey.objects.filter(kind=Survey.Kind.NEEDS).order_by("pk")[0].slug
        self.survey_on_site = open_surveys.filter(open_on_site=True).order_by("pk")[0].slug
        unanswered = Participant.objects.filter(survey__in=open_surveys, answered_at__isnull=True)
        self.survey_link = unanswered.order_by("pk")[0].token
        self.confirm_details = reverse(
            "members:confirm_details",
            args=[member_services.confirmation_token(Profile.objects.get(user__email=MEMBER))],
        )
        subscriber = Subscriber.objects.order_by("pk")[0]
        self.journal_unsubscribe = path(subscriber.unsubscribe_url("journal"))
        self.mail_unsubscribe = path(checkstep.unsubscribe_url(MEMBER, "announcements"))
        self.mail_preferences_link = reverse("mail_preferences_link", args=[preferences_token(MEMBER)])
        sent = Announcement.objects.filter(sent_at__isnull=False, coalition__isnull=True).order_by("pk")
        self.announcement = sent[0].pk
        self.draft_announcement = Announcement.objects.filter(sent_at__isnull=True).order_by("pk")[0].pk
        # Groups: the member is on Walcheren's sounding board and in Borsele's MDO, not in its working groups.
        self.group, self.working_group = groups_demo.SOUNDING_BOARD, groups_demo.EARLY_SIGNALLING
        self.group_action = Action.objects.filter(group__slug=self.group).order_by("pk")[0].pk
        self.document = Document.objects.filter(group__slug=self.working_group).order_by("pk")[0].pk
        self.notes_meeting, self.mdo_meeting = group_meetings_demo.NOTES_MEETING, group_meetings_demo.MDO_MEETING
        self.mdo_case = Case.objects.filter(event__slug=self.mdo_meeting).order_by("pk")[0].pk
        membership = Membership.objects.get(group__slug=self.group, profile__user__email=MEMBER)
        self.group_stop = path(group_services.stop_url(membership.profile_id, [membership.group_id]))

    @staticmethod
    def session_cookies():
        """{role: Cookie header} with a fresh session for each logged-in role."""
        from django.conf import settings  # noqa: PLC0415 — needs django.setup()
        from django.test import Client  # noqa: PLC0415 — needs django.setup()

        from members.models import User  # noqa: PLC0415 — needs django.setup()

        cookies = {"visitor": ""}
        for role, email in (("member", MEMBER), ("coordinator", COORDINATOR)):
            client = Client()
            client.force_login(User.objects.get(email=email))
            cookies[role] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        return cookies


# --- The server ----------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url, port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "BENCH_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    return env


@contextlib.contextmanager
def gunicorn(env, port, workers):
    log = ROOT / "var" / f"bench-pages-gunicorn-{port}.log"
    command = [
        str(Path(PYTHON).parent / "gunicorn"), "coalition.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--no-control-socket",
        "--chdir", str(ROOT), "--log-level", "warning", "--error-logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    try:
        for _ in range(300):
            if process.poll() is not None:
                sys.exit(f"gunicorn stopped at start; see {log}")
            with contextlib.suppress(OSError):
                status, _headers = fetch(port, BARE, {})
                if status == 200:
                    break
            time.sleep(0.1)
        else:
            sys.exit(f"gunicorn did not answer; see {log}")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # our own process group (start_new_session): gunicorn and workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


FETCH_TIMEOUT = 60  # seconds a single request may take


def fetch(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=FETCH_TIMEOUT)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https", **headers})
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def wait_until_idle(port, headers, *, patience=900):
    """Until the bare view answers again within the timeout (the workers have worked off what was queued)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            fetch(port, BARE, headers)
        except TimeoutError:
            continue
        return
    sys.exit(f"the server did not answer the bare view for {patience} s")


# --- Load ----------------------------------------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(port, path, headers, duration, connections):
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{duration}s", "--latency"]
    command += ["--timeout", "30s"]
    for name, value in {"X-Forwarded-Proto": "https", **headers}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    if not re.search(r"Requests/sec:", output) or not re.search(r"^\s+99%", output, re.MULTILINE):
        sys.exit(f"wrk measured nothing at {path}:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return rps, p50, p99, int(bad.group(1)) if bad else 0, errors.group(0) if errors else ""


def _client_process(port, path, headers, deadline, threads, queue):
    latencies, failures = [], 0
    lock = threading.Lock()

    def loop():
        nonlocal failures
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                status, _ = fetch(port, path, headers)
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                failures += status != 200

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((latencies, failures))


def python_load(port, path, headers, duration, connections):
    """The fallback when wrk is missing: 2 processes × connections/2 threads, one request at a time each."""
    processes = min(2, connections)
    queue = multiprocessing.Queue()
    start = time.monotonic()
    deadline = start + duration
    children = [
        multiprocessing.Process(
            target=_client_process, args=(port, path, headers, deadline, connections // processes, queue)
        )
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    results = [queue.get() for _ in children]
    for child in children:
        child.join()
    elapsed = time.monotonic() - start
    latencies = sorted(latency for part, _ in results for latency in part)
    failures = sum(failed for _, failed in results)
    if not latencies:
        return 0.0, 0.0, 0.0, failures, ""
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies), p99, failures, ""


# --- Main ----------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, help="bench members in the database (default 10000, --quick 1000)")
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--events", type=int, help="past bench events with check-ins (default: members / 20)")
    parser.add_argument("--registrations", type=int, help="registrations over those events (default: members × 2)")
    parser.add_argument("--database", help="database name (default portal_bench_pages[_1k|_50k])")
    parser.add_argument("--clone-from", help="create a missing database as a copy of this one (CREATE … TEMPLATE)")
    parser.add_argument("--quick", action="store_true", help="1,000 members, 2 s runs, the main pages (make bench)")
    parser.add_argument("--duration", type=int, help="seconds per run (default 10, --quick 2)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--pages", action="append", default=[], help="only pages whose label contains this")
    parser.add_argument("--role", action="append", default=[], help="only this role (visitor, member, coordinator)")
    parser.add_argument("--client", choices=["wrk", "python"], help="default: wrk when installed")
    parser.add_argument("--worktree", metavar="REV", help="measure a snapshot of REV (e.g. HEAD) in a git worktree")
    args = parser.parse_args(argv)
    args.members = args.members if args.members is not None else (1000 if args.quick else 10000)
    args.duration = args.duration or (2 if args.quick else 10)
    # 10,000 members: 500 events and 20,000 registrations, the impact page's size in issue 20.
    args.events = args.events if args.events is not None else args.members // 20
    args.registrations = args.registrations if args.registrations is not None else args.members * 2
    if not args.database:
        suffix = {1000: "_1k", 10000: "", 50000: "_50k"}.get(args.members, f"_{args.members}")
        args.database = f"portal_bench_pages{suffix}"
    return args


def selected(args):
    pages = [page for page in PAGES if not args.quick or (page.role, page.label) in QUICK]
    if args.pages:
        pages = [page for page in pages if any(part.lower() in page.label.lower() for part in args.pages)]
    if args.role:
        pages = [page for page in pages if page.role in args.role]
    return pages


def git_commit():
    def git(*command):
        return subprocess.run(["git", *command], capture_output=True, text=True, cwd=ROOT).stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" (+ uncommitted changes)" if changed else "")


def run_in_worktree(revision, argv):
    """Run this bench on a snapshot of `revision` (a git worktree under /tmp), not on a working tree that others
    are editing: the server reads templates and code lazily, so edits made during a run would be measured (or
    break pages) halfway. The worktree shares this checkout's .venv and node_modules."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", revision], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"portal-bench-{commit}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True)
        for shared in (".venv", "node_modules"):
            (tree / shared).symlink_to(ROOT / shared)
        catalogue = tree / "locale" / "nl" / "LC_MESSAGES"
        subprocess.run(["msgfmt", "-o", catalogue / "django.mo", catalogue / "django.po"], check=True)
    if not (tree / "bench" / "pages.py").exists():  # a commit from before the bench: bring it along
        for name in ("pages.py", "pages_settings.py", "pages_urls.py", "pages_middleware.py"):
            shutil.copy(ROOT / "bench" / name, tree / "bench" / name)
    rest = [arg for i, arg in enumerate(argv) if arg != "--worktree" and (i == 0 or argv[i - 1] != "--worktree")]
    rest = [arg for arg in rest if not arg.startswith("--worktree=")]
    os.chdir(tree)
    os.execv(PYTHON, [PYTHON, str(tree / "bench" / "pages.py"), *rest])  # noqa: S606 — no shell, fixed argv


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.worktree:
        run_in_worktree(args.worktree, argv)
    # Celery puts the working directory on sys.path while Django sets up: it must be the tree being measured.
    os.chdir(ROOT)
    (ROOT / "var").mkdir(exist_ok=True)
    # Stopped with SIGTERM: leave through the `finally` that stops the server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))
    client = args.client or ("wrk" if shutil.which("wrk") else "python")
    load = wrk if client == "wrk" else python_load
    database_url = ensure_database(
        args.database, args.members, args.organisations, args.clone_from, args.events, args.registrations
    )
    port = args.port or free_port()
    env = server_env(database_url, port)
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT
    )
    os.environ.update(env)
    import django  # noqa: PLC0415 — the settings come from the environment this function builds

    django.setup()
    demo, cookies = Demo(), Demo.session_cookies()
    pages = selected(args)
    print(
        f"commit {git_commit()} · {args.database}: {args.members} bench members, {args.events} bench events · "
        f"gunicorn {args.workers} workers, "
        f"DEBUG off · {client} -c{args.connections}, {args.duration} s per run · load {os.getloadavg()[0]:.2f}"
    )
    print("each page runs right after the bare view (a view answering 'ok' through the same middleware, same cookies)")
    header = f"{'page':<26} {'as':<11} {'req/s':>8} {'bare/s':>8} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8}"
    header += f" {'queries':>7} {'load':>5}"
    print(header)
    print("-" * len(header))
    with gunicorn(env, port, args.workers):
        for label, role, path in [("static rows (base.html)", "member", STATIC_ROWS)] + [
            (page.label, page.role, page.address(demo)) for page in pages
        ]:
            headers = {"Cookie": cookies[role]} if cookies[role] else {}
            try:
                status, answer = fetch(port, path, {**headers, "X-Bench-Count-Queries": "1"})
                if status != 200:
                    print(f"{label:<26} {role:<11} answered {status} at {path}", flush=True)
                    continue
                queries = answer.get("X-Bench-Queries", "?")
                for _ in range(2 * args.workers):  # every worker has rendered the page once
                    fetch(port, path, headers)
            except TimeoutError:
                # The page, or the requests of the previous page's load still queued, took longer than a minute:
                # say so, let the workers finish them, and measure the next page on an idle server.
                print(f"{label:<26} {role:<11} no answer within {FETCH_TIMEOUT} s at {path}", flush=True)
                wait_until_idle(port, headers)
                continue
            bare_rps = load(port, BARE, headers, args.duration, args.connections)[0]
            rps, p50, p99, failures, errors = load(port, path, headers, args.duration, args.connections)
            note = f"  {failures} non-2xx" if failures else ""
            note += "  no request finished within the run" if not rps else ""
            note += f"  {errors}" if errors else ""
            print(
                f"{label:<26} {role:<11} {rps:>8.1f} {bare_rps:>8.1f} {rps / bare_rps:>7.3f} {p50:>8.1f} {p99:>8.1f} "
                f"{queries:>7} {os.getloadavg()[0]:>5.2f}{note}",
                flush=True,
            )


if __name__ == "__main__":
    main()
