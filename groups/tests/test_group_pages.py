"""The pages of groups as each role sees them: the list, a group's page, joining, invitations, leaving, managing
the members; the coalition page's list of groups; query counts with many groups and members."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from events.models import Event, MeetingNotes
from events.tests.factories import EventFactory
from groups import sections
from groups.models import Action, Group, Membership
from network.sections import Section

from .conftest import ROLES
from .factories import ActionFactory, DocumentFactory, GroupFactory, MembershipFactory, member_of

pytestmark = pytest.mark.django_db


def _client(client, persona, role):
    user = persona(role)
    if user is not None:
        client.force_login(user)
    return client


def _status(response):
    """200, 403, or "login" for the login redirect."""
    if response.status_code == 302 and "/accounts/login/" in response.url:
        return "login"
    return response.status_code


# role: (list and page, inside shown, members page)
PAGES = {
    "anonymous": ("login", False, "login"),
    "pending": (403, False, 403),
    "member": (200, False, 403),
    "group_member": (200, True, 403),
    "group_coordinator": (200, True, 200),
    "coalition_coordinator": (200, True, 200),
    "other_coalition_coordinator": (200, False, 403),
    "coordinator": (200, True, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_the_pages_the_rules_give_it(role, persona, client, group, group_member, group_coordinator):
    page, inside, manage = PAGES[role]
    client = _client(client, persona, role)
    assert _status(client.get(reverse("groups:group_list"))) == page
    response = client.get(reverse("groups:group_detail", args=[group.slug]))
    assert _status(response) == page
    if page == 200:
        html = response.content.decode()
        assert group.name in html and group_coordinator.profile.full_name in html
        # The members list (with the group member's name) only for those who see inside.
        assert (group_member.profile.full_name in html) is inside
    assert _status(client.get(reverse("groups:manage_members", args=[group.slug]))) == manage


def test_the_list_shows_kind_coalition_or_regional_count_and_how_to_join_own_groups_first(client, group, group_member):
    GroupFactory(name="Regionale klankbordgroep", coalition=None, kind=Group.Kind.SOUNDING_BOARD,
                 joining=Group.Joining.BY_INVITATION)  # fmt: skip
    GroupFactory(name="Aaa eerst alfabetisch", coalition=group.coalition, joining=Group.Joining.OPEN)
    client.force_login(group_member)
    html = client.get(reverse("groups:group_list")).content.decode()
    assert html.index("Vroegsignalering") < html.index("Aaa eerst alfabetisch")  # own group first
    with translation.override("nl"):  # the page's language, whatever the catalogue says today
        regional, sounding_board = str(_("Regional")), str(Group.Kind.SOUNDING_BOARD.label)
    assert regional in html and sounding_board in html
    assert group.coalition.name in html


def test_the_list_filters_by_coalition_and_kind(client, member, group):
    GroupFactory(name="Regionale klankbordgroep", coalition=None, kind=Group.Kind.SOUNDING_BOARD)
    client.force_login(member)
    regional = client.get(reverse("groups:group_list"), {"coalition": "regional"}).content.decode()
    assert "Regionale klankbordgroep" in regional and "Vroegsignalering" not in regional
    own = client.get(reverse("groups:group_list"), {"coalition": group.coalition_id}).content.decode()
    assert "Vroegsignalering" in own and "Regionale klankbordgroep" not in own
    kind = client.get(reverse("groups:group_list"), {"kind": "sounding_board"}).content.decode()
    assert "Regionale klankbordgroep" in kind and "Vroegsignalering" not in kind


def test_contact_details_follow_each_persons_visibility(client, member, group):
    hidden = member_of(group, role=Membership.Role.COORDINATOR, phone_visibility="coordinators")
    shown = member_of(group, role=Membership.Role.COORDINATOR, phone_visibility="members")
    client.force_login(member)
    html = client.get(reverse("groups:group_detail", args=[group.slug])).content.decode()
    assert shown.profile.direct_phone in html
    assert hidden.profile.direct_phone not in html
    assert shown.profile.get_absolute_url() in html


# --- Joining and its buttons ----------------------------------------------------------------------------------


def test_the_right_button_for_each_way_of_joining(client, member):
    client.force_login(member)
    cases = {
        # A button that joins at once, a link to the page that asks, nothing to click.
        Group.Joining.OPEN: ('<form method="post" action="/groups/g-open/join/">', True),
        Group.Joining.ON_REQUEST: ('<a class="btn btn-primary" href="/groups/g-on_request/join/">', True),
        Group.Joining.BY_INVITATION: ("/groups/g-by_invitation/join/", False),
    }
    for joining, (expected, present) in cases.items():
        group = GroupFactory(joining=joining, slug=f"g-{joining}")
        html = client.get(group.get_absolute_url()).content.decode()
        assert (expected in html) is present, joining


def test_joining_an_open_group_from_its_page(client, member):
    group = GroupFactory(joining=Group.Joining.OPEN)
    client.force_login(member)
    response = client.post(reverse("groups:join", args=[group.slug]))
    assert response.status_code == 302
    assert Membership.objects.get(group=group, profile__user=member).is_active
    assert reverse("groups:leave", args=[group.slug]) in client.get(group.get_absolute_url()).content.decode()


def test_asking_to_join_an_invitation_only_group_says_why_in_dutch_and_keeps_the_message(client, member):
    group = GroupFactory(joining=Group.Joining.BY_INVITATION)
    client.force_login(member)
    response = client.post(reverse("groups:join", args=[group.slug]), {"message": "Ik wil graag meedenken."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert 'href="#id_message"' in html  # the message is at the field
    assert "Ik wil graag meedenken." in html  # what was typed is kept
    assert not Membership.objects.filter(group=group).exists()


def test_a_pending_person_cannot_ask_to_join(client, pending_member, group):
    client.force_login(pending_member)
    assert client.post(reverse("groups:join", args=[group.slug])).status_code == 403
    assert not Membership.objects.filter(group=group).exists()


def test_accepting_an_invitation_from_the_page(client, group):
    invited = member_of(group, state=Membership.State.INVITED)
    client.force_login(invited)
    assert "answer_invitation" not in client.get(group.get_absolute_url()).content.decode()
    assert (
        reverse("groups:answer_invitation", args=[group.slug]) in client.get(group.get_absolute_url()).content.decode()
    )
    client.post(reverse("groups:answer_invitation", args=[group.slug]), {"action": "accept"})
    assert Membership.objects.get(group=group, profile__user=invited).is_active


def test_only_the_invited_answer_an_invitation(client, member, group):
    client.force_login(member)
    assert client.post(reverse("groups:answer_invitation", args=[group.slug])).status_code == 403


def test_the_last_coordinator_must_name_a_successor_to_leave(client, group, group_coordinator, group_member):
    client.force_login(group_coordinator)
    url = reverse("groups:leave", args=[group.slug])
    response = client.post(url, {})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert Membership.objects.filter(group=group, profile__user=group_coordinator).exists()
    response = client.post(url, {"successor": group_member.profile.pk})
    assert response.status_code == 302
    assert Membership.objects.get(group=group, profile__user=group_member).is_coordinator


# --- Managing the members -------------------------------------------------------------------------------------


def test_a_group_coordinator_finds_approved_members_to_invite_by_searching(
    client, group, group_coordinator, pending_member
):
    client.force_login(group_coordinator)
    url = reverse("groups:manage_members", args=[group.slug])
    invitee = MembershipFactory(profile__last_name="Zoekbaar").profile  # approved, in another group
    pending_member.profile.last_name = "Zoekbaar"
    pending_member.profile.save()
    assert 'name="invite-profile"' not in client.get(url).content.decode()  # no list of the whole network
    html = client.get(url, {"q": "zoekbaar"}).content.decode()
    options = html.split('name="invite-profile"')[1].split("</select>")[0]
    assert invitee.full_name in options
    assert pending_member.profile.full_name not in options
    in_group = client.get(url, {"q": group_coordinator.profile.last_name}).content.decode()
    assert 'name="invite-profile"' not in in_group  # in the group already
    response = client.post(url, {"action": "invite", "invite-search": "zoekbaar", "invite-profile": invitee.pk})
    assert response.status_code == 302
    assert Membership.objects.get(group=group, profile=invitee).state == Membership.State.INVITED
    refused = client.post(
        url, {"action": "invite", "invite-search": "zoekbaar", "invite-profile": pending_member.profile.pk}
    )
    assert refused.status_code == 200 and "error-summary" in refused.content.decode()
    assert 'value="zoekbaar"' in refused.content.decode()  # the search is kept


def test_an_invite_search_offers_the_best_matches_only(client, group, group_coordinator, monkeypatch):
    monkeypatch.setattr("groups.forms.INVITE_MATCHES", 3)
    MembershipFactory.create_batch(5, profile__last_name="Veelvoud")
    client.force_login(group_coordinator)
    html = client.get(reverse("groups:manage_members", args=[group.slug]), {"q": "veelvoud"}).content.decode()
    options = html.split('name="invite-profile"')[1].split("</select>")[0]
    assert options.count("<option value=") == 1 + 3  # the empty choice and the three that fit
    assert "Typ meer van de naam" in html


def test_requests_are_answered_and_roles_changed_on_the_members_page(client, group, group_coordinator):
    asking = MembershipFactory(group=group, state=Membership.State.REQUESTED)
    member = MembershipFactory(group=group)
    client.force_login(group_coordinator)
    url = reverse("groups:manage_members", args=[group.slug])
    client.post(url, {"action": "accept", "membership": asking.pk})
    assert Membership.objects.get(pk=asking.pk).is_active
    client.post(url, {"action": "make_coordinator", "membership": member.pk})
    assert Membership.objects.get(pk=member.pk).is_coordinator
    client.post(url, {"action": "remove", "membership": asking.pk})
    assert not Membership.objects.filter(pk=asking.pk).exists()


def test_the_group_page_shows_open_requests_to_those_who_manage(client, group, group_coordinator, group_member):
    asking = MembershipFactory(group=group, state=Membership.State.REQUESTED)
    client.force_login(group_coordinator)
    assert asking.profile.full_name in client.get(group.get_absolute_url()).content.decode()
    client.force_login(group_member)
    assert asking.profile.full_name not in client.get(group.get_absolute_url()).content.decode()


def test_the_sections_of_higher_layers_show_inside_only(client, group, group_member, member, monkeypatch):
    def section(group_, user):
        return Section(title="Vergaderingen", template="groups/includes/how_to_join.html", context={})

    monkeypatch.setattr(sections, "GROUP_SECTIONS", [section])
    client.force_login(group_member)
    assert "Vergaderingen" in client.get(group.get_absolute_url()).content.decode()
    client.force_login(member)
    assert "Vergaderingen" not in client.get(group.get_absolute_url()).content.decode()


# --- The coalition's page -------------------------------------------------------------------------------------


def test_the_coalition_page_lists_its_groups_for_approved_members_only(client, group, member, pending_member):
    url = reverse("network:coalition_detail", args=[group.coalition.slug])
    assert group.name not in client.get(url).content.decode()
    client.force_login(pending_member)
    assert group.name not in client.get(url).content.decode()
    client.force_login(member)
    html = client.get(url).content.decode()
    assert group.name in html and group.get_absolute_url() in html


# --- Query counts ---------------------------------------------------------------------------------------------


def _grow_groups(coalition, n):
    for group in GroupFactory.create_batch(n, coalition=coalition):
        MembershipFactory.create_batch(2, group=group)
        MembershipFactory(group=group, role=Membership.Role.COORDINATOR)


def test_the_list_takes_as_many_queries_for_many_groups(client, member, group, django_assert_max_num_queries):
    client.force_login(member)
    url = reverse("groups:group_list")
    _grow_groups(group.coalition, 2)
    client.get(url)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    _grow_groups(group.coalition, 20)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count('class="card h-100"') == 23


@pytest.mark.parametrize("role", ["member", "group_coordinator"])
def test_the_group_page_takes_as_many_queries_for_many_members(
    role, persona, client, group, django_assert_max_num_queries
):
    client = _client(client, persona, role)
    url = group.get_absolute_url()

    def grow(n):
        MembershipFactory.create_batch(n, group=group)
        MembershipFactory.create_batch(n, group=group, role=Membership.Role.COORDINATOR)
        MembershipFactory.create_batch(n, group=group, state=Membership.State.REQUESTED)

    grow(2)
    client.get(url)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    grow(40)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200


def test_the_members_page_takes_as_many_queries_for_many_members(
    client, group, group_coordinator, django_assert_max_num_queries
):
    client.force_login(group_coordinator)
    url = reverse("groups:manage_members", args=[group.slug])
    MembershipFactory.create_batch(2, group=group)
    client.get(url)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    MembershipFactory.create_batch(40, group=group)
    MembershipFactory.create_batch(10, group=group, state=Membership.State.REQUESTED)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_the_coalition_page_takes_as_many_queries_for_many_groups(client, member, group, django_assert_max_num_queries):
    client.force_login(member)
    url = reverse("network:coalition_detail", args=[group.coalition.slug])
    _grow_groups(group.coalition, 2)
    client.get(url)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    _grow_groups(group.coalition, 20)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count("/groups/werkgroep-") == 22


@pytest.mark.parametrize("role", ["group_member", "coordinator"])
def test_the_whole_group_page_takes_as_many_queries_with_200_actions_and_many_meetings(
    role, persona, client, group, django_assert_max_num_queries
):
    """Every section of the inside (actions, documents, meetings with notes, members) together: nothing grows with
    the data, from a few of each to 200 actions, 30 documents, 40 members and 20 meetings."""
    client = _client(client, persona, role)
    url = group.get_absolute_url()
    owners = [MembershipFactory(group=group).profile for _ in range(4)]

    def grow(n):
        for index in range(n):
            ActionFactory(group=group, owners=owners[index % 4 : index % 4 + 2], due_on=None)
        DocumentFactory.create_batch(max(1, n // 7), group=group)
        MembershipFactory.create_batch(max(1, n // 5), group=group)
        for index in range(max(1, n // 10)):
            meeting = EventFactory(group=group, kind=Event.Kind.GROUP_MEETING, coalition=group.coalition)
            MeetingNotes.objects.create(event=meeting, decisions=f"Besluit {index}")

    grow(3)
    client.get(url)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    grow(197)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    assert Action.objects.filter(group=group).count() == 200
