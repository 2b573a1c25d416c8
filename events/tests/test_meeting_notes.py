"""A group's meeting notes (issue 18, point 3): written by those who manage the group, with the group's actions
linked, read by those who see inside it, and sent to the group through the check step with a real outbox."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from coalition import checkstep
from coalition.models import Delivery, MailCheck, Mailing, Suppression
from coalition.rules import NotAllowed
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import services
from events.mailings import GroupNotesMail
from events.models import MeetingNotes
from groups.models import Membership
from groups.services import read_stop_token

from .checks import check_of
from .factories_groups import ActionFactory, GroupFactory, MeetingFactory, MembershipFactory, in_group, roles_around

pytestmark = pytest.mark.django_db

MANAGERS = {"group_coordinator", "own_coalition_coordinator", "regional_coordinator"}


@pytest.fixture
def group():
    return GroupFactory(name="Vroegsignalering")


@pytest.fixture
def people(group, coordinator, pending_member):
    return {**roles_around(group), "regional_coordinator": coordinator, "pending": pending_member}


@pytest.fixture
def meeting(group):
    start = timezone.now() - timedelta(days=1)
    return MeetingFactory(group=group, title="Overleg mei", starts_at=start, ends_at=start + timedelta(hours=2))


def _login(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])
    return client


def _notes(meeting, by, **kwargs):
    return services.write_notes(
        meeting, by=by, decisions=kwargs.pop("decisions", "We starten een **pilot**."), **kwargs
    )


# --- Writing ----------------------------------------------------------------------------------------------------


def test_a_group_coordinator_writes_notes_with_the_groups_actions_linked(meeting, group, people):
    owner = people["member"].profile
    created = ActionFactory(group=group, title="Folder maken", owners=[owner])
    closed = ActionFactory(group=group, title="Sociale kaart bijwerken")
    notes = _notes(
        meeting, people["group_coordinator"], summary="Fijn overleg", actions_created=[created], actions_closed=[closed]
    )
    assert notes.written_by == people["group_coordinator"]
    assert list(notes.actions_created.all()) == [created]
    assert list(notes.actions_closed.all()) == [closed]
    rewritten = _notes(meeting, people["own_coalition_coordinator"], decisions="Anders besloten")
    assert rewritten.pk == notes.pk and rewritten.decisions == "Anders besloten"
    assert not rewritten.actions_created.exists()
    assert MeetingNotes.objects.count() == 1


def test_another_groups_action_is_refused(meeting, people):
    foreign = ActionFactory(title="Van een ander")
    with translation.override("en"), pytest.raises(services.EventError, match="only actions of this group"):
        _notes(meeting, people["group_coordinator"], actions_created=[foreign])
    assert not MeetingNotes.objects.exists()


@pytest.mark.parametrize("role", ["member", "outsider", "other_coalition_coordinator", "requested", "pending"])
def test_those_who_do_not_manage_the_group_write_no_notes(meeting, people, role):
    with pytest.raises(NotAllowed):
        _notes(meeting, people[role])


def test_an_event_without_a_group_has_no_notes(people, coordinator):
    from .factories import EventFactory  # noqa: PLC0415

    with pytest.raises(NotAllowed):
        _notes(EventFactory(), coordinator)


# --- The notes page as every role ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("pending", 404),
        ("outsider", 404),
        ("requested", 404),
        ("other_coalition_coordinator", 404),
        ("member", 200),
        ("group_coordinator", 200),
        ("own_coalition_coordinator", 200),
        ("regional_coordinator", 200),
    ],
)
def test_the_notes_page_is_for_those_who_see_inside_and_its_form_for_those_who_manage(
    client, meeting, people, role, status
):
    _notes(meeting, people["group_coordinator"], decisions="We starten een **pilot**.")
    _login(client, people, role)
    url = reverse("events:meeting_notes", args=[meeting.slug])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert "<strong>pilot</strong>" in response.text
        assert (response.context["form"] is not None) == (role in MANAGERS)
    posted = client.post(url, {"decisions": "Overschreven"})
    assert MeetingNotes.objects.get().decisions == ("Overschreven" if role in MANAGERS else "We starten een **pilot**.")
    if role == "member":
        assert posted.status_code == 403


def test_outsiders_are_refused_not_hidden_when_the_meeting_is_open_to_all(client, group, people):
    meeting = MeetingFactory(group=group, group_only=False)
    _login(client, people, "outsider")
    assert client.get(reverse("events:meeting_notes", args=[meeting.slug])).status_code == 403


def test_the_form_saves_the_notes_with_actions_chosen_from_the_group(client, meeting, group, people):
    created = ActionFactory(group=group, title="Folder maken")
    ActionFactory(title="Van een andere groep")
    _login(client, people, "group_coordinator")
    url = reverse("events:meeting_notes", args=[meeting.slug])
    page = client.get(url)
    assert "Folder maken" in page.text and "Van een andere groep" not in page.text
    response = client.post(url, {"decisions": "Besluit", "summary": "", "actions_created": [created.pk]})
    assert response.status_code == 302
    notes = MeetingNotes.objects.get()
    assert list(notes.actions_created.all()) == [created]


def test_a_notes_form_without_decisions_is_refused_at_the_field_and_keeps_the_rest(client, meeting, people):
    _login(client, people, "group_coordinator")
    response = client.post(
        reverse("events:meeting_notes", args=[meeting.slug]), {"decisions": "", "summary": "Wat we bespraken"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"decisions"}
    assert "error-summary" in response.text and "Wat we bespraken" in response.text
    assert not MeetingNotes.objects.exists()


def test_the_meeting_page_shows_the_notes_to_those_inside_only(client, group, people):
    meeting = MeetingFactory(group=group, group_only=False, title="Open overleg")
    _notes(meeting, people["group_coordinator"], decisions="Besluit over de **pilot**")
    for role in ("member", "regional_coordinator", "outsider"):
        _login(client, people, role)
        page = client.get(meeting.get_absolute_url())
        assert page.status_code == 200
        assert ("<strong>pilot</strong>" in page.text) == (role != "outsider"), role


def test_a_script_in_the_notes_is_never_rendered(client, meeting, people):
    _notes(meeting, people["group_coordinator"], decisions="<script>alert(1)</script>Besluit")
    _login(client, people, "member")
    page = client.get(reverse("events:meeting_notes", args=[meeting.slug]))
    assert "<script>alert(1)" not in page.text and "Besluit" in page.text


def test_the_notes_page_takes_the_same_queries_however_many_actions(client, meeting, group, people):
    notes = _notes(meeting, people["group_coordinator"])
    owner = people["member"].profile

    def grow(count):
        for _ in range(count):
            action = ActionFactory(group=group, owners=[owner, in_group(group).profile])
            notes.actions_created.add(action)
            notes.actions_closed.add(ActionFactory(group=group, owners=[owner]))

    _login(client, people, "group_coordinator")
    assert_same_count_as_data_grows(client, reverse("events:meeting_notes", args=[meeting.slug]), grow)


def test_the_meeting_page_takes_the_same_queries_however_many_linked_actions(client, meeting, group, people):
    notes = _notes(meeting, people["group_coordinator"])

    def grow(count):
        for _ in range(count):
            notes.actions_created.add(ActionFactory(group=group, owners=[in_group(group).profile]))

    _login(client, people, "member")
    assert_same_count_as_data_grows(client, meeting.get_absolute_url(), grow)


# --- Sending through the check step --------------------------------------------------------------------------


def _addresses():
    return sorted(parseaddr(recipient)[1] for message in mail.outbox for recipient in message.to)


@pytest.fixture
def ready(meeting, group, people):
    """Notes with linked actions; besides the group's members: one who switched its mails off, one who bounced,
    one who only asked to join."""
    owner = people["member"].profile
    action = ActionFactory(
        group=group, title="Folder maken", owners=[owner], due_on=timezone.localdate() + timedelta(days=10)
    )
    _notes(meeting, people["group_coordinator"], decisions="We starten een **pilot**.", actions_created=[action])
    quiet = in_group(group, user__email="stil@example.org")
    Membership.objects.filter(profile=quiet.profile).update(notifications=Membership.Notifications.OFF)
    in_group(group, user__email="weg@example.org")
    Suppression.objects.create(address="weg@example.org", reason="550 unknown user")
    return meeting


def _expected(group):
    return sorted(
        membership.profile.user.email
        for membership in Membership.objects.active().filter(group=group).select_related("profile__user")
        if membership.profile.user.email not in ("stil@example.org", "weg@example.org")
    )


def test_send_opens_the_check_page_with_the_count_and_who_is_left_out(client, ready, group, people):
    _login(client, people, "group_coordinator")
    check = check_of(client.post(reverse("events:send_meeting_notes", args=[ready.slug])))
    assert check.kind == "groups.notes"
    assert check.recipient_count == len(_expected(group)) == 2  # the member and the group coordinator
    assert check.left_out == {"group_mails_off": 1, "suppressed": 1}
    page = client.get(check.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "switched off the mails of this group" in page.text
    shown = page.context["shown"]
    assert "Overleg mei" in shown.subject and "Vroegsignalering" in shown.subject
    assert "<strong>pilot</strong>" in shown.html
    assert "Folder maken" in shown.text and people["member"].profile.full_name in shown.text
    assert "/groups/mail/stop/" in shown.text
    assert shown.headers["List-Unsubscribe"].startswith("<http")
    assert not Mailing.objects.filter(kind=Mailing.Kind.GROUP_NOTES).exists()


def test_a_test_goes_only_to_the_sender_and_stops_nobodys_mail(
    client, ready, people, django_capture_on_commit_callbacks
):
    sender = people["group_coordinator"]
    _login(client, people, "group_coordinator")
    check = check_of(client.post(reverse("events:send_meeting_notes", args=[ready.slug])))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(check.get_absolute_url(), {"action": "test"})
    assert _addresses() == [sender.email]
    assert "/groups/mail/stop/" not in mail.outbox[0].body
    assert MeetingNotes.objects.get().sent_at is None


def test_confirm_mails_the_group_once_and_marks_the_notes_sent(
    client, ready, group, people, django_capture_on_commit_callbacks
):
    _login(client, people, "group_coordinator")
    check = check_of(client.post(reverse("events:send_meeting_notes", args=[ready.slug])))
    confirm = {"action": "confirm", "fingerprint": check.fingerprint}
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(check.get_absolute_url(), confirm)
        client.post(check.get_absolute_url(), confirm)
    assert done.status_code == 302
    mailing = Mailing.objects.get(kind=Mailing.Kind.GROUP_NOTES)
    assert MailCheck.objects.get().mailing == mailing
    assert _addresses() == _expected(group)
    assert list(mailing.deliveries.filter(state=Delivery.State.SKIPPED).values_list("address", flat=True)) == [
        "weg@example.org"
    ]
    assert MeetingNotes.objects.get().sent_at is not None
    # Each member's mail stops their own membership's mails of this group.
    for message in mail.outbox:
        address = parseaddr(message.to[0])[1]
        token = message.body.split("/groups/mail/stop/")[1].split("/")[0]
        profile, groups = read_stop_token(token)
        assert profile.user.email == address and groups == [group]
        assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    body = next(m for m in mail.outbox if parseaddr(m.to[0])[1] == people["member"].email).body
    assert "Folder maken" in body and "/groups/" in body


@pytest.mark.parametrize("role", ["member", "outsider", "other_coalition_coordinator"])
def test_sending_is_refused_to_those_who_do_not_manage_the_group(client, ready, people, role):
    _login(client, people, role)
    assert client.post(reverse("events:send_meeting_notes", args=[ready.slug])).status_code in (403, 404)
    with pytest.raises(NotAllowed):
        checkstep.open_check(GroupNotesMail.key, {"event": ready.pk}, by=people[role])
    assert not MailCheck.objects.exists()


def test_the_own_coalitions_and_regional_coordinators_may_send(ready, people):
    for role in ("own_coalition_coordinator", "regional_coordinator"):
        assert checkstep.open_check(GroupNotesMail.key, {"event": ready.pk}, by=people[role]).recipient_count == 2


def test_notes_not_written_cannot_be_sent(client, meeting, people):
    _login(client, people, "group_coordinator")
    response = client.post(reverse("events:send_meeting_notes", args=[meeting.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"].endswith("/notes/")
    assert not MailCheck.objects.exists()


def test_a_group_that_switched_every_mail_off_is_refused_with_the_reason(meeting, group, people):
    _notes(meeting, people["group_coordinator"])
    Membership.objects.filter(group=group).update(notifications=Membership.Notifications.OFF)
    with translation.override("en"), pytest.raises(checkstep.CheckError, match="switched off the mails"):
        checkstep.open_check(GroupNotesMail.key, {"event": meeting.pk}, by=people["group_coordinator"])


def test_only_active_approved_members_are_in_the_audience(meeting, group, people):
    _notes(meeting, people["group_coordinator"])
    MembershipFactory(group=group, state=Membership.State.INVITED)
    declined = in_group(group)
    declined.profile.status = "declined"
    declined.profile.save()
    audience = services.notes_audience(meeting)
    assert sorted(r.email for r in audience.recipients) == sorted(
        [people["member"].email, people["group_coordinator"].email]
    )
