"""The look back and ahead in the browser: a coalition coordinator opens their coalition's report, narrows the
period, finds the PDF, and prints it without the controls; a wrong date is refused at the field. axe finds nothing
in English or Dutch (issue 18, point 5)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups import sections
from groups.models import Action, Group, Membership
from network.models import Coalition, CoalitionCoordinator

ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}
DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}


@pytest.fixture
def borsele(transactional_db, make_user, monkeypatch):
    coordinator = make_user("trekker@example.org", first_name="Sanne", last_name="de Wit")
    coalition = Coalition.objects.create(name="Kansrijke Start Borsele", slug="borsele")
    CoalitionCoordinator.objects.create(coalition=coalition, user=coordinator)
    group = Group.objects.create(
        name="Vroegsignalering en tijdige ondersteuning", slug="vroegsignalering", coalition=coalition, purpose="."
    )
    Membership.objects.create(group=group, profile=coordinator.profile, role=Membership.Role.COORDINATOR)
    today = timezone.localdate()
    done = Action.objects.create(
        group=group, title="Signaleringskaart verspreiden", status=Action.Status.DONE, closed_on=today
    )
    done.owners.set([coordinator.profile])
    Action.objects.create(
        group=group, title="Wachttijden in kaart brengen", status=Action.Status.OPEN, due_on=today - timedelta(days=4)
    )
    Action.objects.create(group=group, title="Scholing plannen", due_on=today + timedelta(days=30))
    meeting = sections.Meeting(
        starts_at=timezone.now() - timedelta(days=12),
        title="Werkgroep Vroegsignalering: overleg",
        decisions="- We bouwen **geen** eigen app.\n- Eén kaart voor alle partners.",
        has_notes=True,
        actions_closed=["Signaleringskaart verspreiden"],
    )
    monkeypatch.setattr(sections, "MEETINGS", [lambda groups, since: {group.pk: [meeting]}])
    return coalition


def test_a_coalition_coordinator_reads_prints_and_downloads_the_look_back(portal, borsele):
    page = portal.log_in(portal.visitor(**ENGLISH), "trekker@example.org")
    page.goto("/groups/report/borsele/")
    main = page.get_by_role("main")
    for text in ("Vroegsignalering en tijdige ondersteuning", "Signaleringskaart verspreiden",
                 "Wachttijden in kaart brengen", "overdue", "Werkgroep Vroegsignalering: overleg",
                 "Eén kaart voor alle partners"):  # fmt: skip
        assert text in main.inner_text(), text
    portal.check(page, "group-report")

    # On paper: the report only, without the period form and the buttons.
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Show").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert page.get_by_text("Wachttijden in kaart brengen").is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    # A date in the future is refused at the field, with the report still below it.
    portal.field(page, "Since").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert page.title().startswith("Error:")
    assert "Choose today or an earlier date" in page.locator(".error-summary").inner_text()
    assert "Signaleringskaart verspreiden" in page.get_by_role("main").inner_text()
    portal.check(page, "group-report-error")

    dutch = portal.log_in(portal.visitor(**DUTCH), "trekker@example.org")
    dutch.goto("/groups/report/borsele/")
    portal.check(dutch, "group-report-nl")
