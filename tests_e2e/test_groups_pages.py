"""Groups in the browser: a member finds a working group, asks to join and is refused by an invitation-only one; the
group coordinator accepts the request on the members page; the member chooses a daily digest and stops the mails
with the link from a notification. Every page passes axe."""

import re

import pytest

from groups.models import Group, Membership
from members.models import Organisation
from network.models import Coalition


@pytest.fixture
def borsele_groups(transactional_db, make_user):
    coalition = Coalition.objects.create(name="Kansrijke Start Borsele", slug="borsele")
    midwives = Organisation.objects.create(name="Verloskundigen Bevelanden", slug="verloskundigen-bevelanden")
    ilse = make_user("ilse@example.org", role="Member", first_name="Ilse", organisation=midwives, direct_phone="06-1")
    early = Group.objects.create(
        name="Vroegsignalering en tijdige steun",
        slug="vroegsignalering",
        coalition=coalition,
        purpose="Signalen van stress bij aanstaande ouders eerder zien en samen oppakken.",
        joining=Group.Joining.ON_REQUEST,
    )
    Membership.objects.create(group=early, profile=ilse.profile, role=Membership.Role.COORDINATOR)
    Group.objects.create(
        name="Regionale klankbordgroep",
        slug="klankbord",
        kind=Group.Kind.SOUNDING_BOARD,
        purpose="Meedenken over het regionale plan.",
        joining=Group.Joining.BY_INVITATION,
    )
    return early


def test_a_member_asks_to_join_and_the_group_coordinator_accepts(portal, borsele_groups, make_user):
    make_user("mila@example.org", role="Member", first_name="Mila")
    member = portal.visitor()
    portal.log_in(member, "mila@example.org", next_url="/groups/")
    portal.check(member, "group-list")
    member.get_by_role("link", name="Regionale klankbordgroep").click()
    member.wait_for_url("**/groups/klankbord/")
    portal.check(member, "group-page-by-invitation")
    member.goto("/groups/klankbord/join/")
    portal.field(member, "Message to the group coordinators").fill("Ik denk graag mee.")
    with member.expect_navigation():
        member.get_by_role("button", name="Ask to join").click()
    summary = member.locator(".error-summary")
    assert "invitation only" in summary.inner_text()
    assert portal.field(member, "Message to the group coordinators").input_value() == "Ik denk graag mee."
    portal.check(member, "group-join-errors")

    member.goto("/groups/vroegsignalering/")
    portal.check(member, "group-page-outside")
    member.get_by_role("link", name="Ask to join").click()
    member.wait_for_url("**/groups/vroegsignalering/join/")
    portal.check(member, "group-join")
    with member.expect_navigation():
        member.get_by_role("button", name="Ask to join").click()
    assert "has been sent" in member.get_by_role("main").inner_text()

    (notice,) = portal.mails_to("ilse@example.org")
    link = portal.link_in(notice, r"/groups/vroegsignalering/members/")
    coordinator = portal.visitor()
    portal.log_in(coordinator, "ilse@example.org", next_url=link.removeprefix(portal.url))
    portal.check(coordinator, "group-members")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Accept").click()
    assert "Mila" in coordinator.get_by_role("main").inner_text()

    member.goto("/groups/vroegsignalering/")
    portal.check(member, "group-page-inside")
    member.get_by_role("radio", name="One daily digest").check()
    with member.expect_navigation():
        member.get_by_role("button", name="Save").click()
    assert member.get_by_role("radio", name="One daily digest").is_checked()

    (accepted,) = portal.mails_to("mila@example.org")
    stop = portal.link_in(accepted, r"/groups/mail/stop/[^\s]+/")
    member.goto(stop)
    portal.check(member, "group-stop-mails")
    with member.expect_navigation():
        member.get_by_role("button", name=re.compile("stop these mails")).click()
    assert Membership.objects.get(profile__user__email="mila@example.org").notifications == "off"
