"""The public pages in a real browser: styled, accessible, offline, in both languages."""

import re

import pytest

PUBLIC_PAGES = [
    ("home", "/"),
    ("privacy", "/privacy/"),
    ("accessibility", "/accessibility/"),
    ("login", "/accounts/login/"),
    ("signup", "/accounts/signup/"),
    ("password-reset", "/accounts/password/reset/"),
]


@pytest.mark.parametrize(("name", "path"), PUBLIC_PAGES, ids=[name for name, _ in PUBLIC_PAGES])
def test_public_page_is_accessible_and_calls_no_other_host(portal, name, path):
    page = portal.visitor()
    response = page.goto(path)
    assert response.status == 200
    portal.check(page, name)


def test_bootstrap_and_portal_styles_are_served_by_the_portal_itself(portal):
    page = portal.visitor()
    stylesheets = []
    page.on("response", lambda response: stylesheets.append(response) if response.url.endswith(".css") else None)
    page.goto("/")
    assert {response.status for response in stylesheets} == {200}
    assert any("vendor/bootstrap/css/bootstrap.min.css" in response.url for response in stylesheets)
    # Bootstrap really applied: its .container centres the main column with auto margins.
    main = page.locator("main#main")
    assert main.evaluate("el => getComputedStyle(el).marginLeft") != "0px"
    # portal.js ran (progressive enhancement hook).
    assert page.locator("html").get_attribute("class") == "js"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(portal):
    page = portal.visitor()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#main"
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_dutch_visitor_gets_the_dutch_page(portal):
    page = portal.visitor(locale="nl-NL")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    portal.check(page, "home-nl", screenshot=False)


def test_menu_collapses_on_a_phone_and_opens_with_the_toggler(portal):
    page = portal.visitor(viewport={"width": 375, "height": 800})
    page.goto("/")
    login = page.locator("#main-nav").get_by_role("link", name="Log in")
    assert not login.is_visible()
    page.get_by_role("button", name="Show or hide the menu").click()
    login.wait_for(state="visible")
    assert page.get_by_role("button", name="Show or hide the menu").get_attribute("aria-expanded") == "true"


def test_language_switch_turns_the_page_dutch_and_back(portal):
    page = portal.visitor()
    page.goto("/privacy/")
    with page.expect_navigation():
        page.get_by_role("button", name="Nederlands").click()
    assert page.url.endswith("/privacy/")
    assert page.locator("html").get_attribute("lang") == "nl"
    portal.check(page, "privacy-nl", screenshot=False)
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def test_without_javascript_a_phone_user_sees_the_menu_and_can_log_in(portal, make_user):
    make_user("member@example.org", role="Member")
    page = portal.visitor(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page.goto("/")
    menu = page.locator("#main-nav")
    assert menu.get_by_role("link", name="Log in").is_visible()
    assert menu.get_by_role("link", name="Journal").is_visible()
    menu.get_by_role("link", name="Log in").click()
    portal.field(page, "Email").fill("member@example.org")
    portal.field(page, "Password").fill("correct-horse-battery")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^(Sign|Log) In$", re.IGNORECASE)).click()
    assert page.get_by_role("link", name="Directory").is_visible()
