"""The case consultation (MDO) in the browser (issue 18, points 3, 6 and 9): its coordinator plans a meeting from the
group's page; a member puts a case to it under the fixed warning, is refused a BSN at the field with the rest kept,
puts the case without it; the coordinator records the advice. In Dutch, with axe on every page; the case form in
English too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Case, Event
from groups.models import Group, Membership
from network.models import Coalition

pytestmark = pytest.mark.browser

DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}
ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}


@pytest.fixture
def mdo(transactional_db, make_user):
    coalition = Coalition.objects.create(name="Kansrijke Start Borsele", slug="borsele")
    group = Group.objects.create(
        name="MDO Kansrijke Start Borsele",
        slug="mdo-borsele",
        kind=Group.Kind.CASE_CONSULTATION,
        coalition=coalition,
        purpose="Samen meedenken over gezinnen met zorgen, zonder gegevens van de cliënt.",
        joining=Group.Joining.BY_INVITATION,
    )
    ilse = make_user("ilse@example.org", role="Member", first_name="Ilse", last_name="Verhage")
    mila = make_user("mila@example.org", role="Member", first_name="Mila", last_name="de Vries")
    Membership.objects.create(group=group, profile=ilse.profile, role=Membership.Role.COORDINATOR)
    Membership.objects.create(group=group, profile=mila.profile)
    return group


def test_a_case_is_put_to_the_mdo_without_identifiers_and_advised_on(portal, mdo):
    # Ilse plans the next consultation from the group's page.
    ilse = portal.log_in(portal.visitor(**DUTCH), "ilse@example.org", next_url=f"/groups/{mdo.slug}/")
    with ilse.expect_navigation():
        ilse.get_by_role("link", name="Bijeenkomst plannen").click()
    portal.check(ilse, "mdo-plan-nl")
    starts = timezone.localtime() + timedelta(days=10)
    portal.field(ilse, "Titel").fill("Casusoverleg december")
    portal.field(ilse, "Begint om").fill(starts.strftime("%Y-%m-%dT14:00"))
    portal.field(ilse, "Eindigt om").fill(starts.strftime("%Y-%m-%dT16:00"))
    portal.field(ilse, "Locatie").fill("Gemeentehuis Borsele")
    with ilse.expect_navigation():
        ilse.get_by_role("button", name="Opslaan").click()
    meeting = Event.objects.get(group=mdo)
    assert meeting.group_only and meeting.kind == Event.Kind.GROUP_MEETING
    portal.check(ilse, "mdo-meeting-nl")

    # Mila hears of it and puts a case to it; a BSN in the question is refused, the theme stays.
    (told,) = portal.mails_to("mila@example.org")
    assert "Casusoverleg december" in told.body
    mila = portal.log_in(portal.visitor(**DUTCH), "mila@example.org", next_url=f"/events/{meeting.slug}/cases/")
    portal.check(mila, "mdo-cases-empty-nl")
    with mila.expect_navigation():
        mila.get_by_role("link", name="Een casus inbrengen voor deze bijeenkomst").click()
    main = mila.get_by_role("main").inner_text()
    assert "geen namen" in main.lower() or "Vul geen" in main  # the fixed warning stands above the form
    portal.check(mila, "mdo-case-form-nl")
    portal.field(mila, "Thema").fill("Geldzorgen rond de geboorte")
    portal.field(mila, "Vraag aan het casusoverleg").fill("Moeder met BSN 111222333 durft geen hulp te vragen. Hoe nu?")
    with mila.expect_navigation():
        mila.get_by_role("button", name="Opslaan").click()
    assert mila.title().startswith("Fout:")
    assert "BSN" in mila.locator(".error-summary").inner_text()
    assert portal.field(mila, "Thema").input_value() == "Geldzorgen rond de geboorte"
    assert not Case.objects.exists()
    portal.check(mila, "mdo-case-form-error-nl")
    portal.field(mila, "Vraag aan het casusoverleg").fill(
        "Ouders van een baby durven geen hulp te vragen bij geldzorgen. Wie zet de eerste stap?"
    )
    with mila.expect_navigation():
        mila.get_by_role("button", name="Opslaan").click()
    case = Case.objects.get(event=meeting)
    assert case.submitted_by.user.email == "mila@example.org"
    assert "Geldzorgen rond de geboorte" in mila.get_by_role("main").inner_text()
    portal.check(mila, "mdo-cases-nl")

    # Ilse records the advice; it is checked the same way.
    ilse.goto(f"/events/{meeting.slug}/cases/")
    with ilse.expect_navigation():
        ilse.get_by_role("link", name="Advies vastleggen").click()
    portal.check(ilse, "mdo-advice-nl")
    portal.field(ilse, "Advies van het casusoverleg").fill("De JGZ belt de ouders; schuldhulp schuift aan.")
    with ilse.expect_navigation():
        ilse.get_by_role("button", name="Opslaan").click()
    case.refresh_from_db()
    assert case.advice.startswith("De JGZ belt")

    english = portal.log_in(
        portal.visitor(**ENGLISH), "mila@example.org", next_url=f"/events/{meeting.slug}/cases/new/"
    )
    portal.check(english, "mdo-case-form-en")
