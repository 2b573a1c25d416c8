"""Groups in the admin: a coalition coordinator sees and starts the groups of their own coalitions only, a regional
coordinator all; admin actions go through the services."""

import pytest
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse

from coalition.tests.test_admin_pages import unchanged_post_data
from groups.models import Group, Membership

from .factories import ActionFactory, DocumentFactory, GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:groups_group_add")
CHANGELIST = reverse("admin:groups_group_changelist")


def _group_data(**changes):
    data = {
        "name": "Passend aanbod",
        "slug": "passend-aanbod",
        "kind": Group.Kind.WORKING_GROUP,
        "coalition": "",
        "purpose": "Aanbod dat aansluit bij ouders.",
        "joining": Group.Joining.ON_REQUEST,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_a_coalition_coordinator_starts_a_group_of_their_coalition_and_coordinates_it(client, coalition_coordinator):
    coalition = coalition_coordinator.coalition_roles.get().coalition
    client.force_login(coalition_coordinator)
    response = client.post(ADD, _group_data(coalition=coalition.pk))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    group = Group.objects.get(slug="passend-aanbod")
    assert group.created_by == coalition_coordinator
    assert group.memberships.get().profile.user == coalition_coordinator
    assert group.memberships.get().is_coordinator


def test_a_coalition_coordinator_cannot_start_a_regional_or_another_coalitions_group(
    client, coalition_coordinator, other_coalition_coordinator
):
    other = other_coalition_coordinator.coalition_roles.get().coalition
    client.force_login(coalition_coordinator)
    for coalition in ("", other.pk):
        response = client.post(ADD, _group_data(coalition=coalition))
        assert response.status_code == 200
        assert "coalition" in response.context["adminform"].form.errors
    assert not Group.objects.exists()


def test_a_regional_coordinator_starts_a_regional_group(client, coordinator):
    client.force_login(coordinator)
    response = client.post(ADD, _group_data())
    assert response.status_code == 302
    assert Group.objects.get().coalition is None


def test_a_coalition_coordinator_sees_only_their_own_coalitions_groups(
    client, group, coalition_coordinator, other_coalition_coordinator
):
    elsewhere = GroupFactory(name="Elders", coalition=other_coalition_coordinator.coalition_roles.get().coalition)
    client.force_login(coalition_coordinator)
    html = client.get(CHANGELIST).content.decode()
    assert group.name in html and "Elders" not in html
    assert client.get(reverse("admin:groups_group_change", args=[elsewhere.pk])).status_code == 403
    assert client.get(reverse("admin:groups_group_change", args=[group.pk])).status_code == 200


def test_the_change_page_saves_unchanged_with_its_members(client, coordinator, group, group_coordinator):
    MembershipFactory.create_batch(2, group=group)
    client.force_login(coordinator)
    url = reverse("admin:groups_group_change", args=[group.pk])
    response = client.post(url, unchanged_post_data(client.get(url)))
    assert response.status_code == 302
    assert group.memberships.count() == 3


def test_a_pending_person_is_refused_as_member_at_the_field(client, coordinator, group, pending_member):
    client.force_login(coordinator)
    url = reverse("admin:groups_group_change", args=[group.pk])
    data = unchanged_post_data(client.get(url))
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-profile": pending_member.profile.pk,
            "memberships-0-role": "member",
            "memberships-0-state": "active",
            "memberships-0-notifications": "each",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Membership.objects.filter(profile=pending_member.profile).exists()


def test_the_archive_action_goes_through_the_service(client, coalition_coordinator, group):
    client.force_login(coalition_coordinator)
    client.post(CHANGELIST, {"action": "archive", "_selected_action": [group.pk]})
    group.refresh_from_db()
    assert group.archived_at is not None


def test_accepting_requests_in_the_admin_tells_the_member(client, coordinator, group):
    asking = MembershipFactory(group=group, state=Membership.State.REQUESTED)
    client.force_login(coordinator)
    client.post(
        reverse("admin:groups_membership_changelist"), {"action": "accept_requests", "_selected_action": [asking.pk]}
    )
    assert Membership.objects.get(pk=asking.pk).is_active
    assert asking.profile.group_notices.exists()


def test_actions_and_documents_are_listed_for_their_coalitions_coordinator(client, coalition_coordinator, group):
    ActionFactory(group=group, title="Folder maken")
    DocumentFactory(group=group, title="Verslag juni")
    client.force_login(coalition_coordinator)
    assert "Folder maken" in client.get(reverse("admin:groups_action_changelist")).content.decode()
    assert "Verslag juni" in client.get(reverse("admin:groups_document_changelist")).content.decode()


def test_members_and_group_coordinators_without_staff_are_refused_the_admin(client, member, group_coordinator):
    for user in (member, group_coordinator):
        client.force_login(user)
        assert client.get(CHANGELIST).status_code == 302  # the admin's own login page


def test_a_coalition_coordinator_picks_members_from_a_list_of_approved_people_not_the_closed_autocomplete(
    client, coalition_coordinator, group, group_coordinator, pending_member
):
    """The members admin's search is for regional coordinators only: a coalition coordinator gets a plain list."""
    client.force_login(coalition_coordinator)
    response = client.get(reverse("admin:groups_group_change", args=[group.pk]))
    assert response.status_code == 200
    field = response.context["inline_admin_formsets"][0].formset.forms[0].fields["profile"]
    assert not isinstance(getattr(field.widget, "widget", field.widget), AutocompleteSelect)
    people = set(field.queryset)
    assert group_coordinator.profile in people and pending_member.profile not in people
