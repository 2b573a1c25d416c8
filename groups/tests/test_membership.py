"""The rules of groups as each role meets them, and the membership services: starting, joining, requests,
invitations, leaving, coordinators, removing, archiving."""

import pytest
from django.core import mail
from django.utils import timezone

from coalition.rules import NotAllowed
from groups import services
from groups.models import Group, Membership, Notice
from groups.services import GroupError
from members.models import Profile
from members.tests.factories import ProfileFactory

from .conftest import ROLES
from .factories import GroupFactory, MembershipFactory, coordinator_of, member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _user(persona, role):
    from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415 — only this helper needs it

    return persona(role) or AnonymousUser()


# --- The rules, role by role ----------------------------------------------------------------------------------

EXPECTED = {
    # role: (view_group_page, view_inside, manage_group, keep_actions, share_document, join)
    "anonymous": (False, False, False, False, False, False),
    "pending": (False, False, False, False, False, False),
    "member": (True, False, False, False, False, True),
    "group_member": (True, True, False, True, True, False),
    "group_coordinator": (True, True, True, True, True, False),
    "coalition_coordinator": (True, True, True, True, True, True),
    "other_coalition_coordinator": (True, False, False, False, False, True),
    "coordinator": (True, True, True, True, True, True),
}
PERMISSIONS = ["view_group_page", "view_inside", "manage_group", "keep_actions", "share_document", "join"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_exactly_what_the_rules_give_it(role, persona, group):
    user = _user(persona, role)
    answers = tuple(user.has_perm(f"groups.{name}", group) for name in PERMISSIONS)
    assert answers == EXPECTED[role]


def test_a_regional_group_is_managed_by_regional_coordinators_not_by_a_coalition_coordinator(
    coordinator, coalition_coordinator
):
    regional = GroupFactory(coalition=None)
    assert coordinator.has_perm("groups.manage_group", regional)
    assert not coalition_coordinator.has_perm("groups.manage_group", regional)
    assert not coalition_coordinator.has_perm("groups.view_inside", regional)


def test_who_may_start_a_group_of_which_coalition(coordinator, coalition_coordinator, other_coalition_coordinator):
    own = coalition_coordinator.coalition_roles.get().coalition
    assert coordinator.has_perm("groups.start_group", None)
    assert coordinator.has_perm("groups.start_group", own)
    assert coalition_coordinator.has_perm("groups.start_group", own)
    assert not coalition_coordinator.has_perm("groups.start_group", None)
    assert not other_coalition_coordinator.has_perm("groups.start_group", own)


def test_an_invited_or_asking_person_does_not_see_inside(group):
    invited = member_of(group, state=Membership.State.INVITED)
    asking = member_of(group, state=Membership.State.REQUESTED)
    assert not invited.has_perm("groups.view_inside", group)
    assert invited.has_perm("groups.accept_invitation", group)
    assert not asking.has_perm("groups.view_inside", group)
    assert not asking.has_perm("groups.join", group)


# --- Starting a group -----------------------------------------------------------------------------------------


def test_a_coalition_coordinator_starts_a_group_of_their_coalition_and_coordinates_it(coalition_coordinator):
    coalition = coalition_coordinator.coalition_roles.get().coalition
    group = services.start_group(
        name="Passend aanbod", slug="passend-aanbod", purpose="Aanbod dat aansluit.", coalition=coalition,
        by=coalition_coordinator,
    )  # fmt: skip
    membership = group.memberships.get()
    assert membership.profile.user == coalition_coordinator
    assert membership.is_coordinator
    assert coalition_coordinator.has_perm("groups.manage_group", group)


def test_the_starter_names_another_coordinator(coordinator):
    profile = ProfileFactory()
    group = services.start_group(name="Klankbord", slug="klankbord", purpose="Meedenken.", by=coordinator,
                                 kind=Group.Kind.SOUNDING_BOARD, coordinator=profile)  # fmt: skip
    assert group.coalition is None
    assert [m.profile for m in group.memberships.all()] == [profile]


def test_nobody_starts_a_group_of_a_coalition_they_do_not_coordinate(other_coalition_coordinator, group, member):
    coalition = group.coalition
    for user in (other_coalition_coordinator, member):
        with pytest.raises(NotAllowed):
            services.start_group(name="X", slug="x", purpose="x", coalition=coalition, by=user)
    with pytest.raises(NotAllowed):
        services.start_group(name="X", slug="x", purpose="x", coalition=None, by=other_coalition_coordinator)
    assert not Group.objects.filter(slug="x").exists()


def test_a_group_cannot_take_an_address_already_taken(coordinator, group):
    with pytest.raises(GroupError, match="web address") as refused:
        services.start_group(name="Y", slug=group.slug, purpose="y", by=coordinator)
    assert refused.value.field == "slug"


# --- Joining --------------------------------------------------------------------------------------------------


def test_joining_an_open_group_makes_an_active_member_at_once(member):
    group = GroupFactory(joining=Group.Joining.OPEN)
    membership = services.join(group, by=member)
    assert membership.is_active and membership.joined_at
    assert member.has_perm("groups.view_inside", group)  # the roles were forgotten, so this asks again


def test_asking_to_join_waits_for_a_coordinator_and_tells_them(group, group_coordinator, member):
    membership = services.join(group, by=member, message="Ik werk als JGZ-verpleegkundige.")
    assert membership.state == Membership.State.REQUESTED
    assert not member.has_perm("groups.view_inside", group)
    notice = Notice.objects.get(profile__user=group_coordinator)
    assert notice.kind == Notice.Kind.JOIN_REQUEST
    assert member.profile.full_name in notice.text


def test_an_invitation_only_group_refuses_a_request_with_a_clear_message(member):
    group = GroupFactory(joining=Group.Joining.BY_INVITATION)
    with pytest.raises(GroupError, match="takes members by invitation only") as refused:
        services.join(group, by=member)
    assert refused.value.field == "message"
    assert not Membership.objects.filter(group=group).exists()


@pytest.mark.parametrize("standing", [Profile.Status.PENDING, Profile.Status.DECLINED])
def test_people_not_approved_never_join(standing):
    group = GroupFactory(joining=Group.Joining.OPEN)
    user = ProfileFactory(status=standing).user
    with pytest.raises(GroupError, match="Only approved members"):
        services.join(group, by=user)
    assert not Membership.objects.filter(group=group).exists()


def test_a_coordinator_without_a_profile_a_guest_never_joins(django_user_model):
    group = GroupFactory(joining=Group.Joining.OPEN)
    account = django_user_model.objects.create_user(email="gast@minvws.example", password="x" * 12)
    with pytest.raises(GroupError, match="Only approved members"):
        services.join(group, by=account)


def test_joining_twice_or_an_archived_group_is_refused(member, group):
    services.join(group, by=member)
    with pytest.raises(NotAllowed):
        services.join(group, by=member)
    archived = GroupFactory(joining=Group.Joining.OPEN, archived_at=timezone.now())
    with pytest.raises(GroupError, match="archived"):
        services.join(archived, by=member)


# --- Answering requests -----------------------------------------------------------------------------------------


def test_a_group_coordinator_accepts_a_request_and_the_member_is_told(group, group_coordinator, member):
    request = services.join(group, by=member)
    services.accept_request(request, by=group_coordinator)
    request.refresh_from_db()
    assert request.is_active and request.decided_by == group_coordinator
    assert Notice.objects.filter(profile__user=member, kind=Notice.Kind.ACCEPTED).exists()
    with pytest.raises(GroupError, match="answered already"):
        services.accept_request(request, by=group_coordinator)


def test_declining_removes_the_request_and_mails_the_person(
    group, group_coordinator, member, django_capture_on_commit_callbacks
):
    request = services.join(group, by=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_request(request, by=group_coordinator)
    assert not Membership.objects.filter(pk=request.pk).exists()
    [message] = [m for m in mail.outbox if member.email in m.to[0]]
    assert group.name in message.subject and group.get_absolute_url() in message.body
    # They may ask again later.
    assert member.has_perm("groups.join", group)


@pytest.mark.parametrize("role", ["group_member", "member", "other_coalition_coordinator"])
def test_only_those_who_manage_the_group_answer_requests(role, persona, group):
    request = MembershipFactory(group=group, state=Membership.State.REQUESTED)
    with pytest.raises(NotAllowed):
        services.accept_request(request, by=persona(role))
    request.refresh_from_db()
    assert request.state == Membership.State.REQUESTED


def test_the_coordinators_of_the_coalition_and_the_region_answer_requests(group, coalition_coordinator, coordinator):
    first = MembershipFactory(group=group, state=Membership.State.REQUESTED)
    second = MembershipFactory(group=group, state=Membership.State.REQUESTED)
    services.accept_request(first, by=coalition_coordinator)
    services.decline_request(second, by=coordinator)
    assert Membership.objects.get(pk=first.pk).is_active


# --- Invitations ----------------------------------------------------------------------------------------------


def test_a_group_coordinator_invites_an_approved_member_who_accepts(group, group_coordinator):
    invitee = ProfileFactory()
    membership = services.invite(group, profile=invitee, by=group_coordinator)
    assert membership.state == Membership.State.INVITED and membership.invited_by == group_coordinator
    notice = Notice.objects.get(profile=invitee)
    assert notice.kind == Notice.Kind.INVITATION and notice.url == group.get_absolute_url()
    services.accept_invitation(group, by=invitee.user)
    assert Membership.objects.get(pk=membership.pk).is_active
    assert invitee.user.has_perm("groups.view_inside", group)


def test_an_invitation_can_be_declined(group, group_coordinator):
    invitee = ProfileFactory()
    services.invite(group, profile=invitee, by=group_coordinator)
    services.decline_invitation(group, by=invitee.user)
    assert not Membership.objects.filter(group=group, profile=invitee).exists()
    with pytest.raises(NotAllowed):
        services.accept_invitation(group, by=invitee.user)


def test_an_invitation_only_group_takes_invited_members(group_coordinator, group):
    Group.objects.filter(pk=group.pk).update(joining=Group.Joining.BY_INVITATION)
    group.refresh_from_db()
    invitee = ProfileFactory()
    services.invite(group, profile=invitee, by=group_coordinator)
    services.accept_invitation(group, by=invitee.user)
    assert invitee.user.has_perm("groups.view_inside", group)


def test_inviting_someone_who_asked_accepts_their_request(group, group_coordinator, member):
    services.join(group, by=member)
    services.invite(group, profile=member.profile, by=group_coordinator)
    assert Membership.objects.get(group=group, profile=member.profile).is_active


def test_only_approved_members_are_invited_and_nobody_twice(group, group_coordinator, group_member):
    pending = ProfileFactory(status=Profile.Status.PENDING)
    with pytest.raises(GroupError, match="Only approved members") as refused:
        services.invite(group, profile=pending, by=group_coordinator)
    assert refused.value.field == "profile"
    with pytest.raises(GroupError, match="already in this group"):
        services.invite(group, profile=group_member.profile, by=group_coordinator)


def test_a_member_does_not_invite(group, group_member):
    with pytest.raises(NotAllowed):
        services.invite(group, profile=ProfileFactory(), by=group_member)


# --- Leaving, coordinators, removing, archiving ---------------------------------------------------------------


def test_a_member_leaves(group, group_member):
    services.leave(group, by=group_member)
    assert not group_member.has_perm("groups.view_inside", group)
    with pytest.raises(NotAllowed):
        services.leave(group, by=group_member)


def test_the_last_coordinator_names_a_successor_before_leaving(group, group_coordinator, group_member):
    with pytest.raises(GroupError, match="last group coordinator") as refused:
        services.leave(group, by=group_coordinator)
    assert refused.value.field == "successor"
    assert group_coordinator.has_perm("groups.manage_group", group)
    with pytest.raises(GroupError, match="active member"):
        services.leave(group, by=group_coordinator, successor=ProfileFactory())
    services.leave(group, by=group_coordinator, successor=group_member.profile)
    assert Membership.objects.get(group=group, profile=group_member.profile).is_coordinator
    assert group_member.has_perm("groups.manage_group", group)
    assert not Membership.objects.filter(group=group, profile__user=group_coordinator).exists()


def test_a_coordinator_with_a_fellow_coordinator_just_leaves(group, group_coordinator):
    coordinator_of(group)
    services.leave(group, by=group_coordinator)
    assert Membership.objects.coordinators().filter(group=group).count() == 1


def test_making_and_unmaking_coordinators_keeps_at_least_one(group, group_coordinator, group_member):
    mine = Membership.objects.get(group=group, profile__user=group_coordinator)
    with pytest.raises(GroupError, match="at least one group coordinator"):
        services.unmake_coordinator(mine, by=group_coordinator)
    theirs = Membership.objects.get(group=group, profile__user=group_member)
    services.make_coordinator(theirs, by=group_coordinator)
    assert group_member.has_perm("groups.manage_group", group)
    services.unmake_coordinator(mine, by=group_member)
    assert not Membership.objects.get(pk=mine.pk).is_coordinator


def test_removing_a_member_and_never_the_last_coordinator(
    group, group_coordinator, group_member, coalition_coordinator
):
    services.remove_member(Membership.objects.get(group=group, profile__user=group_member), by=group_coordinator)
    assert not group_member.has_perm("groups.view_inside", group)
    with pytest.raises(GroupError, match="at least one group coordinator"):
        services.remove_member(Membership.objects.get(profile__user=group_coordinator), by=coalition_coordinator)


def test_a_member_removes_nobody(group, group_member, group_coordinator):
    with pytest.raises(NotAllowed):
        services.remove_member(Membership.objects.get(profile__user=group_coordinator), by=group_member)


def test_archiving_closes_joining_and_is_idempotent(group, group_coordinator, member):
    services.archive_group(group, by=group_coordinator)
    first = group.archived_at
    assert first is not None
    services.archive_group(group, by=group_coordinator)
    assert group.archived_at == first
    assert not member.has_perm("groups.join", group)


def test_choosing_notifications_is_for_members(group, group_member, member):
    services.set_notifications(group, by=group_member, notifications=Membership.Notifications.DIGEST)
    assert Membership.objects.get(profile__user=group_member).notifications == Membership.Notifications.DIGEST
    with pytest.raises(NotAllowed):
        services.set_notifications(group, by=member, notifications=Membership.Notifications.OFF)
    with pytest.raises(GroupError, match="Choose one"):
        services.set_notifications(group, by=group_member, notifications="weekly")
