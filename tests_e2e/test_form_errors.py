"""An invalid submit in the browser: the error summary has the keyboard focus, its links lead to the fields, the
title starts with "Error:"/"Fout:", axe finds nothing in the error state, and a long text is counted, not cut."""

import re

import pytest

from events.tests.factories import EventFactory, IntakeQuestionFactory

FOCUSED_SUMMARY = "() => document.activeElement && document.activeElement.classList.contains('error-summary')"
DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def assert_summary_has_focus(page, title):
    page.wait_for_load_state("load")
    assert page.evaluate(FOCUSED_SUMMARY), f"the focus is on {page.evaluate('document.activeElement.outerHTML')[:80]}"
    assert page.title().startswith(title), page.title()


def test_a_tip_without_its_text_puts_the_focus_on_the_summary_whose_link_leads_to_the_field(portal):
    page = portal.visitor()
    page.goto("/journal/tips/new/")
    portal.field(page, "Your name").fill("Vera Visitor")
    portal.field(page, "Your e-mail address").fill("vera@example")
    submit(page, "Send tip")
    assert_summary_has_focus(page, "Error:")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link").count() == 2  # the tip's text and the address
    summary.get_by_role("link", name=re.compile("What is the tip")).click()
    assert page.evaluate("document.activeElement.id") == "id_what"
    assert portal.field(page, "Your name").input_value() == "Vera Visitor"
    portal.check(page, "form-errors-tip")


def test_a_text_over_its_limit_is_counted_not_cut_and_the_server_keeps_it_with_a_message(portal):
    page = portal.visitor()
    page.goto("/journal/tips/new/")
    why_now = portal.field(page, "Why now?")
    assert page.locator("#id_why_now-count").inner_text() == "You can enter up to 1000 characters."
    counter = page.locator("#id_why_now ~ .character-count")
    assert counter.inner_text() == "1000 characters left"
    why_now.fill("x" * 1003)
    assert why_now.input_value() == "x" * 1003, "the browser cut the text at its maxlength"
    assert counter.inner_text() == "3 characters too many"
    assert "character-count-over" in counter.get_attribute("class")
    submit(page, "Send tip")
    assert_summary_has_focus(page, "Error:")
    assert portal.field(page, "Why now?").input_value() == "x" * 1003
    assert "1003" in page.locator(".error-summary").inner_text()  # the server says how long it is


def test_registering_without_the_answer_puts_the_focus_on_the_summary_in_dutch(portal, make_user):
    event = EventFactory(title="Vroegsignalering in de kraamweek", slug="vroegsignalering")
    question = IntakeQuestionFactory(event=event, label="Wat wil je na afloop kunnen?", required=True)
    make_user("member@example.org", role="Member", first_name="Mila")
    page = portal.visitor(**DUTCH)
    portal.log_in(page, "member@example.org")
    page.goto(f"/events/{event.slug}/register/")
    page.get_by_role("checkbox").check()
    submit(page, re.compile("^Aanmelden"))
    assert_summary_has_focus(page, "Fout:")
    assert page.get_by_role("checkbox").is_checked()
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == f"id_question_{question.pk}"
    portal.check(page, "form-errors-register-nl")


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_profile_without_a_first_name_puts_the_focus_on_the_summary(portal, make_user, locale):
    make_user("member@example.org", role="Member", first_name="Mila")
    page = portal.visitor(**(DUTCH if locale == "nl" else {}))
    portal.log_in(page, "member@example.org")
    page.goto("/members/me/")
    page.locator("#id_first_name").fill("")
    page.locator("#id_job_title").fill("Jeugdverpleegkundige")
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url("**/members/me/")
    assert_summary_has_focus(page, {"en": "Error:", "nl": "Fout:"}[locale])
    assert page.locator("#id_job_title").input_value() == "Jeugdverpleegkundige"
    portal.check(page, f"form-errors-profile-{locale}")


def test_signing_up_with_a_short_password_puts_the_focus_on_the_summary(portal):
    page = portal.visitor()
    page.goto("/accounts/signup/")
    portal.field(page, "First name").fill("Fatima")
    portal.field(page, "Email").fill("fatima@kraamzorg.example")
    portal.field(page, "Password").fill("short")
    portal.field(page, "Password (again)").fill("short")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/signup/")
    assert_summary_has_focus(page, "Error:")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link", name=re.compile("Last name")).count() == 1
    assert portal.field(page, "First name").input_value() == "Fatima"
    portal.check(page, "form-errors-signup")


def test_without_javascript_the_summary_still_takes_the_focus_and_the_text_keeps_its_limit(portal):
    page = portal.visitor(java_script_enabled=False)
    page.goto("/journal/tips/new/")
    assert portal.field(page, "Why now?").get_attribute("maxlength") == "1000"  # no counter: the browser's limit
    portal.field(page, "Your name").fill("Vera Visitor")
    submit(page, "Send tip")
    assert_summary_has_focus(page, "Error:")
    assert portal.field(page, "Your name").input_value() == "Vera Visitor"
