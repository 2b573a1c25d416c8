"""A working group from joining to the meeting's notes (issue 18, point 10): a member asks to join, the group
coordinator accepts, assigns her an action, she marks it done; the coordinator writes the notes of the group's
meeting, linking the action it closed, sends them through the check step, and the member receives them. In Dutch,
the portal's language, with axe on every page; the group's page and the action in English too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, MeetingNotes
from groups.models import Action, Group, Membership
from members.models import Organisation
from network.models import Coalition
from surveys.models import Survey, SurveyQuestion

pytestmark = pytest.mark.browser

DUTCH = {"locale": "nl-NL", "extra_http_headers": {"Accept-Language": "nl"}}
ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}


@pytest.fixture
def borsele(transactional_db, make_user):
    """Borsele's working group with Ilse as its coordinator, Mila outside it, and the group's meeting of last week."""
    coalition = Coalition.objects.create(name="Kansrijke Start Borsele", slug="borsele")
    midwives = Organisation.objects.create(name="Verloskundigen Bevelanden", slug="verloskundigen-bevelanden")
    ilse = make_user("ilse@example.org", role="Member", first_name="Ilse", last_name="Verhage", organisation=midwives)
    make_user("mila@example.org", role="Member", first_name="Mila", last_name="de Vries")
    group = Group.objects.create(
        name="Vroegsignalering en tijdige ondersteuning",
        slug="vroegsignalering",
        coalition=coalition,
        purpose="Signalen van stress bij aanstaande ouders eerder zien en samen oppakken.",
        joining=Group.Joining.ON_REQUEST,
    )
    Membership.objects.create(group=group, profile=ilse.profile, role=Membership.Role.COORDINATOR)
    starts = timezone.now() - timedelta(days=7)
    meeting = Event.objects.create(
        title="Werkgroep Vroegsignalering: overleg",
        slug="werkgroep-vroegsignalering-overleg",
        kind=Event.Kind.GROUP_MEETING,
        group=group,
        coalition=coalition,
        state=Event.State.PUBLISHED,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Gemeentehuis Borsele",
    )
    return {"group": group, "meeting": meeting}


def test_a_member_joins_does_her_action_and_receives_the_meetings_notes(portal, borsele):
    group, meeting = borsele["group"], borsele["meeting"]

    # Mila finds the group and asks to join.
    mila = portal.log_in(portal.visitor(**DUTCH), "mila@example.org", next_url="/groups/")
    portal.check(mila, "journey-groups-nl")
    with mila.expect_navigation():
        mila.get_by_role("link", name="Vroegsignalering en tijdige ondersteuning").click()
    portal.check(mila, "journey-group-outside-nl")
    assert "Signalen van stress" in mila.get_by_role("main").inner_text()
    with mila.expect_navigation():
        mila.get_by_role("link", name="Vraag om aan te sluiten").click()
    portal.check(mila, "journey-join-nl")
    portal.field(mila, "Bericht aan de groepscoördinatoren").fill("Ik werk als jeugdverpleegkundige in Borsele.")
    with mila.expect_navigation():
        mila.get_by_role("button", name="Vraag om aan te sluiten").click()
    assert Membership.objects.get(group=group, profile__user__email="mila@example.org").state == "requested"

    # Ilse hears of it by mail and accepts on the group's members page.
    (request_mail,) = portal.mails_to("ilse@example.org")
    assert "Mila de Vries" in request_mail.body
    ilse = portal.log_in(portal.visitor(**DUTCH), "ilse@example.org", next_url="/groups/vroegsignalering/members/")
    portal.check(ilse, "journey-members-nl")
    assert "Ik werk als jeugdverpleegkundige" in ilse.get_by_role("main").inner_text()
    with ilse.expect_navigation():
        ilse.get_by_role("button", name="Accepteren").click()
    assert Membership.objects.get(group=group, profile__user__email="mila@example.org").state == "active"
    assert len(portal.mails_to("mila@example.org")) == 1  # told she is in

    # Ilse gives Mila an action.
    ilse.goto("/groups/vroegsignalering/actions/new/")
    portal.check(ilse, "journey-action-new-nl")
    portal.field(ilse, "Wat").fill("Signaleringskaart bespreken in het JGZ-team")
    ilse.get_by_label("Mila de Vries").check()
    portal.field(ilse, "Uiterste datum").fill((timezone.localdate() + timedelta(days=21)).isoformat())
    with ilse.expect_navigation():
        ilse.get_by_role("button", name="Opslaan").click()
    action = Action.objects.get(group=group)
    assert [owner.user.email for owner in action.owners.all()] == ["mila@example.org"]

    # Mila gets the mail, opens the action from it and marks it done with one button.
    assigned = portal.mails_to("mila@example.org")[-1]
    assert "Signaleringskaart bespreken" in assigned.subject + assigned.body
    link = portal.link_in(assigned, rf"/groups/vroegsignalering/actions/{action.pk}/")
    mila.goto(link)
    portal.check(mila, "journey-action-nl")
    with mila.expect_navigation():
        mila.get_by_role("button", name="Markeren als klaar").click()
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.closed_on == timezone.localdate()
    assert "Mila de Vries" in mila.get_by_role("main").inner_text()  # the history says who
    portal.check(mila, "journey-action-done-nl")

    # Ilse writes the notes of last week's meeting, linking the action it closed, and sends them to the group.
    ilse.goto(f"/events/{meeting.slug}/notes/")
    portal.check(ilse, "journey-notes-nl")
    portal.field(ilse, "Besluiten").fill("- Elke partner gebruikt de **signaleringskaart** vanaf januari.")
    ilse.get_by_label("Signaleringskaart bespreken in het JGZ-team").last.check()
    with ilse.expect_navigation():
        ilse.get_by_role("button", name="Opslaan").click()
    notes = MeetingNotes.objects.get(event=meeting)
    assert list(notes.actions_closed.all()) == [action]
    with ilse.expect_navigation():
        ilse.get_by_role("button", name="Naar de groep versturen").click()
    assert "/mail/check/" in ilse.url, ilse.get_by_role("main").inner_text()
    assert ilse.locator("[data-recipient-count]").get_attribute("data-recipient-count") == "2"
    portal.check(ilse, "journey-notes-check-nl")
    before = len(portal.mails_to("mila@example.org"))
    with ilse.expect_navigation():
        ilse.get_by_role("button", name="Versturen naar 2 mensen").click()
    notes.refresh_from_db()
    assert notes.sent_at is not None

    # Mila receives the notes: the decision and the action, with a way to stop the group's mails.
    received = portal.mails_to("mila@example.org")[before:]
    assert len(received) == 1
    (notes_mail,) = received
    assert "signaleringskaart" in notes_mail.body and "Signaleringskaart bespreken in het JGZ-team" in notes_mail.body
    assert notes_mail.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/groups/mail/stop/" in notes_mail.body

    # The group's page shows the meeting with its notes; the same page and the action in English pass axe too.
    mila.goto("/groups/vroegsignalering/")
    assert meeting.title in mila.get_by_role("main").inner_text()
    portal.check(mila, "journey-group-inside-nl")
    english = portal.log_in(portal.visitor(**ENGLISH), "mila@example.org", next_url="/groups/vroegsignalering/")
    portal.check(english, "journey-group-inside-en")
    english.goto(f"/groups/vroegsignalering/actions/{action.pk}/")
    portal.check(english, "journey-action-en")


def test_a_coordinator_sends_a_survey_to_the_members_of_a_working_group(portal, borsele, make_user):
    """Issue 17's last audience: "a working group" — the survey reaches the group's active members only."""
    group = borsele["group"]
    mila = make_user("sanne@example.org", role="Member", first_name="Sanne")
    Membership.objects.create(group=group, profile=mila.profile)
    make_user("outsider@example.org", role="Member", first_name="Olaf")
    make_user("coordinator@example.org", role="Coordinator", is_staff=True, first_name="Cora")
    now = timezone.now()
    survey = Survey.objects.create(
        title="Werkt de signaleringskaart?",
        slug="werkt-de-signaleringskaart",
        state=Survey.State.PUBLISHED,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=14),
    )
    SurveyQuestion.objects.create(
        survey=survey, label="Gebruik je de kaart?", kind=SurveyQuestion.Kind.YES_NO, required=True, position=0
    )
    page = portal.log_in(portal.visitor(**DUTCH), "coordinator@example.org")
    page.goto(f"/surveys/{survey.slug}/send/")
    page.get_by_label("Leden van groepen").select_option(label=group.name + " (Kansrijke Start Borsele)")
    portal.check(page, "survey-send-to-group-nl")
    with page.expect_navigation():
        page.get_by_role("button", name="De mail controleren").click()
    assert page.locator("[data-recipient-count]").get_attribute("data-recipient-count") == "2"
    with page.expect_navigation():
        page.get_by_role("button", name="Versturen naar 2 mensen").click()
    assert len(portal.mails_to("sanne@example.org")) == 1
    assert len(portal.mails_to("ilse@example.org")) == 1
    assert portal.mails_to("outsider@example.org") == []
