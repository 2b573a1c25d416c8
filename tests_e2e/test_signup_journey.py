"""A visitor joins: signs up, confirms the address from the mail, waits, is approved, sees the directory."""

import re

from django.core import mail

NEW_PASSWORD = "Kraamzorg-Zwolle-2026"


def sign_up(portal, page, *, first_name="Fatima", last_name="El Amrani", email="fatima@kraamzorg.example"):
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Join the network").click()
    page.wait_for_url("**/accounts/signup/")
    portal.check(page, "signup")
    portal.field(page, "First name").fill(first_name)
    portal.field(page, "Last name").fill(last_name)
    portal.field(page, "Discipline").select_option("maternity_care")
    portal.field(page, "Email").fill(email)
    portal.field(page, "Password").fill(NEW_PASSWORD)
    portal.field(page, "Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    portal.check(page, "verification-sent")


def confirm_from_mail(portal, page, email):
    (message,) = portal.mails_to(email)
    assert "Kansrijke Start" in message.body
    link = portal.link_in(message, r"/accounts/confirm-email/.")
    html = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert html and f'href="{link}"' in html[0], "the verification mail needs an HTML part with the same link"
    page.goto(link)
    portal.check(page, "confirm-email")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()


def test_visitor_signs_up_confirms_address_and_is_told_to_await_approval(portal):
    page = portal.visitor()
    sign_up(portal, page)
    assert "fatima@kraamzorg.example" in page.get_by_role("main").inner_text()

    confirm_from_mail(portal, page, "fatima@kraamzorg.example")
    assert page.url == portal.url + "/"
    main = page.get_by_role("main")
    assert re.search(r"awaits approval", main.inner_text())
    portal.check(page, "home-pending")


def test_signup_with_bad_input_keeps_what_was_typed_and_ties_errors_to_fields(portal):
    page = portal.visitor()
    page.goto("/accounts/signup/")
    portal.field(page, "First name").fill("Fatima")
    portal.field(page, "Last name").fill("El Amrani")
    portal.field(page, "Email").fill("fatima@kraamzorg.example")
    portal.field(page, "Password").fill("short")
    portal.field(page, "Password (again)").fill("short")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign Up").click()
    password = portal.field(page, "Password")
    assert password.get_attribute("aria-invalid") == "true"
    described_by = password.get_attribute("aria-describedby") or ""
    errors = " ".join(page.locator(f"#{part}").inner_text() for part in described_by.split())
    assert "too short" in errors
    assert portal.field(page, "First name").input_value() == "Fatima"
    assert portal.field(page, "Email").input_value() == "fatima@kraamzorg.example"
    portal.check(page, "signup-errors")
    assert not mail.outbox


def test_coordinator_approves_in_the_admin_and_the_member_then_sees_the_directory(portal, make_user):
    make_user("coordinator@example.org", role="Coordinator", is_staff=True, first_name="Cor")
    newcomer = portal.visitor()
    sign_up(portal, newcomer)
    confirm_from_mail(portal, newcomer, "fatima@kraamzorg.example")
    portal.goto_refused(newcomer, "/members/", 403)
    portal.check(newcomer, "directory-refused")

    coordinator = portal.visitor()
    portal.log_in(coordinator, "coordinator@example.org")
    coordinator.get_by_role("link", name="Admin").click()
    coordinator.wait_for_url("**/admin/")
    portal.check(coordinator, "admin-index")
    coordinator.get_by_role("link", name="Profiles").first.click()
    coordinator.wait_for_url("**/admin/members/profile/")
    with coordinator.expect_navigation():
        coordinator.get_by_role("link", name="Pending").first.click()
    row = coordinator.locator("#result_list tbody tr", has_text="fatima@kraamzorg.example")
    row.get_by_role("checkbox").check()
    action = coordinator.get_by_role("combobox", name=re.compile(r"^Action"))
    action.select_option(label="Approve selected members (sends a mail)")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Run").click()
    assert "1 member(s) approved." in coordinator.get_by_role("main").inner_text()
    portal.check(coordinator, "admin-profiles")

    welcome = portal.mails_to("fatima@kraamzorg.example")[-1]
    assert welcome.alternatives, "the approval mail needs an HTML part"

    # The newcomer logs in again and finds the directory in the menu.
    with newcomer.expect_navigation():
        newcomer.get_by_role("button", name="Log out").click()
    portal.log_in(newcomer, "fatima@kraamzorg.example", NEW_PASSWORD)
    newcomer.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Directory").click()
    newcomer.wait_for_url("**/members/")
    assert newcomer.get_by_role("heading", level=1).inner_text()
    portal.check(newcomer, "directory-newcomer")


def test_member_who_forgot_the_password_sets_a_new_one_from_the_mail(portal, make_user):
    make_user("member@example.org", role="Member")
    page = portal.visitor()
    page.goto("/accounts/login/")
    page.get_by_role("link", name=re.compile("Forgot", re.IGNORECASE)).click()
    page.wait_for_url("**/accounts/password/reset/")
    portal.field(page, "Email").fill("member@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Reset", re.IGNORECASE)).click()
    portal.check(page, "password-reset-sent")

    (message,) = portal.mails_to("member@example.org")
    link = portal.link_in(message, r"/accounts/password/reset/key/")
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    assert f'href="{link}"' in html
    page.goto(link)
    page.wait_for_url(re.compile(r"/accounts/password/reset/key/.+"))
    portal.check(page, "password-reset-new")
    portal.field(page, "New Password").fill(NEW_PASSWORD)
    portal.field(page, "New Password (again)").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Change Password", re.IGNORECASE)).click()
    portal.check(page, "password-reset-done")
    portal.log_in(page, "member@example.org", NEW_PASSWORD)
    assert page.get_by_role("button", name="Log out").count() == 1
