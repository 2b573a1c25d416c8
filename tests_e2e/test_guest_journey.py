"""A guest without a member account registers for an event open to guests, confirms the address from the link in the
mail they received, and cancels from the signed link in the confirmation (issue 16, points 2 and 12)."""

import pytest

from events import services
from events.models import Registration
from events.services import Guest
from events.tests.factories import EventFactory

LANGUAGES = pytest.mark.parametrize(("locale", "suffix"), [("en-GB", ""), ("nl-NL", "-nl")], ids=["en", "nl"])


@LANGUAGES
def test_a_guest_registers_confirms_from_the_mail_and_cancels_from_the_link(portal, locale, suffix):
    EventFactory(title="Werkbezoek kraamzorg", slug="werkbezoek", open_to_guests=True, capacity=8)
    page = portal.visitor(locale=locale, extra_http_headers={"Accept-Language": locale[:2]})

    page.goto("/events/werkbezoek/")
    portal.check(page, "guest-event" + suffix)
    with page.expect_navigation():
        page.locator("main a[href='/events/werkbezoek/guest/']").click()
    portal.check(page, "guest-register" + suffix)

    form = page.locator("main form[method=post]")
    form.locator("input[name=name]").fill("Sanne Bakker")
    form.locator("input[name=email]").fill("geen-adres")
    form.locator("input[name=organisation_name]").fill("Ministerie van VWS")
    form.locator("input[name=function]").fill("beleidsmedewerker")
    form.locator("input[name=consent_to_list]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    # Bad input: the summary and the field say so, and everything typed is still there.
    assert page.locator(".error-summary").count() == 1
    assert form.locator("input[name=name]").input_value() == "Sanne Bakker"
    assert form.locator("input[name=function]").input_value() == "beleidsmedewerker"
    portal.check(page, "guest-register-error" + suffix)
    form.locator("input[name=email]").fill("sanne@minvws.example")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.endswith("/events/werkbezoek/")
    assert "sanne@minvws.example" in page.locator(".alert-success").inner_text()
    assert Registration.objects.get(email="sanne@minvws.example").is_pending

    (confirm_mail,) = portal.mails_to("sanne@minvws.example")
    page.goto(portal.link_in(confirm_mail, r"/events/guest/.+/confirm/").removeprefix(portal.url))
    portal.check(page, "guest-confirm" + suffix)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    portal.check(page, "guest-registration" + suffix)
    assert Registration.objects.get(email="sanne@minvws.example").is_confirmed

    confirmation = portal.mails_to("sanne@minvws.example")[-1]
    assert any(name.endswith(".ics") for name, _content, _type in confirmation.attachments)
    page.goto(portal.link_in(confirmation, r"/events/guest/.+/cancel/").removeprefix(portal.url))
    portal.check(page, "guest-cancel" + suffix)
    assert Registration.objects.get(email="sanne@minvws.example").is_confirmed, "opening the link cancels nothing"
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert Registration.objects.get(email="sanne@minvws.example").is_cancelled
    portal.check(page, "guest-cancelled" + suffix)
    # Nothing a guest sees leads into the directory.
    assert page.locator("main a[href^='/members/'], main a[href^='/directory/']").count() == 0


@LANGUAGES
def test_a_coordinator_finds_a_guest_at_check_in_and_checks_in_a_guest_at_the_door(portal, make_user, locale, suffix):
    event = EventFactory(title="Werkbezoek kraamzorg", slug="werkbezoek", open_to_guests=True, capacity=8)
    services.confirm_guest(
        services.register_guest(
            event, Guest(name="Sanne Bakker", email="sanne@minvws.example", organisation_name="VWS")
        )
    )
    make_user("coordinator@example.org", role="Coordinator", is_staff=True, first_name="Cora")
    page = portal.visitor(locale=locale, extra_http_headers={"Accept-Language": locale[:2]})
    portal.log_in(page, "coordinator@example.org", next_url="/events/werkbezoek/check-in/?q=minvws")
    assert "Sanne Bakker" in page.locator("table.check-in-list").inner_text()
    portal.check(page, "guest-check-in" + suffix)

    form = page.locator("main form:has(input[name=action][value=walk_in_guest])")
    form.locator("input[name=name]").fill("Piet de Boer")
    form.locator("input[name=email]").fill("piet")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator(".error-summary").count() == 1
    assert form.locator("input[name=name]").input_value() == "Piet de Boer"
    portal.check(page, "guest-walk-in-error" + suffix)
    form.locator("input[name=email]").fill("piet@vws.example")
    form.locator("input[name=organisation_name]").fill("Ministerie van VWS")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert Registration.objects.get(email="piet@vws.example").checked_in
    assert "Piet de Boer" in page.locator("table.check-in-list").inner_text()
