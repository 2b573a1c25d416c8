"""'Download my data' holds a person's groups, the actions that are theirs and the cases they put to an MDO, in
words they read (members.exports)."""

import pytest
from django.utils import translation

from events.models import Case, Event
from events.tests.factories import EventFactory
from groups.models import Group, Membership
from members import services as member_services
from members.exports import readable_member_data

from .factories import ActionFactory, GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_download_names_the_persons_groups_actions_and_cases_and_nobody_elses():
    membership = MembershipFactory(
        group=GroupFactory(name="Vroegsignalering"),
        role=Membership.Role.COORDINATOR,
        notifications=Membership.Notifications.DIGEST,
    )
    profile = membership.profile
    ActionFactory(group=membership.group, title="Kaart verspreiden", owners=[profile])
    ActionFactory(group=membership.group, title="Iemand anders", owners=[MembershipFactory().profile])
    mdo = GroupFactory(name="MDO", kind=Group.Kind.CASE_CONSULTATION)
    meeting = EventFactory(group=mdo, kind=Event.Kind.GROUP_MEETING, title="Casusoverleg")
    Case.objects.create(event=meeting, theme="Geldzorgen", question="Wie belt?", submitted_by=profile)
    Case.objects.create(event=meeting, theme="Ander thema", question="?", submitted_by=MembershipFactory().profile)

    data = member_services.export_data(profile.user)

    (place,) = data["groups"]["group_memberships"]
    assert place["group"] == "Vroegsignalering" and place["group_role"] == "coordinator"
    assert place["notifications"] == "digest"
    assert [action["what"] for action in data["groups"]["group_actions"]] == ["Kaart verspreiden"]
    assert [(case["theme"], case["event"]) for case in data["cases"]] == [("Geldzorgen", "Casusoverleg")]

    with translation.override("nl"):
        readable = readable_member_data(data)
    groups = readable["Groepen"]
    (place,) = groups["groepen waar je in zit"]
    assert place["rol in de groep"] == "Groepscoördinator"
    assert place["mails over deze groep"] == "Eén dagelijks overzicht"
    assert groups["actiepunten die van jou zijn"][0]["status"] == "Open"
