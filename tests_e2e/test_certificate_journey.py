"""A participant downloads their certificate of attendance after check-in (issue 16, points 7 and 12): the
coordinator checks them in and sends the certificates through the check step, the participant downloads theirs
from My registrations, and anyone can verify it by its code, in Dutch and English."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from events.models import Registration
from events.tests.factories import EventFactory, RegistrationFactory
from members.tests.factories import OrganisationFactory


@pytest.fixture
def meeting(make_user):
    start = timezone.now() - timedelta(hours=4)
    event = EventFactory(
        title="Halfjaarlijkse partnerbijeenkomst",
        slug="partnerbijeenkomst",
        starts_at=start,
        ends_at=start + timedelta(hours=2, minutes=30),
        host=OrganisationFactory(name="GGD Zeeland"),
        accreditation_points=Decimal(3),
        accreditation_registry="Kwaliteitsregister V&VN",
    )
    participant = make_user("zoe@example.org", role="Member", first_name="Zoë", last_name="Brouwer-Émond")
    RegistrationFactory(event=event, profile=participant.profile)
    make_user("coordinator@example.org", role="Coordinator", is_staff=True)
    return event


def _pdf_text(download):
    path = Path(download.path())
    assert path.read_bytes().startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_a_checked_in_participant_downloads_their_certificate_and_anyone_verifies_it(portal, meeting):
    # The coordinator checks the participant in and sends the certificates, through the check step.
    coordinator = portal.visitor()
    portal.log_in(coordinator, "coordinator@example.org")
    coordinator.goto("/events/partnerbijeenkomst/check-in/")
    coordinator.get_by_role("button", name=re.compile("Check in Zoë")).click()
    coordinator.wait_for_load_state("load")
    assert Registration.objects.get(event=meeting).checked_in
    coordinator.goto("/events/partnerbijeenkomst/")
    coordinator.get_by_role("link", name="Send certificates of attendance").click()
    portal.check(coordinator, "event-send-certificates")
    coordinator.get_by_role("button", name="Check the mail").click()
    coordinator.wait_for_url("**/mail/check/**")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Send to 1 person").click()
    (message,) = portal.mails_to("zoe@example.org")
    assert "Halfjaarlijkse partnerbijeenkomst" in message.subject
    mailed_link = portal.link_in(message, r"/events/certificates/[^/\s]+\.pdf")

    # The participant finds the certificate under My registrations and downloads it.
    page = portal.visitor()
    portal.log_in(page, "zoe@example.org")
    page.goto("/events/mine/")
    portal.check(page, "my-registrations-attended")
    with page.expect_download() as downloading:
        page.get_by_role("link", name=re.compile("Certificate \\(PDF\\)")).click()
    text = _pdf_text(downloading.value)
    for expected in ("Zoë Brouwer-Émond", "Halfjaarlijkse partnerbijeenkomst", "2 hours and 30 minutes", "GGD Zeeland",
                     "Kwaliteitsregister V&VN"):  # fmt: skip
        assert expected in text, expected
    code = re.search(r"Verification code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", text).group(1)

    # The mail's link works without logging in, for the same certificate.
    stranger = portal.visitor()
    response = stranger.request.get(mailed_link)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert code in "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)

    # Anyone can verify it by typing the code, in English and in Dutch; axe finds nothing on either page.
    for locale, name in (("en-GB", "certificate-verify-en"), ("nl-NL", "certificate-verify-nl")):
        verifier = portal.visitor(locale=locale)
        verifier.goto("/events/certificates/verify/")
        portal.check(verifier, f"{name}-form")
        verifier.locator("input[name=code]").fill(code.lower().replace("-", " "))
        with verifier.expect_navigation():
            verifier.locator("main form button[type=submit]").click()
        assert verifier.url.endswith(f"/events/certificates/verify/{code}/")
        main = verifier.get_by_role("main").inner_text()
        assert "Zoë Brouwer-Émond" in main and "Halfjaarlijkse partnerbijeenkomst" in main
        assert "zoe@example.org" not in main
        assert verifier.locator("html").get_attribute("lang") == locale[:2]
        portal.check(verifier, name)
