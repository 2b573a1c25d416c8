"""The rotating editorial team: the group follows the memberships' dates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coalition.roles import is_editor
from journal import services, tasks

from .factories import EditorialMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    user.refresh_from_db()
    user.__dict__.pop("_role_names", None)
    return user


def test_current_members_join_the_group_and_former_members_leave():
    today = timezone.localdate()
    current = EditorialMembershipFactory(user=UserFactory())
    former = EditorialMembershipFactory(user=UserFactory(), end_date=today - timedelta(days=1))
    future = EditorialMembershipFactory(user=UserFactory(), start_date=today + timedelta(days=5))
    services.sync_editorial_team()
    assert is_editor(fresh(current.user))
    assert fresh(current.user).is_staff
    assert not is_editor(fresh(former.user))
    assert not is_editor(fresh(future.user))


def test_ending_a_membership_removes_editor_rights(coordinator):
    membership = EditorialMembershipFactory(user=UserFactory())
    services.save_membership(membership, by=coordinator)
    assert is_editor(fresh(membership.user))
    services.end_membership(membership, by=coordinator, on=timezone.localdate() - timedelta(days=1))
    user = fresh(membership.user)
    assert not is_editor(user)
    assert not user.is_staff


def test_daily_task_brings_the_group_in_line():
    membership = EditorialMembershipFactory(user=UserFactory())
    tasks.sync_editorial_team.delay()
    assert is_editor(fresh(membership.user))


def test_only_coordinators_change_the_team(editor):
    with pytest.raises(services.NotAllowed):
        services.save_membership(EditorialMembershipFactory.build(user=UserFactory()), by=editor)


def test_journal_page_shows_the_current_team(client):
    membership = EditorialMembershipFactory(user=UserFactory(first_name="Ruben", last_name="Redacteur"))
    response = client.get("/journal/")
    assert "Ruben Redacteur" in response.content.decode()
    assert membership.user.email not in response.content.decode()
