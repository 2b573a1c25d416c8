"""The action list's and documents' pages as every role meets them, their forms' errors, history, filters, the
sections they add to a group's page and a member's own page, and their query counts (groups.views)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups import services, views
from groups.models import Action, ActionChange, Document, Membership
from members.models import Profile
from members.tests.factories import ProfileFactory
from network.models import CoalitionCoordinator

from .factories import ActionFactory, DocumentFactory, GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def told(monkeypatch):
    """What groups.services.notify was asked (its delivery is tested in test_notifications.py)."""
    calls = []
    monkeypatch.setattr(
        services, "notify", lambda profiles, **kwargs: calls.append(SimpleNamespace(profiles=list(profiles), **kwargs))
    )
    return calls


@pytest.fixture
def world(coordinator, coalition_coordinator, pending_member):
    """A group with an action and a document, and a person in every role towards it."""
    group = GroupFactory(name="Vroegsignalering", slug="vroegsignalering")
    member = MembershipFactory(group=group, profile=ProfileFactory(first_name="Mila", last_name="Lid")).profile
    chair = MembershipFactory(group=group, role=Membership.Role.COORDINATOR).profile
    own_coalition_coordinator = ProfileFactory().user
    CoalitionCoordinator.objects.create(coalition=group.coalition, user=own_coalition_coordinator)
    action = ActionFactory(group=group, owners=[member], title="Signaleringskaart verspreiden")
    document = DocumentFactory(group=group, title="Routekaart")
    return SimpleNamespace(
        group=group,
        action=action,
        document=document,
        member=member,
        chair=chair,
        users={
            "anonymous": None,
            "pending": pending_member,
            "member outside the group": ProfileFactory().user,
            "group member": member.user,
            "group coordinator": chair.user,
            "coordinator of another coalition": coalition_coordinator,
            "coordinator of the group's coalition": own_coalition_coordinator,
            "regional coordinator": coordinator,
        },
    )


def client_as(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


INSIDE = {"group member", "group coordinator", "coordinator of the group's coalition", "regional coordinator"}
MANAGERS = INSIDE - {"group member"}
ROLES = [
    "anonymous",
    "pending",
    "member outside the group",
    "group member",
    "group coordinator",
    "coordinator of another coalition",
    "coordinator of the group's coalition",
    "regional coordinator",
]
PAGES = {
    # name: (method, kwargs from the world, the roles let in)
    "groups:action_list": ("get", lambda w: {"slug": w.group.slug}, INSIDE),
    "groups:action_create": ("get", lambda w: {"slug": w.group.slug}, INSIDE),
    "groups:action_detail": ("get", lambda w: {"slug": w.group.slug, "pk": w.action.pk}, INSIDE),
    "groups:action_status": ("post", lambda w: {"slug": w.group.slug, "pk": w.action.pk}, INSIDE),
    "groups:document_list": ("get", lambda w: {"slug": w.group.slug}, INSIDE),
    "groups:document_upload": ("get", lambda w: {"slug": w.group.slug}, INSIDE),
    "groups:document_download": ("get", lambda w: {"slug": w.group.slug, "pk": w.document.pk}, INSIDE),
    "groups:document_delete": ("get", lambda w: {"slug": w.group.slug, "pk": w.document.pk}, MANAGERS),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_each_page_lets_in_only_those_who_may_see_inside_the_group(world, name, role):
    method, kwargs, allowed = PAGES[name]
    url = reverse(name, kwargs=kwargs(world))
    data = {"status": Action.Status.IN_PROGRESS} if method == "post" else None
    response = getattr(client_as(world.users[role]), method)(url, data)
    if role in allowed:
        assert response.status_code in (200, 302)
        if method == "post":
            assert response.url == world.action.get_absolute_url()
            assert Action.objects.get(pk=world.action.pk).status == Action.Status.IN_PROGRESS
    elif role == "anonymous":
        assert response.status_code == 302 and reverse("account_login") in response.url
    else:
        assert response.status_code == 403
        assert Action.objects.get(pk=world.action.pk).status == Action.Status.OPEN


@pytest.mark.parametrize("role", ["group member", "member outside the group", "coordinator of another coalition"])
def test_changing_an_action_through_its_page_asks_the_same_rule(world, role):
    url = world.action.get_absolute_url()
    data = {"title": "Gewijzigd", "owners": [world.member.pk], "status": "open"}
    response = client_as(world.users[role]).post(url, data)
    world.action.refresh_from_db()
    if role == "group member":
        assert response.status_code == 302
        assert world.action.title == "Gewijzigd"
    else:
        assert response.status_code == 403
        assert world.action.title == "Signaleringskaart verspreiden"


def test_a_member_adds_an_action_and_lands_on_its_page(world, told):
    colleague = MembershipFactory(group=world.group).profile
    due = TODAY() + timedelta(days=14)
    response = client_as(world.member.user).post(
        reverse("groups:action_create", kwargs={"slug": world.group.slug}),
        {"title": "Folder maken", "owners": [world.member.pk, colleague.pk], "due_on": due.isoformat()},
    )
    action = Action.objects.get(title="Folder maken")
    assert response.status_code == 302 and response.url == action.get_absolute_url()
    assert action.due_on == due and action.created_by == world.member.user
    assert told[0].profiles == [colleague]


def test_a_due_date_in_the_past_is_named_at_its_field_and_the_rest_is_kept(world):
    response = client_as(world.member.user).post(
        reverse("groups:action_create", kwargs={"slug": world.group.slug}),
        {"title": "Folder maken", "owners": [world.member.pk], "due_on": (TODAY() - timedelta(1)).isoformat()},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"due_on": ["The due date is in the past: choose today or a later date."]}
    page = response.content.decode()
    assert 'value="Folder maken"' in page
    assert "error-summary" in page and 'href="#id_due_on"' in page
    assert not Action.objects.filter(title="Folder maken").exists()


def test_an_owner_outside_the_group_is_named_at_the_owners_and_the_rest_is_kept(world):
    outsider = ProfileFactory(first_name="Otto", last_name="Buiten")
    response = client_as(world.member.user).post(
        reverse("groups:action_create", kwargs={"slug": world.group.slug}),
        {"title": "Folder maken", "owners": [outsider.pk], "due_on": (TODAY() + timedelta(1)).isoformat()},
    )
    assert response.context["form"].errors == {"owners": ["Otto Buiten is not a member of this group."]}
    assert 'value="Folder maken"' in response.content.decode()


def test_the_owners_to_choose_from_are_the_groups_members(world):
    outsider = ProfileFactory(first_name="Otto", last_name="Buiten")
    page = client_as(world.member.user).get(reverse("groups:action_create", kwargs={"slug": world.group.slug}))
    assert world.member.full_name in page.content.decode()
    assert outsider.full_name not in page.content.decode()


def test_an_actions_page_shows_its_history_who_when_from_and_to(world):
    services.update_action(world.action, by=world.chair.user, status=Action.Status.DONE, note="Klaar in overleg")
    page = client_as(world.member.user).get(world.action.get_absolute_url()).content.decode()
    change = ActionChange.objects.get()
    old, new = change.changes["status"]
    assert f"Status: {old} → {new}" in page
    assert world.chair.user.get_full_name() in page
    assert "Klaar in overleg" in page
    assert "Added the action." in page


def test_the_quick_buttons_offer_every_other_status(world):
    page = client_as(world.member.user).get(world.action.get_absolute_url()).content.decode()
    assert 'name="status" value="done"' in page and 'name="status" value="open"' not in page


def test_the_status_form_on_the_page_records_a_change(world):
    client_as(world.member.user).post(
        reverse("groups:action_status", kwargs={"slug": world.group.slug, "pk": world.action.pk}), {"status": "done"}
    )
    world.action.refresh_from_db()
    assert world.action.status == Action.Status.DONE and world.action.closed_on == TODAY()
    assert ActionChange.objects.get().by == world.member.user


def test_the_list_puts_overdue_actions_first_with_a_badge_and_words(world):
    later = ActionFactory(group=world.group, owners=[world.member], due_on=TODAY() + timedelta(3), title="Later")
    late = ActionFactory(group=world.group, owners=[world.member], due_on=TODAY() - timedelta(3), title="Te laat")
    ActionFactory(group=world.group, owners=[world.member], status=Action.Status.DONE, title="Af")
    response = client_as(world.member.user).get(reverse("groups:action_list", kwargs={"slug": world.group.slug}))
    assert list(response.context["actions"]) == [late, later, world.action]
    page = response.content.decode()
    assert page.count(">Overdue</span>") == 1
    assert "table-cards" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "overdue"}, ["late"]),
        ({"status": "done"}, ["done"]),
        ({"status": "all"}, ["late", "mine", "theirs", "done"]),
        ({"owner": "mine"}, ["late", "mine"]),
        ({"owner": "mine", "status": "all"}, ["late", "mine", "done"]),
    ],
)
def test_the_list_filters_by_status_owner_and_mine(world, query, expected):
    Action.objects.all().delete()
    colleague = MembershipFactory(group=world.group).profile
    made = {
        "late": ActionFactory(group=world.group, owners=[world.member], due_on=TODAY() - timedelta(1)),
        "mine": ActionFactory(group=world.group, owners=[world.member], due_on=TODAY() + timedelta(1)),
        "theirs": ActionFactory(group=world.group, owners=[colleague], due_on=TODAY() + timedelta(2)),
        "done": ActionFactory(group=world.group, owners=[world.member], status=Action.Status.DONE),
    }
    response = client_as(world.member.user).get(reverse("groups:action_list", kwargs={"slug": world.group.slug}), query)
    assert list(response.context["actions"]) == [made[name] for name in expected]


def test_the_list_filters_by_one_owner(world):
    colleague = MembershipFactory(group=world.group).profile
    theirs = ActionFactory(group=world.group, owners=[colleague])
    response = client_as(world.member.user).get(
        reverse("groups:action_list", kwargs={"slug": world.group.slug}), {"owner": str(colleague.pk)}
    )
    assert list(response.context["actions"]) == [theirs]


# --- Documents ------------------------------------------------------------------------------------------------


def test_a_document_is_downloaded_only_through_the_checking_view(world):
    response = client_as(world.member.user).get(world.document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Disposition"].startswith("attachment;")
    assert world.document.file.storage.base_url is None  # private storage: no address but this view


def test_a_document_of_another_group_is_not_found_under_this_groups_address(world):
    elsewhere = DocumentFactory()
    url = reverse("groups:document_download", kwargs={"slug": world.group.slug, "pk": elsewhere.pk})
    assert client_as(world.users["regional coordinator"]).get(url).status_code == 404


def test_a_member_shares_a_document(world, told):
    response = client_as(world.member.user).post(
        reverse("groups:document_upload", kwargs={"slug": world.group.slug}),
        {"title": "Notulen", "file": SimpleUploadedFile("notulen.docx", b"PK\x03\x04")},
    )
    assert response.status_code == 302
    assert Document.objects.filter(title="Notulen", uploaded_by=world.member.user).exists()
    assert told[0].profiles == [world.chair]


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("script.exe", 10, "Allowed file types: "),
        ("groot.pdf", 2**20 + 1, "The file is too large; the limit is 1 MB."),
    ],
)
def test_a_forbidden_or_too_large_document_is_named_at_the_file_and_the_title_kept(
    world, monkeypatch, name, size, message
):
    monkeypatch.setattr("coalition.storage.DOCUMENT_MAX_BYTES", 2**20)
    response = client_as(world.member.user).post(
        reverse("groups:document_upload", kwargs={"slug": world.group.slug}),
        {"title": "Mijn bestand", "file": SimpleUploadedFile(name, b"x" * size)},
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error.startswith(message)
    assert 'value="Mijn bestand"' in response.content.decode()
    assert not Document.objects.filter(title="Mijn bestand").exists()


def test_a_group_coordinator_removes_a_document(world):
    url = reverse("groups:document_delete", kwargs={"slug": world.group.slug, "pk": world.document.pk})
    assert client_as(world.member.user).post(url).status_code == 403
    response = client_as(world.chair.user).post(url)
    assert response.status_code == 302
    assert not Document.objects.exists()


def test_an_actions_result_can_be_a_document_of_the_group(world):
    response = client_as(world.member.user).post(
        world.action.get_absolute_url(),
        {
            "title": world.action.title,
            "owners": [world.member.pk],
            "status": "done",
            "result_document": world.document.pk,
        },
    )
    assert response.status_code == 302
    world.action.refresh_from_db()
    assert world.action.result_document == world.document
    page = client_as(world.member.user).get(world.action.get_absolute_url()).content.decode()
    assert world.document.get_absolute_url() in page


# --- The sections on a group's page and on a member's own page ------------------------------------------------


def render_sections(group, user):
    sections = [make(group, user) for make in (views.actions_section, views.documents_section)]
    return "".join(
        render_to_string(section.template, {"section": section}) for section in sections if section is not None
    )


def test_the_group_page_sections_are_registered_and_show_nothing_to_outsiders(world):
    from groups.sections import GROUP_SECTIONS  # noqa: PLC0415 — the registry the group page reads

    assert views.actions_section in GROUP_SECTIONS and views.documents_section in GROUP_SECTIONS
    assert render_sections(world.group, world.users["member outside the group"]) == ""


def test_the_group_page_shows_a_few_open_actions_overdue_first_and_a_link_to_all(world):
    for days in range(12):
        ActionFactory(group=world.group, owners=[world.member], due_on=TODAY() + timedelta(days=days - 2))
    section = views.actions_section(world.group, world.member.user)
    assert len(section.context["actions"]) == views.SECTION_ACTIONS
    assert section.context["total"] == 13 and section.context["overdue"] == 2
    assert all(action.is_overdue for action in section.context["actions"][:2])
    html = render_sections(world.group, world.member.user)
    assert reverse("groups:action_list", kwargs={"slug": world.group.slug}) in html
    assert "Routekaart" in html


def test_my_actions_are_on_my_own_page_across_my_groups(world):
    other = MembershipFactory(profile=world.member).group
    late = ActionFactory(group=other, owners=[world.member], due_on=TODAY() - timedelta(1), title="Bel de JGZ")
    page = client_as(world.member.user).get(reverse("members:me"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "My actions" in html
    assert late.get_absolute_url() in html and world.action.get_absolute_url() in html
    assert html.index("Bel de JGZ") < html.index("Signaleringskaart verspreiden")
    assert ">Overdue</span>" in html


def test_someone_in_no_group_sees_no_my_actions(world):
    page = client_as(world.users["member outside the group"]).get(reverse("members:me"))
    assert "My actions" not in page.content.decode()


# --- Query counts ---------------------------------------------------------------------------------------------


@pytest.fixture
def busy_group(world):
    """200 actions with two owners each, and 30 documents."""
    people = [MembershipFactory(group=world.group).profile for _ in range(8)]
    actions = Action.objects.bulk_create(
        Action(group=world.group, title=f"Actie {n}", due_on=TODAY() + timedelta(days=n % 40 - 10)) for n in range(200)
    )
    Action.owners.through.objects.bulk_create(
        Action.owners.through(action_id=action.pk, profile_id=people[(n + k) % 8].pk)
        for n, action in enumerate(actions)
        for k in range(2)
    )
    for _ in range(30):
        DocumentFactory(group=world.group)
    return world


@pytest.mark.parametrize("query", [{}, {"status": "all"}, {"owner": "mine"}, {"status": "overdue"}])
def test_the_action_list_of_200_actions_takes_a_fixed_number_of_queries(
    busy_group, query, django_assert_max_num_queries
):
    client = client_as(busy_group.member.user)
    # The session and user, the group, the roles, the filter's members, the count, a page of actions, their owners.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("groups:action_list", kwargs={"slug": busy_group.group.slug}), query)
    assert response.status_code == 200


def test_the_group_page_sections_with_200_actions_take_a_fixed_number_of_queries(
    busy_group, django_assert_max_num_queries
):
    user = busy_group.member.user
    # The roles, the open actions and their owners, their counts, the documents.
    with django_assert_max_num_queries(6):
        html = render_sections(busy_group.group, user)
    assert "Actie" in html


def test_my_own_page_with_many_actions_takes_a_fixed_number_of_queries(busy_group, django_assert_max_num_queries):
    profile = Profile.objects.get(pk=busy_group.member.pk)
    for action in Action.objects.all()[:100]:
        action.owners.add(profile)
    client = client_as(busy_group.member.user)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("members:me")).status_code == 200
