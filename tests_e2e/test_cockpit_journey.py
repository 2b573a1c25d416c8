"""A coalition coordinator's morning in the cockpit (issue 20, point 7): the header leads to the to-do page, a
new sign-up is approved right there, then the impact page is opened, narrowed to the coalition and downloaded
as a PDF for the council. axe finds nothing on the cockpit, in Dutch and in English."""

from datetime import timedelta

from django.utils import timezone

from events.models import Event, Registration
from events.tests.factories import EventFactory, RegistrationFactory
from members.models import Discipline, Profile
from members.tests.factories import OrganisationFactory, ProfileFactory
from network.models import CoalitionCoordinator
from network.tests.factories import CoalitionFactory, PartnershipFactory

DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}
ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}


def test_a_coalition_coordinator_handles_a_sign_up_and_downloads_the_impact_report(portal, make_user):
    borsele = CoalitionFactory(name="Kansrijke Start Borsele", slug="borsele")
    CoalitionFactory(name="Kansrijk Walcheren", slug="walcheren")
    municipality = borsele.municipalities.get()
    trekker = make_user("trekker@example.org", first_name="Sanne", last_name="de Wit", is_staff=True)
    CoalitionCoordinator.objects.create(coalition=borsele, user=trekker)
    newcomer = make_user("fatima@example.org", first_name="Fatima", last_name="El Amrani", status="pending")
    newcomer.profile.municipalities.set([municipality])
    elsewhere = make_user("joost@example.org", first_name="Joost", last_name="Verhage", status="pending")
    # Five people of two domains met at a workshop in Borsele: enough for the impact page to count them.
    for discipline in (Discipline.MIDWIFERY, Discipline.SOCIAL_WORK):
        organisation = OrganisationFactory(discipline=discipline)
        PartnershipFactory(coalition=borsele, organisation=organisation, since=timezone.localdate() - timedelta(300))
        event = EventFactory(
            coalition=borsele, kind=Event.Kind.WORKSHOP, starts_at=timezone.now() - timedelta(weeks=6), capacity=30
        )
        for profile in ProfileFactory.create_batch(5, organisation=organisation, discipline=discipline):
            profile.municipalities.set([municipality])
            RegistrationFactory(event=event, profile=profile, state=Registration.State.CONFIRMED, checked_in=True)

    page = portal.log_in(portal.visitor(**DUTCH), "trekker@example.org")
    page.get_by_role("banner").get_by_role("link", name="Cockpit").click()
    assert page.url.endswith("/cockpit/")
    pending = page.get_by_role("region", name="Leden die wachten op goedkeuring")
    assert "Fatima El Amrani" in pending.inner_text()
    assert "Joost Verhage" not in page.get_by_role("main").inner_text()  # works outside the coalition
    portal.check(page, "cockpit-nl")

    with page.expect_navigation():
        pending.get_by_role("button", name="Goedkeuren Fatima El Amrani").click()
    assert page.url.endswith("/cockpit/")
    assert "Fatima El Amrani is goedgekeurd" in page.get_by_role("main").inner_text()
    assert "Er wacht niets." in page.get_by_role("region", name="Leden die wachten op goedkeuring").inner_text()
    assert Profile.objects.get(user=newcomer).status == Profile.Status.APPROVED
    assert Profile.objects.get(user=elsewhere).status == Profile.Status.PENDING

    page.get_by_role("link", name="De impact van het netwerk in cijfers").click()
    assert page.locator("h1").inner_text() == "Impact van het netwerk"
    portal.field(page, "Coalitie").select_option(label="Kansrijke Start Borsele")
    with page.expect_navigation():
        page.get_by_role("button", name="Tonen").click()
    assert page.locator(".lead").inner_text().startswith("Kansrijke Start Borsele")
    pairs = page.get_by_role("table", name="De cijfers: Domeinen die elkaar ontmoetten")
    assert pairs.count() == 1
    portal.check(page, "cockpit-impact-borsele-nl")
    with page.expect_download() as download:
        page.get_by_role("link", name="Rapport downloaden (PDF)").click()
    assert download.value.suggested_filename.startswith("impact-borsele-")
    with open(download.value.path(), "rb") as report:
        assert report.read(4) == b"%PDF"

    english = portal.log_in(portal.visitor(**ENGLISH), "trekker@example.org")
    english.goto("/cockpit/")
    assert "Nothing waiting." in english.get_by_role("region", name="Members awaiting approval").inner_text()
    portal.check(english, "cockpit-en")
