"""The browser checks themselves: each one fails when what it guards against happens."""

import pytest


def test_axe_check_fails_and_names_the_rule_and_the_element(portal):
    page = portal.visitor()
    page.goto("/privacy/")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.id = "no-alt"; img.src = "/static/img/favicon.svg";
            document.querySelector("main").append(img);
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        portal.check(page, "guard-axe", screenshot=False)
    assert "image-alt" in str(failure.value)
    assert "#no-alt" in str(failure.value)


def test_request_to_another_host_is_blocked_and_reported(portal):
    page = portal.visitor()
    page.goto("/privacy/")
    # A film host the CSP allows in frames: only the route guard stands between it and the network.
    page.evaluate(
        """() => new Promise(resolve => {
            const frame = document.createElement("iframe");
            frame.title = "film"; frame.src = "https://www.youtube-nocookie.com/embed/guard";
            frame.addEventListener("load", resolve); frame.addEventListener("error", resolve);
            document.querySelector("main").append(frame);
        })"""
    )
    assert portal.foreign_requests == ["https://www.youtube-nocookie.com/embed/guard"]
    with pytest.raises(AssertionError, match="youtube-nocookie"):
        portal.assert_clean()
    portal.foreign_requests.clear()
    portal.console_errors.clear()


def test_console_error_is_reported(portal):
    page = portal.visitor()
    page.goto("/privacy/")
    page.evaluate("() => console.error('something broke')")
    with pytest.raises(AssertionError, match="something broke"):
        portal.assert_clean()
    portal.console_errors.clear()


def test_inline_script_is_refused_by_the_csp_and_reported(portal):
    page = portal.visitor()
    page.goto("/privacy/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.inlineRan = true";
            document.body.append(s);
        }"""
    )
    assert page.evaluate("() => window.inlineRan") is None
    with pytest.raises(AssertionError, match="Content Security Policy"):
        portal.assert_clean()
    portal.console_errors.clear()


def test_reflow_check_fails_when_the_page_scrolls_sideways_on_a_phone(portal):
    page = portal.visitor()
    page.goto("/privacy/")
    page.evaluate(
        """() => {
            const wide = document.createElement("div");
            wide.id = "too-wide"; wide.style.width = "600px"; wide.textContent = "wide";
            document.querySelector("main").append(wide);
        }"""
    )
    with pytest.raises(AssertionError, match=r"sideways scrolling at 320px: .*div#too-wide"):
        portal.check(page, "guard-reflow", screenshot=False)
    portal.console_errors.clear()
