"""The members of a group as a part of the network that announcements, invitations and surveys go to (issue 17)."""

import pytest

from groups.models import Membership
from members.models import Profile
from network.audiences import SOURCES, Segment, people_of
from network.forms import SegmentForm

from .factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_groups_source_is_registered():
    assert "groups" in SOURCES


def test_a_segment_of_groups_reaches_their_active_approved_members_each_once():
    first, second, third = GroupFactory(), GroupFactory(), GroupFactory()
    both = MembershipFactory(group=first, profile__user__email="Both@Example.org").profile
    MembershipFactory(group=second, profile=both)
    only_second = MembershipFactory(group=second).profile
    MembershipFactory(group=first, state=Membership.State.REQUESTED)
    MembershipFactory(group=first, state=Membership.State.INVITED)
    MembershipFactory(group=first, profile__status=Profile.Status.PENDING)
    MembershipFactory(group=third)  # not chosen

    people, _left_out = people_of(Segment(sources={"groups": [first.pk, second.pk]}))

    assert sorted(person.email for person in people) == sorted(["both@example.org", only_second.user.email.lower()])
    assert {person.profile_id for person in people} == {both.pk, only_second.pk}


def test_the_segment_form_offers_the_groups_and_stores_their_ids():
    group = GroupFactory(name="Klankbordgroep Noord")
    member = MembershipFactory(group=group).profile
    form = SegmentForm({"segment-source_groups": [group.pk]})
    assert "source_groups" in form.fields
    assert form.is_valid(), form.errors
    segment = Segment.from_form(form.cleaned_data)
    assert segment.sources == {"groups": [group.pk]}
    assert Segment.from_params(segment.to_params()) == segment
    people, _left_out = people_of(segment)
    assert [person.profile_id for person in people] == [member.pk]
