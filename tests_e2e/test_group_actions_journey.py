"""A member keeps a group's action list: adds an action (first with a due date in the past, refused at the field
with the rest kept), marks it done with one button, reads its history, shares a document and finds the action
under "My actions" — each page passes axe at phone and desktop width (issue 18, points 2, 4 and 9). In English: the
Dutch catalogue of these pages is filled in one pass later."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups import services
from groups.models import Action, Group, Membership
from network.models import Coalition

ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}}


@pytest.fixture
def working_group(transactional_db, make_user, monkeypatch):
    """Borsele's working group with two members; what they are told is recorded (test_groups_pages.py mails it)."""
    told = []
    monkeypatch.setattr(services, "notify", lambda profiles, **kwargs: told.append((list(profiles), kwargs)))
    coalition = Coalition.objects.create(name="Kansrijke Start Borsele", slug="borsele")
    group = Group.objects.create(
        name="Vroegsignalering en tijdige ondersteuning", slug="vroegsignalering", coalition=coalition, purpose="."
    )
    mila = make_user("mila@example.org", role="Member", first_name="Mila", last_name="de Vries")
    ravi = make_user("ravi@example.org", role="Member", first_name="Ravi", last_name="Jansen")
    for user in (mila, ravi):
        Membership.objects.create(group=group, profile=user.profile, state=Membership.State.ACTIVE)
    return {"group": group, "told": told}


def test_a_member_keeps_the_action_list(portal, working_group):
    group = working_group["group"]
    page = portal.log_in(portal.visitor(**ENGLISH), "mila@example.org")
    page.goto(f"/groups/{group.slug}/actions/")
    portal.check(page, "group-actions-empty")

    with page.expect_navigation():
        page.get_by_role("link", name="Add an action").click()
    portal.check(page, "group-action-new")
    portal.field(page, "What").fill("Signaleringskaart verspreiden onder kraamzorg")
    page.get_by_label("Ravi Jansen").check()
    yesterday = timezone.localdate() - timedelta(days=1)
    portal.field(page, "Due date").fill(yesterday.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    # Refused at the field, with the summary first and everything typed still there.
    assert page.title().startswith("Error:")
    summary = page.locator(".error-summary")
    assert "The due date is in the past" in summary.inner_text()
    assert portal.field(page, "What").input_value() == "Signaleringskaart verspreiden onder kraamzorg"
    assert page.get_by_label("Ravi Jansen").is_checked()
    portal.check(page, "group-action-new-error")

    portal.field(page, "Due date").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    action = Action.objects.get()
    assert page.url.endswith(action.get_absolute_url())
    assert [profiles for profiles, _kwargs in working_group["told"]] == [[action.owners.get()]]

    with page.expect_navigation():
        page.get_by_role("button", name="Mark as done").click()
    history = page.get_by_role("complementary")
    # The values are stored as the portal's language writes them (Dutch), like the phase history: read by everyone.
    assert "Status: Open → Klaar" in history.inner_text()
    assert "Mila de Vries" in history.inner_text()
    portal.check(page, "group-action")

    page.goto(f"/groups/{group.slug}/documents/new/")
    portal.field(page, "Title").fill("Routekaart")
    page.locator("input[type=file]").set_input_files(
        {"name": "routekaart.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.url.endswith(f"/groups/{group.slug}/documents/")
    portal.check(page, "group-documents")
    with page.expect_download() as download:
        page.get_by_role("link", name="Routekaart").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_overdue_actions_stand_out_and_are_on_my_own_page(portal, working_group):
    group = working_group["group"]
    ravi = Membership.objects.get(profile__user__email="ravi@example.org").profile
    today = timezone.localdate()
    for n in range(4):
        action = Action.objects.create(group=group, title=f"Actie {n}", due_on=today + timedelta(days=n * 5 - 6))
        action.owners.set([ravi])
    page = portal.log_in(portal.visitor(**ENGLISH), "ravi@example.org")
    page.goto(f"/groups/{group.slug}/actions/")
    rows = page.locator("tbody tr")
    assert rows.nth(0).get_by_text("Overdue").is_visible() and rows.nth(1).get_by_text("Overdue").is_visible()
    assert rows.nth(2).get_by_text("Overdue").count() == 0
    portal.check(page, "group-actions")

    page.goto("/members/me/")
    mine = page.locator("section", has_text="My actions")
    assert mine.locator("tbody tr").count() == 4
    assert mine.get_by_text("Overdue").count() == 2
