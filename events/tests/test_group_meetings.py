"""A group's meetings as events (issue 18, point 3): who sees and registers for a group-only meeting, in every list
and feed, and a group coordinator planning one."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from coalition.rules import NotAllowed
from events import services
from events.group_hooks import group_meetings, meetings
from events.journal_hooks import edition_events_for_mail
from events.models import Event, Registration
from events.network_hooks import coalition_events, last_events
from groups import sections
from groups.models import Group, Membership, Notice
from journal.tests import factories as journal_factories

from .factories import EventFactory
from .factories_groups import GroupFactory, MeetingFactory, in_group, roles_around

pytestmark = pytest.mark.django_db

# Who sees inside the group, and so sees and registers for its group-only meetings.
INSIDE = {"member", "group_coordinator", "own_coalition_coordinator", "regional_coordinator"}
OUTSIDE = {"anonymous", "outsider", "requested", "other_coalition_coordinator", "pending"}


@pytest.fixture
def group():
    return GroupFactory(name="Vroegsignalering")


@pytest.fixture
def people(group, coordinator, pending_member):
    return {**roles_around(group), "regional_coordinator": coordinator, "pending": pending_member}


def _login(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])
    return client


# --- Seeing a meeting -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(INSIDE | OUTSIDE))
def test_a_group_only_meeting_is_seen_only_by_those_who_see_inside_the_group(client, group, people, role):
    meeting = MeetingFactory(group=group, title="Overleg vroegsignalering")
    _login(client, people, role)
    page = client.get(meeting.get_absolute_url())
    listed = client.get(reverse("events:event_list"))
    if role in INSIDE:
        assert page.status_code == 200
        assert "Overleg vroegsignalering" in page.text
        assert "Overleg vroegsignalering" in listed.text
    else:
        assert page.status_code == 404
        assert "Overleg vroegsignalering" not in listed.text
    assert client.get(reverse("events:event_ics", args=[meeting.slug])).status_code == (200 if role in INSIDE else 404)


@pytest.mark.parametrize("role", sorted(INSIDE | {"outsider", "other_coalition_coordinator"}))
def test_a_meeting_open_to_all_is_seen_like_any_members_event(client, group, people, role):
    meeting = MeetingFactory(group=group, title="Open overleg", group_only=False)
    _login(client, people, role)
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert "Open overleg" in client.get(reverse("events:event_list")).text


def test_a_past_group_only_meeting_stays_out_of_the_past_events_of_others(client, group, people):
    start = timezone.now() - timedelta(days=3)
    MeetingFactory(group=group, title="Vorig overleg", starts_at=start, ends_at=start + timedelta(hours=1))
    _login(client, people, "outsider")
    assert "Vorig overleg" not in client.get(reverse("events:past_events")).text
    _login(client, people, "member")
    assert "Vorig overleg" in client.get(reverse("events:past_events")).text


def test_the_queryset_and_the_rule_agree_for_every_role(group, people):
    other = GroupFactory()
    events = [
        MeetingFactory(group=group),
        MeetingFactory(group=group, group_only=False),
        MeetingFactory(group=other),
        MeetingFactory(group=GroupFactory(coalition=None)),  # a regional group
        EventFactory(),
    ]
    for user in people.values():
        seen = set(Event.objects.visible_to(user).values_list("pk", flat=True))
        assert seen == {event.pk for event in events if user.has_perm("events.view_event_page", event)}, user


def test_public_lists_and_feeds_never_hold_a_group_only_meeting(client, group, coordinator):
    edition = journal_factories.approved_edition()
    hidden = MeetingFactory(group=group, title="Besloten overleg", edition=edition)
    shown = MeetingFactory(group=group, title="Open overleg", group_only=False, edition=edition)
    feed = client.get(reverse("events:feed")).text
    assert "Besloten overleg" not in feed and "Open overleg" in feed
    assert [event["title"] for event in edition_events_for_mail(edition)] == ["Open overleg"]
    assert "Besloten overleg" not in client.get(reverse("home")).text
    # The regional overview's "last event" is for everyone, whoever looks.
    start = timezone.now() - timedelta(days=2)
    Event.objects.filter(pk=hidden.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    assert group.coalition_id not in last_events([group.coalition])
    Event.objects.filter(pk=shown.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    assert last_events([group.coalition])[group.coalition_id].title == "Open overleg"


def test_the_coalition_page_lists_a_group_only_meeting_only_for_those_inside(group, people):
    MeetingFactory(group=group, title="Besloten overleg")
    for role, user in people.items():
        section = coalition_events(group.coalition, user)
        titles = [event.title for event in section.context["events"]] if section else []
        assert ("Besloten overleg" in titles) == (role in INSIDE), role


def test_a_series_feed_leaves_out_a_group_only_meeting(client, group):
    from events.models import Series  # noqa: PLC0415 — only this test needs a series

    series = Series.objects.create(title="Overleggen", slug="overleggen")
    MeetingFactory(group=group, title="Besloten overleg", series=series)
    assert "Besloten overleg" not in client.get(reverse("events:series_feed", args=[series.slug])).text


# --- Registering ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(INSIDE | {"outsider", "requested", "other_coalition_coordinator"}))
def test_only_those_inside_the_group_register_for_a_group_only_meeting(group, people, role):
    meeting = MeetingFactory(group=group)
    user = people[role]
    if role in INSIDE:
        registration = services.register(meeting, user)
        assert registration.state == Registration.State.CONFIRMED
    else:
        with translation.override("en"), pytest.raises(services.EventError, match="members of its group"):
            services.register(meeting, user)
        assert not Registration.objects.exists()


def test_an_outsider_cannot_open_the_registration_form_of_a_group_only_meeting(client, group, people):
    meeting = MeetingFactory(group=group)
    _login(client, people, "outsider")
    assert client.get(reverse("events:register", args=[meeting.slug])).status_code == 404
    assert client.post(reverse("events:register", args=[meeting.slug]), {}).status_code == 404
    assert not Registration.objects.exists()


def test_a_member_registers_through_the_normal_flow_and_gets_a_calendar_file(client, group, people, mailoutbox):
    meeting = MeetingFactory(group=group)
    _login(client, people, "member")
    response = client.post(reverse("events:register", args=[meeting.slug]), {})
    assert response.status_code == 302
    assert Registration.objects.get(event=meeting).profile == people["member"].profile


def test_guests_never_register_for_a_group_only_meeting(client, group):
    meeting = MeetingFactory(group=group, open_to_guests=True)
    assert client.get(reverse("events:guest_register", args=[meeting.slug])).status_code == 404


def test_anyone_registers_for_a_meeting_open_to_all(group, people):
    meeting = MeetingFactory(group=group, group_only=False)
    assert services.register(meeting, people["outsider"]).state == Registration.State.CONFIRMED


# --- Planning a meeting -----------------------------------------------------------------------------------------


def _plan(**changes):
    start = timezone.now() + timedelta(days=7)
    return {
        "title": "Overleg juni",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "venue": "Gemeentehuis",
        "address": "",
        "meeting_url": "",
        "capacity": "",
        "description": "",
        "group_only": "on",
        **changes,
    }


def test_a_group_coordinator_plans_a_published_group_only_meeting(client, group, people):
    _login(client, people, "group_coordinator")
    response = client.post(reverse("events:plan_group_meeting", args=[group.slug]), _plan())
    meeting = Event.objects.get(group=group)
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.kind == Event.Kind.GROUP_MEETING
    assert meeting.state == Event.State.PUBLISHED
    assert meeting.group_only and meeting.coalition == group.coalition
    assert meeting.capacity is None
    assert meeting.slug.startswith(group.slug)


def test_planning_a_meeting_tells_the_groups_members_as_each_chose_but_not_the_planner(
    client, group, people, django_capture_on_commit_callbacks
):
    quiet = in_group(group)
    Membership.objects.filter(profile__user=quiet).update(notifications=Membership.Notifications.OFF)
    _login(client, people, "group_coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:plan_group_meeting", args=[group.slug]), _plan())
    meeting = Event.objects.get(group=group)
    told = Notice.objects.filter(group=group, kind=Notice.Kind.MEETING)
    assert {notice.profile.user for notice in told} == {people["member"]}
    (notice,) = told
    assert meeting.title in notice.text and notice.url == meeting.get_absolute_url()
    (message,) = [m for m in mail.outbox if people["member"].email in m.to[0]]
    assert meeting.title in message.body and "/groups/mail/stop/" in message.body


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("pending", 403),
        ("outsider", 403),
        ("member", 403),
        ("requested", 403),
        ("other_coalition_coordinator", 403),
        ("group_coordinator", 200),
        ("own_coalition_coordinator", 200),
        ("regional_coordinator", 200),
    ],
)
def test_planning_a_meeting_is_for_those_who_manage_the_group(client, group, people, role, status):
    _login(client, people, role)
    assert client.get(reverse("events:plan_group_meeting", args=[group.slug])).status_code == status
    client.post(reverse("events:plan_group_meeting", args=[group.slug]), _plan())
    assert Event.objects.filter(group=group).exists() == (status == 200)


def test_the_plan_form_wants_a_place_and_an_end_after_the_start_and_keeps_the_rest(client, group, people):
    _login(client, people, "group_coordinator")
    start = timezone.now() + timedelta(days=7)
    data = _plan(venue="", ends_at=(start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    response = client.post(reverse("events:plan_group_meeting", args=[group.slug]), data, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"venue", "ends_at"}
    assert "error-summary" in response.text
    assert 'value="Overleg juni"' in response.text
    assert not Event.objects.exists()


def test_the_service_refuses_an_archived_group_and_those_who_do_not_manage_it(group, people):
    start = timezone.now() + timedelta(days=3)
    kwargs = {"title": "Overleg", "starts_at": start, "ends_at": start + timedelta(hours=1), "venue": "Zaal"}
    with pytest.raises(NotAllowed):
        services.plan_group_meeting(group, by=people["member"], **kwargs)
    Group.objects.filter(pk=group.pk).update(archived_at=timezone.now())
    group.refresh_from_db()
    with translation.override("en"), pytest.raises(services.EventError, match="archived"):
        services.plan_group_meeting(group, by=people["group_coordinator"], **kwargs)


def test_a_meeting_online_takes_a_link_and_a_capacity(group, people):
    start = timezone.now() + timedelta(days=3)
    meeting = services.plan_group_meeting(
        group,
        by=people["group_coordinator"],
        title="Online overleg",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        meeting_url="https://meet.example.org/overleg",
        capacity=8,
    )
    assert meeting.is_online and meeting.capacity == 8


# --- The group's page section and the look back and ahead ----------------------------------------------------


def test_events_registers_the_group_section_and_the_meetings_source():
    assert group_meetings in sections.GROUP_SECTIONS
    assert meetings in sections.MEETINGS


def test_the_group_section_lists_coming_and_past_meetings_with_a_link_to_notes(group, people):
    from events.models import MeetingNotes  # noqa: PLC0415

    start = timezone.now() - timedelta(days=10)
    past = MeetingFactory(group=group, title="Vorig", starts_at=start, ends_at=start + timedelta(hours=1))
    MeetingNotes.objects.create(event=past, decisions="We kiezen twee speerpunten.")
    MeetingFactory(group=group, title="Volgend")
    MeetingFactory(title="Van een andere groep")
    section = group_meetings(group, people["member"])
    assert [event.title for event in section.context["upcoming"]] == ["Volgend"]
    assert [(event.title, event.has_notes) for event in section.context["past"]] == [("Vorig", True)]
    assert not section.context["can_plan"]
    assert group_meetings(group, people["group_coordinator"]).context["can_plan"]


def test_a_group_without_meetings_shows_its_members_nothing(group, people):
    assert group_meetings(group, people["member"]) is None


def test_the_group_section_renders_a_link_to_the_notes_and_to_plan(rf, group, people):
    from django.template.loader import render_to_string  # noqa: PLC0415

    from events.models import MeetingNotes  # noqa: PLC0415

    start = timezone.now() - timedelta(days=10)
    past = MeetingFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    MeetingNotes.objects.create(event=past, decisions="Besluit")
    section = group_meetings(group, people["group_coordinator"])
    html = render_to_string(section.template, {"section": section})
    assert reverse("events:meeting_notes", args=[past.slug]) in html
    assert reverse("events:plan_group_meeting", args=[group.slug]) in html


def test_the_meetings_source_gives_each_groups_meetings_with_their_decisions_in_fixed_queries(
    group, django_assert_num_queries
):
    from events.models import MeetingNotes  # noqa: PLC0415

    from .factories_groups import ActionFactory  # noqa: PLC0415

    since = timezone.now() - timedelta(days=200)
    groups = [group, GroupFactory()]
    for number in range(3):
        for each in groups:
            start = timezone.now() - timedelta(days=30 * (number + 1))
            meeting = MeetingFactory(group=each, starts_at=start, ends_at=start + timedelta(hours=1))
            notes = MeetingNotes.objects.create(event=meeting, decisions=f"Besluit {number}")
            notes.actions_created.add(ActionFactory(group=each, title=f"Nieuw {number}"))
            notes.actions_closed.add(ActionFactory(group=each, title=f"Klaar {number}"))
    MeetingFactory(group=group)  # coming, without notes
    start = since - timedelta(days=5)
    MeetingFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))  # before `since`
    with django_assert_num_queries(3):
        found = meetings(groups, since)
    assert len(found[group.pk]) == 4 and len(found[groups[1].pk]) == 3
    first = found[group.pk][0]
    assert first.decisions == "Besluit 2" and first.has_notes
    assert first.actions_created == ["Nieuw 2"] and first.actions_closed == ["Klaar 2"]
    assert not found[group.pk][-1].has_notes
    assert sections.meetings_of(groups, since)[group.pk][0].title == first.title


def test_membership_state_counts_not_just_the_row(group):
    user = in_group(group, state=Membership.State.INVITED)
    meeting = MeetingFactory(group=group)
    assert not user.has_perm("events.view_event_page", meeting)
    assert not Event.objects.visible_to(user).filter(pk=meeting.pk).exists()


def test_the_admin_sets_the_group_and_whether_the_meeting_is_the_groups_own(coordinator_client, group):
    meeting = MeetingFactory(group=group)
    page = coordinator_client.get(reverse("admin:events_event_change", args=[meeting.pk]))
    assert page.status_code == 200
    assert 'name="group"' in page.text and 'name="group_only"' in page.text
    listed = coordinator_client.get(reverse("admin:events_event_changelist"), {"group__id__exact": group.pk})
    assert listed.status_code == 200 and meeting.title in listed.text


def test_the_admin_lists_notes_and_cases_for_reading(coordinator_client, group):
    from events.models import Case, MeetingNotes  # noqa: PLC0415

    meeting = MeetingFactory(group=group)
    MeetingNotes.objects.create(event=meeting, decisions="Besluit")
    case = Case.objects.create(event=meeting, theme="Geldzorgen", question="Hoe?")
    assert meeting.title in coordinator_client.get(reverse("admin:events_meetingnotes_changelist")).text
    assert "Geldzorgen" in coordinator_client.get(reverse("admin:events_case_changelist")).text
    change = coordinator_client.get(reverse("admin:events_case_change", args=[case.pk]))
    assert change.status_code == 200 and 'name="theme"' not in change.text  # read only


def test_the_group_section_takes_the_same_queries_however_many_meetings(group, people):
    from django.db import connection  # noqa: PLC0415
    from django.template.loader import render_to_string  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from events.models import MeetingNotes  # noqa: PLC0415

    user = people["group_coordinator"]

    def grow(count):
        for number in range(count):
            MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=number + 1))
            start = timezone.now() - timedelta(days=number + 1)
            past = MeetingFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
            MeetingNotes.objects.create(event=past, decisions="Besluit")

    def measure():
        with CaptureQueriesContext(connection) as captured:
            section = group_meetings(group, user)
            html = render_to_string(section.template, {"section": section})
        return len(captured), len(html)

    grow(2)
    measure()  # the role caches on the user
    few, few_length = measure()
    grow(8)
    many, many_length = measure()
    assert many == few and many_length > few_length


def test_a_copy_of_a_group_meeting_stays_the_groups_own(group, coordinator):
    meeting = MeetingFactory(group=group)
    copy = services.copy_event(meeting, starts_at=meeting.starts_at + timedelta(days=28), by=coordinator)
    assert copy.group == group and copy.group_only
