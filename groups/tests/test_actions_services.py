"""The action list's and documents' services: every rule, the history, the reminders (groups.services)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from coalition.rules import NotAllowed
from groups import services
from groups.models import Action, ActionChange, Document, Membership, Notice
from members.tests.factories import ProfileFactory

from .factories import ActionFactory, DocumentFactory, GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def told(monkeypatch):
    """What groups.services.notify was asked to tell whom (its delivery is tested in test_notifications.py)."""
    calls = []

    def fake_notify(profiles, *, group, kind, text, url=""):
        calls.append(SimpleNamespace(profiles=list(profiles), group=group, kind=kind, text=text, url=url))

    monkeypatch.setattr(services, "notify", fake_notify)
    return calls


@pytest.fixture
def group():
    return GroupFactory()


@pytest.fixture
def keeper(group):
    """A group member who keeps the list."""
    return MembershipFactory(group=group).profile


@pytest.fixture
def colleague(group):
    return MembershipFactory(group=group).profile


def today():
    return timezone.localdate()


def in_portal_language(choice):
    with translation.override(settings.LANGUAGE_CODE):
        return str(choice.label)


# --- Creating -------------------------------------------------------------------------------------------------


def test_an_action_is_created_for_members_and_its_owners_are_told_but_not_the_one_who_assigned_it(
    group, keeper, colleague, told
):
    action = services.create_action(
        group, by=keeper.user, title=" Route uitwerken ", owners=[keeper, colleague], due_on=today() + timedelta(7)
    )
    assert action.title == "Route uitwerken"
    assert set(action.owners.all()) == {keeper, colleague}
    assert action.created_by == keeper.user
    assert action.status == Action.Status.OPEN and action.closed_on is None
    [call] = told
    assert call.kind == Notice.Kind.ACTION_ASSIGNED
    assert call.profiles == [colleague]
    assert call.group == group and call.url == action.get_absolute_url()
    assert "Route uitwerken" in call.text


def test_nobody_is_told_when_you_assign_an_action_to_yourself(group, keeper, told):
    services.create_action(group, by=keeper.user, title="Zelf doen", owners=[keeper])
    assert told == []


def test_an_action_due_in_the_past_is_refused_at_the_due_date(group, keeper):
    with translation.override("en"), pytest.raises(services.GroupError) as refused:
        services.create_action(group, by=keeper.user, title="Te laat", owners=[keeper], due_on=today() - timedelta(1))
    assert refused.value.field == "due_on"
    assert str(refused.value) == "The due date is in the past: choose today or a later date."
    assert not Action.objects.exists()


def test_an_action_due_today_is_fine(group, keeper):
    assert services.create_action(group, by=keeper.user, title="Vandaag", owners=[keeper], due_on=today())


def test_an_owner_who_is_not_a_member_is_refused_at_the_owners_by_name(group, keeper):
    outsider = ProfileFactory(first_name="Otto", last_name="Buiten")
    with translation.override("en"), pytest.raises(services.GroupError) as refused:
        services.create_action(group, by=keeper.user, title="Iets", owners=[keeper, outsider])
    assert refused.value.field == "owners"
    assert str(refused.value) == "Otto Buiten is not a member of this group."
    assert not Action.objects.exists()


def test_someone_who_only_asked_to_join_cannot_own_an_action(group, keeper):
    asking = MembershipFactory(group=group, state=Membership.State.REQUESTED).profile
    with pytest.raises(services.GroupError) as refused:
        services.create_action(group, by=keeper.user, title="Iets", owners=[asking])
    assert refused.value.field == "owners"


def test_an_action_needs_an_owner(group, keeper):
    with pytest.raises(services.GroupError) as refused:
        services.create_action(group, by=keeper.user, title="Iets", owners=[])
    assert refused.value.field == "owners"


def test_someone_outside_the_group_cannot_add_an_action(group, keeper):
    with pytest.raises(NotAllowed):
        services.create_action(group, by=ProfileFactory().user, title="Iets", owners=[keeper])


def test_an_archived_group_takes_no_new_actions(group, keeper):
    group.archived_at = timezone.now()
    group.save()
    with pytest.raises(services.GroupError):
        services.create_action(group, by=keeper.user, title="Iets", owners=[keeper])


def test_a_link_that_is_not_a_link_is_refused_at_its_field(group, keeper):
    with pytest.raises(services.GroupError) as refused:
        services.create_action(group, by=keeper.user, title="Iets", owners=[keeper], result_url="geen link")
    assert refused.value.field == "result_url"


# --- Changing and the history ---------------------------------------------------------------------------------


def test_a_change_is_recorded_with_who_and_readable_old_and_new_values(group, keeper, colleague):
    action = ActionFactory(group=group, owners=[keeper], due_on=today() + timedelta(3))
    new_date = today() + timedelta(10)
    change = services.update_action(
        action, by=colleague.user, status=Action.Status.IN_PROGRESS, due_on=new_date, owners=[keeper, colleague]
    )
    assert change.by == colleague.user
    assert change.changes["status"] == [
        in_portal_language(Action.Status.OPEN),
        in_portal_language(Action.Status.IN_PROGRESS),
    ]
    assert change.changes["due_on"][1] == services.readable_value("due_on", new_date)
    assert change.changes["owners"] == [
        keeper.full_name,
        ", ".join(sorted([keeper.full_name, colleague.full_name], key=str.casefold)),
    ]
    assert set(change.changes) == {"status", "due_on", "owners"}


def test_closing_an_action_dates_it_and_reopening_clears_that(group, keeper):
    action = ActionFactory(group=group, owners=[keeper])
    services.update_action(action, by=keeper.user, status=Action.Status.DONE)
    action.refresh_from_db()
    assert action.closed_on == today()
    services.update_action(action, by=keeper.user, status=Action.Status.OPEN)
    action.refresh_from_db()
    assert action.closed_on is None
    assert action.changes.count() == 2


def test_dropping_an_action_also_closes_it(group, keeper):
    action = ActionFactory(group=group, owners=[keeper])
    services.update_action(action, by=keeper.user, status=Action.Status.DROPPED)
    action.refresh_from_db()
    assert action.closed_on == today() and action.is_finished


def test_moving_the_due_date_into_the_past_is_refused_and_nothing_is_recorded(group, keeper):
    action = ActionFactory(group=group, owners=[keeper], due_on=today() + timedelta(3))
    with pytest.raises(services.GroupError) as refused:
        services.update_action(action, by=keeper.user, due_on=today() - timedelta(1), progress_note="bijna")
    assert refused.value.field == "due_on"
    action.refresh_from_db()
    assert action.due_on == today() + timedelta(3) and action.progress_note == ""
    assert not ActionChange.objects.exists()


def test_an_overdue_action_can_be_closed_without_moving_its_date(group, keeper):
    action = ActionFactory(group=group, owners=[keeper], due_on=today() - timedelta(5))
    change = services.update_action(action, by=keeper.user, due_on=action.due_on, status=Action.Status.DONE)
    assert set(change.changes) == {"status"}


def test_only_new_owners_are_told(group, keeper, colleague, told):
    third = MembershipFactory(group=group).profile
    action = ActionFactory(group=group, owners=[colleague])
    services.update_action(action, by=keeper.user, owners=[colleague, third])
    [call] = told
    assert call.profiles == [third] and call.kind == Notice.Kind.ACTION_ASSIGNED


def test_an_owner_who_left_the_group_may_stay_but_no_outsider_is_added(group, keeper, colleague):
    action = ActionFactory(group=group, owners=[colleague])
    Membership.objects.filter(profile=colleague).delete()
    assert services.update_action(action, by=keeper.user, owners=[colleague, keeper])
    with pytest.raises(services.GroupError):
        services.update_action(action, by=keeper.user, owners=[colleague, keeper, ProfileFactory()])


def test_saving_without_a_change_records_nothing(group, keeper):
    action = ActionFactory(group=group, owners=[keeper], title="Zelfde")
    assert services.update_action(action, by=keeper.user, title="Zelfde ", owners=[keeper]) is None
    assert not ActionChange.objects.exists()


def test_a_note_alone_is_a_step_in_the_history(group, keeper):
    action = ActionFactory(group=group, owners=[keeper])
    change = services.update_action(action, by=keeper.user, note="Besproken in het overleg")
    assert change.changes == {} and change.note == "Besproken in het overleg"


def test_the_result_may_be_one_of_the_groups_documents_only(group, keeper):
    action = ActionFactory(group=group, owners=[keeper])
    own = DocumentFactory(group=group, title="Routekaart")
    change = services.update_action(action, by=keeper.user, result_document=own)
    assert change.changes["result_document"] == ["", "Routekaart"]
    with pytest.raises(services.GroupError) as refused:
        services.update_action(action, by=keeper.user, result_document=DocumentFactory())
    assert refused.value.field == "result_document"


def test_someone_outside_the_group_cannot_change_an_action(group, keeper):
    action = ActionFactory(group=group, owners=[keeper])
    with pytest.raises(NotAllowed):
        services.update_action(action, by=ProfileFactory().user, status=Action.Status.DONE)


# --- Reminders ------------------------------------------------------------------------------------------------


def test_owners_are_reminded_once_per_due_date_and_a_second_run_sends_nothing(group, keeper, told, settings):
    settings.ACTION_REMINDER_DAYS = 3
    due = ActionFactory(group=group, owners=[keeper], due_on=today() + timedelta(3))
    ActionFactory(group=group, owners=[keeper], due_on=today() + timedelta(4))  # not yet
    ActionFactory(group=group, owners=[keeper], due_on=today() + timedelta(1), status=Action.Status.DONE)
    ActionFactory(group=group, owners=[keeper], due_on=today() - timedelta(1))  # overdue: the list shows it
    assert services.remind_due_actions() == 1
    [call] = told
    assert call.kind == Notice.Kind.ACTION_DUE and call.profiles == [keeper] and call.url == due.get_absolute_url()
    due.refresh_from_db()
    assert due.reminded_for == due.due_on
    assert services.remind_due_actions() == 0
    assert len(told) == 1


def test_a_due_date_moved_later_gets_a_reminder_of_its_own(group, keeper, told, settings):
    settings.ACTION_REMINDER_DAYS = 3
    action = ActionFactory(group=group, owners=[keeper], due_on=today() + timedelta(2))
    services.remind_due_actions()
    services.update_action(action, by=keeper.user, due_on=today() + timedelta(3))
    assert services.remind_due_actions() == 1
    assert len(told) == 2


def test_the_reminder_task_runs_the_service(group, keeper, told, settings):
    from groups.tasks import remind_due_actions  # noqa: PLC0415 — the task module is what the beat calls

    settings.ACTION_REMINDER_DAYS = 0
    ActionFactory(group=group, owners=[keeper], due_on=today())
    assert remind_due_actions.delay().get() == 1
    assert remind_due_actions.delay().get() == 0


def test_owners_who_left_the_group_are_not_reminded(group, keeper, colleague, told):
    ActionFactory(group=group, owners=[keeper, colleague], due_on=today() + timedelta(1))
    Membership.objects.filter(profile=colleague).delete()
    services.remind_due_actions()
    assert told[0].profiles == [keeper]


# --- Documents ------------------------------------------------------------------------------------------------


def upload(name="verslag.pdf", content=b"%PDF-1.4 inhoud"):
    return SimpleUploadedFile(name, content)


def test_a_document_is_kept_privately_and_the_other_members_are_told(group, keeper, colleague, told, settings):
    document = services.share_document(group, by=keeper.user, title="Verslag", file=upload())
    assert document.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert document.file.read() == b"%PDF-1.4 inhoud"
    [call] = told
    assert call.kind == Notice.Kind.DOCUMENT and call.profiles == [colleague]


def test_a_document_of_a_forbidden_type_is_refused_at_the_file(group, keeper):
    with translation.override("en"), pytest.raises(services.GroupError) as refused:
        services.share_document(group, by=keeper.user, title="Script", file=upload("run.exe", b"MZ"))
    assert refused.value.field == "file"
    assert str(refused.value).startswith("Allowed file types: ")
    assert not Document.objects.exists()


def test_a_document_over_the_limit_is_refused_at_the_file(group, keeper, monkeypatch):
    monkeypatch.setattr("coalition.storage.DOCUMENT_MAX_BYTES", 2**20)
    with translation.override("en"), pytest.raises(services.GroupError) as refused:
        services.share_document(group, by=keeper.user, title="Groot", file=upload(content=b"x" * (2**20 + 1)))
    assert refused.value.field == "file"
    assert str(refused.value) == "The file is too large; the limit is 1 MB."


def test_someone_outside_the_group_cannot_share_a_document(group):
    with pytest.raises(NotAllowed):
        services.share_document(group, by=ProfileFactory().user, title="X", file=upload())


def test_removing_a_document_leaves_a_trace_in_the_actions_it_was_the_result_of(
    group, keeper, django_capture_on_commit_callbacks
):
    coordinator = MembershipFactory(group=group, role=Membership.Role.COORDINATOR).profile
    document = services.share_document(group, by=keeper.user, title="Routekaart", file=upload())
    path = document.file.path
    action = ActionFactory(group=group, owners=[keeper], result_document=document)
    with pytest.raises(NotAllowed):
        services.remove_document(document, by=keeper.user)  # a member shares, a coordinator removes
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_document(document, by=coordinator.user)
    action.refresh_from_db()
    assert action.result_document is None
    assert action.changes.get().changes == {"result_document": ["Routekaart", ""]}
    assert not Document.objects.exists()
    import os  # noqa: PLC0415 — only this test looks at the disk

    assert not os.path.exists(path)


def test_unfinished_actions_of_a_person_are_across_their_groups_overdue_first(keeper, group):
    other = MembershipFactory(profile=keeper).group
    later = ActionFactory(group=group, owners=[keeper], due_on=today() + timedelta(5))
    late = ActionFactory(group=other, owners=[keeper], due_on=today() - timedelta(2))
    undated = ActionFactory(group=group, owners=[keeper])
    ActionFactory(group=group, owners=[keeper], status=Action.Status.DONE)
    ActionFactory(group=GroupFactory(), owners=[keeper])  # a group they are not in (anymore)
    assert list(services.unfinished_actions_of(keeper)) == [late, later, undated]
