"""The groups' demo: Borsele's working groups and MDO, a sounding-board group elsewhere, meetings with notes and
anonymised cases — and a second run changes nothing."""

import pytest
from django.utils import timezone

from events import group_meetings_demo
from events.models import Case, Event, MeetingNotes
from groups import demo
from groups.models import Action, ActionChange, Group, Membership
from groups.privacy import identifiers_in
from groups.reports import default_since, look_back
from members import demo as members_demo
from network import demo as network_demo

pytestmark = pytest.mark.django_db


def _seed():
    demo.seed()
    group_meetings_demo.seed()


def _counts():
    return [model.objects.count() for model in (Group, Membership, Action, ActionChange, Event, MeetingNotes, Case)] + [
        MeetingNotes.actions_created.through.objects.count(),
        MeetingNotes.actions_closed.through.objects.count(),
    ]


@pytest.fixture
def network():
    members_demo.seed()
    network_demo.seed()


def test_the_demo_makes_what_the_issue_names_and_a_second_run_changes_nothing(network):
    _seed()
    counts = _counts()
    _seed()
    assert _counts() == counts

    early = Group.objects.get(slug=demo.EARLY_SIGNALLING)
    fitting = Group.objects.get(slug=demo.FITTING_OFFERINGS)
    assert (early.name, fitting.name) == ("Vroegsignalering en tijdige ondersteuning", "Passend en afgestemd aanbod")
    assert early.coalition.slug == fitting.coalition.slug == "borsele"
    assert {early.kind, fitting.kind} == {Group.Kind.WORKING_GROUP}
    for group in (early, fitting):
        assert group.memberships.coordinators().exists()
        assert group.memberships.active().filter(role=Membership.Role.MEMBER).count() >= 3
        assert group.focus_points.exists()
    # The coalition coordinator's login coordinates a working group; the demo member sits on the sounding board.
    assert fitting.memberships.coordinators().filter(profile__user__email=network_demo.COALITION_COORDINATOR_EMAIL)
    sounding = Group.objects.get(slug=demo.SOUNDING_BOARD)
    assert sounding.kind == Group.Kind.SOUNDING_BOARD and sounding.coalition.slug != "borsele"
    assert sounding.memberships.active().filter(profile__user__email=demo.DEMO_MEMBER).exists()
    assert early.memberships.filter(state=Membership.State.REQUESTED).exists()

    # Actions in every state, one overdue, each with its history and owners who are members of the group.
    borsele_actions = Action.objects.filter(group__in=[early, fitting])
    assert set(borsele_actions.values_list("status", flat=True)) == set(Action.Status.values)
    assert Action.objects.overdue().filter(group=early).count() == 1
    for action in Action.objects.prefetch_related("owners", "changes"):
        assert action.changes.all(), action
        assert action.owners.all(), action
        members = set(action.group.memberships.active().values_list("profile_id", flat=True))
        assert {owner.pk for owner in action.owners.all()} <= members, action
        assert action.is_finished == (action.closed_on is not None), action

    # Past meetings of the working groups as events, with notes that link the actions they made and closed.
    notes = MeetingNotes.objects.filter(event__group=early).order_by("event__starts_at")
    assert notes.count() == 2
    assert all(note.event.kind == Event.Kind.GROUP_MEETING and note.event.group_only for note in notes)
    assert all(note.event.starts_at < timezone.now() for note in notes)
    assert notes[0].actions_created.exists() and notes[1].actions_closed.exists()
    assert MeetingNotes.objects.filter(event__group=fitting).exists()

    # The MDO, with two anonymised cases on its coming meeting.
    mdo = Group.objects.get(slug=demo.MDO, name="MDO Kansrijke Start Borsele")
    assert mdo.is_case_consultation
    cases = Case.objects.filter(event__group=mdo)
    assert cases.count() == 2
    assert {case.event.slug for case in cases} == {group_meetings_demo.MDO_MEETING}
    assert all(case.event.starts_at > timezone.now() for case in cases)
    for case in cases:
        assert case.theme and case.question
        assert identifiers_in(case.theme) == identifiers_in(case.question) == []
        case.full_clean()


def test_the_demo_coalitions_look_back_has_something_in_every_column(network):
    _seed()
    borsele = Group.objects.get(slug=demo.EARLY_SIGNALLING).coalition

    report = look_back(borsele, since=default_since())

    assert borsele.slug == demo.REPORT_COALITION
    assert [entry.group.slug for entry in report.groups] == [
        demo.FITTING_OFFERINGS,
        demo.EARLY_SIGNALLING,
        demo.MDO,
    ]
    assert report.done_count and report.open_count and report.overdue_count
    assert any(entry.dropped for entry in report.groups)


def test_without_the_network_demo_the_groups_demo_makes_nothing():
    _seed()
    assert not Group.objects.exists() and not Event.objects.exists()
