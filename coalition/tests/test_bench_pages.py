"""bench/pages.py measures every page of the portal: a new page cannot be forgotten (issue 13, point 7).

Every named URL pattern in the portal's own URLconfs (coalition.urls and the apps' urls.py; not the admin,
allauth or Django's i18n) is either measured in bench/pages.py's PAGES or listed in its EXCLUDED with a reason
(downloads, feeds, POST-only addresses).
"""

import importlib.util
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

PORTAL_URLCONFS = {
    "coalition.urls",
    "members.urls",
    "network.urls",
    "signals.urls",
    "groups.urls",
    "surveys.urls",
    "journal.urls",
    "events.urls",
    "announcements.urls",
    "cockpit.urls",
}
BENCH = Path(__file__).resolve().parents[2] / "bench" / "pages.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_pages_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines the pages; main() is not run
    return module


def _portal_names(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"
        elif isinstance(entry, URLResolver):
            module = getattr(entry.urlconf_module, "__name__", entry.urlconf_name)
            if isinstance(module, str) and module in PORTAL_URLCONFS:
                yield from _portal_names(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)


def test_every_page_of_the_portal_is_measured_or_excluded_with_a_reason():
    bench = _bench()
    names = set(_portal_names(get_resolver("coalition.urls")))
    measured = {page.name for page in bench.PAGES}
    forgotten = names - measured - set(bench.EXCLUDED)
    assert not forgotten, f"add these pages to bench/pages.py PAGES (or to EXCLUDED, with why): {sorted(forgotten)}"
    assert all(reason.strip() for reason in bench.EXCLUDED.values())


def test_the_bench_lists_no_page_that_no_longer_exists():
    bench = _bench()
    names = set(_portal_names(get_resolver("coalition.urls"))) | {"account_login", "account_signup"}
    assert {page.name for page in bench.PAGES} - names == set()
    assert set(bench.EXCLUDED) - names == set()


def test_the_bench_measures_each_role_and_the_directory_searches_the_issue_names():
    pages = _bench().PAGES
    assert {page.role for page in pages} == {"visitor", "member", "coordinator"}
    searches = {page.label for page in pages if page.name == "members:profile_list" and page.role == "member"}
    wanted = {"directory", "search verloskundige", "search kraamzorg borsele", "search typo", "directory filter"}
    assert wanted <= searches
