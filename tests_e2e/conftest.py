"""Browser fixtures: Debian's Chromium through Playwright against the live server, with axe, screenshots and guards."""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# beside it are still plain synchronous calls, so Django's async-safety check does not apply.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache

from coalition.celery import app
from coalition.roles import sync_roles
from members.models import Profile

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium calls Google hosts on start-up, which this
# machine refuses and a privacy-minded portal test must not do anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BASE_DIR = Path(__file__).resolve().parent.parent
SCREENSHOT_DIR = BASE_DIR / "var" / "screenshots"
FAILURE_DIR = SCREENSHOT_DIR / "failures"
REFLOW_WIDTH = 320
# The widest elements sticking out of the viewport, if the page as a whole scrolls sideways.
REFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return "";
    const describe = el => {
        const classes = typeof el.className === "string" && el.className.trim();
        const id = el.id ? "#" + el.id : "";
        return el.tagName.toLowerCase() + id + (classes ? "." + classes.split(/ +/).join(".") : "");
    };
    const culprits = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (el.closest(".table-responsive") || getComputedStyle(el).position === "fixed") continue;
        const rect = el.getBoundingClientRect();
        const spill = el.scrollWidth - el.clientWidth;  // text wider than its own box (a long word)
        if (rect.right > width + 1) {
            culprits.push(`${describe(el)} (right edge ${Math.round(rect.right)}px)`);
        } else if (spill > 1 && rect.left + el.scrollWidth > width + 1 && !el.children.length) {
            const text = el.textContent.trim().slice(0, 40);
            culprits.push(`${describe(el)} "${text}" (text ${Math.round(spill)}px too wide)`);
        }
    }
    return culprits.slice(-5).join(", ") || `page is ${document.documentElement.scrollWidth}px wide`;
}"""
SCREENSHOT_WIDTHS = (375, 1280)
DESKTOP = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "correct-horse-battery"
# Where the keyboard focus is, and whether a sighted keyboard user can see it (outline or ring).
FOCUS_STOP_JS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow && style.boxShadow !== "none";
    const rect = el.getBoundingClientRect();
    const label = (el.getAttribute("aria-label") || el.innerText || el.name || el.id || "").trim().slice(0, 40);
    return {
        visible: (outline || ring) && rect.width > 0 && rect.height > 0,
        description: `${el.tagName.toLowerCase()} "${label}"`,
    };
}"""
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test here that drives the browser `browser`, and skip those (saying why) without Chromium."""
    skip = None
    if not CHROMIUM.exists():
        skip = pytest.mark.skip(
            reason=f"browser test: Chromium not found at {CHROMIUM} (apt-get install chromium, or set E2E_CHROMIUM)"
        )
    for item in items:
        uses_browser = {"portal", "browser", "page"} & set(getattr(item, "fixturenames", ()))
        if HERE in Path(str(item.path)).resolve().parents and uses_browser:
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


# --- pytest-playwright configured for Debian's Chromium ------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browser here; --headed on the command line still works.
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        # English: the source strings, stable while the Dutch catalogue is still being merged.
        "locale": "en-GB",
        "timezone_id": "Europe/Amsterdam",
        "viewport": DESKTOP,
        "accept_downloads": True,
    }


# --- The portal under test -------------------------------------------------------------------


def format_violations(label, url, violations):
    lines = [f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {label} ({url}):"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation.get('impact')}]: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {target}: {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


class Portal:
    """The live portal as the browser sees it: new visitors, page checks, mail, guards."""

    def __init__(self, live_server, browser, context_args):
        self.url = live_server.url
        self.origin = urlsplit(live_server.url).netloc
        self._browser = browser
        self._context_args = context_args
        self.contexts = []
        self.foreign_requests = []
        self.console_errors = []
        self.checked = []
        self.refused_urls = set()

    # Visitors ---------------------------------------------------------------------------------

    def visitor(self, **context_args):
        """A new browser context (its own cookies) with one page, guarded."""
        context = self._browser.new_context(**{**self._context_args, **context_args})
        self.contexts.append(context)
        context.set_default_timeout(10_000)
        context.route("**/*", self._only_live_server)
        page = context.new_page()
        self.guard(page)
        context.on("page", self.guard)
        return page

    def guard(self, page):
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.console_errors.append(f"{page.url}: uncaught {error}"))

    def _console(self, page, message):
        if message.type != "error":
            return
        # Chromium reports a refused page (403/404) it was sent to on purpose as a console error.
        if message.location.get("url") in self.refused_urls and "status of 4" in message.text:
            return
        self.console_errors.append(f"{page.url}: {message.text}")

    def goto_refused(self, page, path, status):
        """Open a page the visitor may not see and check it answers `status` with a proper page."""
        self.refused_urls.add(self.url + path)
        response = page.goto(path)
        assert response.status == status, f"{path} answered {response.status}, expected {status}"
        return response

    def _only_live_server(self, route):
        parts = urlsplit(route.request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != self.origin:
            # Recorded and refused: the portal must work offline and call no third party.
            self.foreign_requests.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    @staticmethod
    def field(page, label):
        """A form field by its visible label (crispy adds an asterisk to required ones, the admin a colon)."""
        return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}[\s*:]*$"))

    def log_in(self, page, email, password=PASSWORD, *, next_url=None):
        page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
        # By field name, not label: the same helper serves the Dutch and the English page.
        form = page.locator("main form", has=page.locator("input[name=login]"))
        form.locator("input[name=login]").fill(email)
        form.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "/accounts/login/" not in page.url, f"{email} could not log in: {page.get_by_role('main').inner_text()}"
        return page

    @staticmethod
    def admin_messages(page):
        """Every message the admin shows on this page (the two-factor nudge has a list of its own)."""
        return "\n".join(page.locator("ul.messagelist").all_inner_texts())

    # Checks -----------------------------------------------------------------------------------

    def assert_clean(self):
        """No console error, no CSP violation, no request to another host so far."""
        assert not self.foreign_requests, "requests to hosts other than the live server:\n" + "\n".join(
            self.foreign_requests
        )
        assert not self.console_errors, "browser console errors:\n" + "\n".join(self.console_errors)

    def check(self, page, name, *, screenshot=True):
        """Axe (WCAG 2.0/2.1 A and AA) at phone and desktop width, screenshots, clean console."""
        page.wait_for_load_state("load")
        assert page.locator("h1").count() == 1, f"{name} ({page.url}) must have exactly one h1"
        original = page.viewport_size or DESKTOP
        problems = []
        try:
            for width in SCREENSHOT_WIDTHS:
                page.set_viewport_size({"width": width, "height": DESKTOP["height"]})
                # Let the page's resize handlers run (portal.js adapts wide tables) before axe looks.
                page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
                results = Axe().run(
                    page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
                )
                violations = results.response["violations"]
                if violations:
                    problems.append(format_violations(f"{name} at {width}px", page.url, violations))
                if screenshot:
                    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=SCREENSHOT_DIR / f"{name}-{width}.png", full_page=True)
            # WCAG 1.4.10 reflow: at 320 CSS pixels nothing may need sideways scrolling of the page
            # (wide tables scroll inside their own region, which is allowed).
            page.set_viewport_size({"width": REFLOW_WIDTH, "height": DESKTOP["height"]})
            overflow = page.evaluate(REFLOW_JS)
            if overflow:
                problems.append(f"{name} ({page.url}) needs sideways scrolling at {REFLOW_WIDTH}px: {overflow}")
        finally:
            page.set_viewport_size(original)
        self.checked.append((name, page.url))
        assert not problems, "\n".join(problems)
        self.assert_clean()

    def close(self, *, failed_test=None):
        """Close every context; after a failure keep a picture of each open page first."""
        for number, context in enumerate(self.contexts):
            if failed_test:
                for page_number, page in enumerate(context.pages):
                    FAILURE_DIR.mkdir(parents=True, exist_ok=True)
                    name = re.sub(r"[^\w.-]+", "_", failed_test)[-120:]
                    page.screenshot(path=FAILURE_DIR / f"{name}-{number}-{page_number}.png", full_page=True)
            context.close()

    # Keyboard --------------------------------------------------------------------------------

    def tab_to(self, page, target, *, max_tabs=80):
        """Press Tab until `target` has the focus, checking every stop shows where the focus is."""
        element = target.element_handle()
        invisible = []
        for _step in range(max_tabs):
            page.keyboard.press("Tab")
            stop = page.evaluate(FOCUS_STOP_JS)
            if not stop["visible"]:
                invisible.append(stop["description"])
            if page.evaluate("element => element === document.activeElement", element):
                assert not invisible, f"keyboard focus not visible on: {invisible}"
                return
        raise AssertionError(f"{target} was not reached with {max_tabs} presses of Tab on {page.url}")

    def tour(self, page, pages, *, suffix=""):
        """Open each (name, path), check it, and report every page's problems together at the end."""
        problems = []
        for name, path in pages:
            name += suffix
            response = page.goto(path)
            if response is None or response.status != 200:
                problems.append(f"{name} ({path}) answered {response.status if response else 'nothing'}")
                continue
            try:
                self.check(page, name)
            except AssertionError as error:
                problems.append(str(error))
                self.console_errors.clear()
        assert not problems, f"{len(problems)} of {len(pages)} pages failed:\n\n" + "\n\n".join(problems)

    # Mail -------------------------------------------------------------------------------------

    def mails_to(self, address):
        return [message for message in mail.outbox if any(address in to for to in message.to)]

    def link_in(self, message, pattern):
        """The first absolute link on this portal in a mail's text part that matches `pattern`."""
        links = re.findall(r"https?://[^\s<>\"')]+", message.body)
        for link in links:
            if re.search(pattern, link):
                assert link.startswith(self.url), f"mail link {link} does not point at the portal ({self.url})"
                return link
        raise AssertionError(f"no link matching {pattern!r} in mail {message.subject!r}:\n{message.body}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture(scope="session")
def checked_pages():
    """Screenshots of this run only; at the end, the list of every page axe passed or failed."""
    shutil.rmtree(SCREENSHOT_DIR, ignore_errors=True)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    pages = {}
    yield pages
    lines = [f"{name:<28} {path}" for name, path in sorted(pages.items())]
    (SCREENSHOT_DIR / "pages.txt").write_text(
        f"Pages checked with axe ({', '.join(AXE_TAGS)}) at {' and '.join(map(str, SCREENSHOT_WIDTHS))} px, "
        f"reflow at {REFLOW_WIDTH} px (the test report says which failed):\n" + "\n".join(lines) + "\n"
    )


@pytest.fixture
def portal(request, transactional_db, live_server, settings, browser, browser_context_args, checked_pages):
    """The live portal with its absolute links, mail sent in-process, and the browser guards."""
    settings.SITE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    # allauth's rate limits (one confirmation mail per address per 3 minutes) live in the cache,
    # which outlives a test; every test starts with none used.
    cache.clear()
    # A transactional test flushes the tables, groups included; put them back.
    sync_roles()
    # The outbox sends on commit; with Redis configured (CI) there is no worker for these tests,
    # so the send runs in the live server's request, as it does on a machine without Redis.
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    portal = Portal(live_server, browser, browser_context_args)
    yield portal
    checked_pages.update((name, urlsplit(url).path) for name, url in portal.checked if not name.startswith("guard-"))
    app.conf.task_always_eager = was_eager
    failed = getattr(request.node, "e2e_failed", False)
    portal.close(failed_test=request.node.nodeid if failed else None)
    if not failed:
        portal.assert_clean()


@pytest.fixture
def make_user(transactional_db):
    return _make_user


def _make_user(email, *, role=None, status="approved", is_staff=False, first_name=None, last_name="Tester", **profile):
    """An account that can log in (verified address), with a profile in the given state."""
    first_name = first_name or email.split("@")[0].title()
    user = get_user_model().objects.create_user(
        email=email, password=PASSWORD, first_name=first_name, last_name=last_name, is_staff=is_staff
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    Profile.objects.update_or_create(
        user=user, defaults={"first_name": first_name, "last_name": last_name, "status": status, **profile}
    )
    return user
