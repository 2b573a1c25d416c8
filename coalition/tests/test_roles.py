"""The roles every page asks (coalition/roles.py): one narrow query per request, and never stale across requests."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalition import roles
from coalition.roles import COORDINATOR, EDITORIAL_TEAM, MEMBER
from members.models import Profile

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("members:profile_list")
PENDING = reverse("members:pending")


def fresh(user):
    """The account as the next request loads it: a new object, no roles read yet."""
    return type(user).objects.get(pk=user.pk)


def test_a_member_who_is_declined_loses_the_directory_with_the_next_request(member_client, member):
    assert member_client.get(DIRECTORY).status_code == 200
    Profile.objects.filter(user=member).update(status=Profile.Status.DECLINED)
    assert member_client.get(DIRECTORY).status_code == 403


def test_a_pending_member_who_is_approved_sees_the_directory_with_the_next_request(client, pending_member):
    client.force_login(pending_member)
    assert client.get(DIRECTORY).status_code == 403
    Profile.objects.filter(user=pending_member).update(status=Profile.Status.APPROVED)
    assert client.get(DIRECTORY).status_code == 200


def test_a_coordinator_removed_from_the_role_loses_its_pages_with_the_next_request(coordinator_client, coordinator):
    assert coordinator_client.get(PENDING).status_code == 200
    coordinator.groups.remove(Group.objects.get(name=COORDINATOR))
    assert coordinator_client.get(PENDING).status_code == 403


def test_a_deactivated_member_is_refused_with_the_next_request(member_client, member):
    assert member_client.get(DIRECTORY).status_code == 200
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    assert member_client.get(DIRECTORY).status_code != 200


def test_every_role_question_of_a_request_costs_one_query(member):
    member.groups.add(Group.objects.get(name=EDITORIAL_TEAM))
    user = fresh(member)
    with CaptureQueriesContext(connection) as captured:
        answers = (roles.is_approved_member(user), roles.is_editor(user), roles.is_coordinator(user))
        answers += (roles.has_role(user, MEMBER), roles.is_approved_member(user))
    assert answers == (True, True, False, True, True)
    assert len(captured) == 1


@pytest.mark.parametrize(
    ("status", "approved"),
    [(Profile.Status.APPROVED, True), (Profile.Status.PENDING, False), (Profile.Status.DECLINED, False)],
)
def test_the_narrow_query_answers_as_the_profile_does(member, status, approved):
    Profile.objects.filter(user=member).update(status=status)
    assert roles.is_approved_member(fresh(member)) is approved
    assert fresh(member).profile.is_approved is approved


def test_a_person_without_profile_or_groups_is_no_member(django_user_model):
    user = django_user_model.objects.create_user(email="nobody@example.org", password="x" * 12)
    assert not roles.is_approved_member(fresh(user))
    assert not roles.is_editor(fresh(user))


def test_a_coordinator_without_profile_is_an_approved_member(django_user_model):
    user = django_user_model.objects.create_user(email="regio@example.org", password="x" * 12)
    user.groups.add(Group.objects.get(name=COORDINATOR))
    assert roles.is_approved_member(fresh(user))


def test_roles_and_a_profile_set_in_memory_answer_without_a_query(django_user_model):
    viewer = django_user_model(pk=0, is_active=True)  # a stand-in viewer, as "see my page as others do" builds
    viewer._role_names = {MEMBER}
    Profile(user=viewer, status=Profile.Status.APPROVED)  # sets viewer.profile
    with CaptureQueriesContext(connection) as captured:
        assert roles.is_approved_member(viewer)
        assert not roles.is_editor(viewer)
    assert len(captured) == 0


def test_a_page_reads_the_roles_once_and_not_the_profile(member_client):
    """Through request.user (a lazy object): the header, the navigation and the rules all share one read."""
    member_client.get(DIRECTORY)
    with CaptureQueriesContext(connection) as captured:
        assert member_client.get(DIRECTORY).status_code == 200
    statements = [query["sql"] for query in captured]
    assert sum("auth_group" in sql for sql in statements) == 1, statements
    assert not any(sql.startswith('SELECT "members_profile"."id"') and "LIMIT 21" in sql for sql in statements)
