"""Tips: sent by members and visitors behind a spam guard, worked by the editorial team."""

import time
from unittest import mock

import pytest
from django.urls import reverse

from journal.forms import TipFilterForm, spam_guard_stamp
from journal.models import Tip

from .factories import EditionFactory, StoryFactory, TipFactory, UserFactory, published_edition

pytestmark = pytest.mark.django_db

URL = "/journal/tips/new/"


def visitor_data(**overrides):
    data = {
        "what": "A maternity nurse who runs a walk-in for new fathers",
        "who": "Kraamzorg Oost",
        "why_now": "The walk-in celebrates its first year",
        "name": "Vera Visitor",
        "email": "vera@example.net",
        "started": spam_guard_stamp(time.time() - 30),
        "website": "",
    }
    data.update(overrides)
    return data


def test_visitor_sends_a_tip_with_contact_details(client):
    response = client.post(URL, visitor_data())
    assert response.status_code == 302
    tip = Tip.objects.get()
    assert (tip.name, tip.email, tip.state, tip.sender) == ("Vera Visitor", "vera@example.net", Tip.State.NEW, None)


def test_visitor_must_leave_contact_details_and_keeps_what_they_typed(client):
    response = client.post(URL, visitor_data(name="", email=""))
    assert response.status_code == 200
    assert not Tip.objects.exists()
    form = response.context["form"]
    assert "name" in form.errors
    assert "email" in form.errors
    assert "walk-in for new fathers" in response.content.decode()


def test_filled_honeypot_is_refused(client):
    client.post(URL, visitor_data(website="http://spam.example"))
    assert not Tip.objects.exists()


def test_too_quick_submission_is_refused(client):
    response = client.post(URL, visitor_data(started=spam_guard_stamp(time.time())))
    assert not Tip.objects.exists()
    assert response.context["form"].non_field_errors()


@pytest.mark.parametrize("started", ["", "1700000000", "garbage:signature"])
def test_missing_or_forged_start_time_is_refused(client, started):
    client.post(URL, visitor_data(started=started))
    assert not Tip.objects.exists()


def test_member_sends_a_tip_without_contact_fields(member_client, member):
    page = member_client.get(URL)
    assert "email" not in page.context["form"].fields
    member_client.post(URL, {"what": "Our practice example", "started": spam_guard_stamp(time.time() - 10)})
    tip = Tip.objects.get()
    assert tip.sender == member
    assert tip.sender_email == member.email


@pytest.mark.parametrize(
    ("role", "allowed"), [("member", False), ("pending_member", False), ("editor", True), ("coordinator", True)]
)
def test_tip_list_and_tips_are_for_the_editorial_team(client, request, role, allowed):
    tip = TipFactory(what="A lead only the team reads")
    client.force_login(request.getfixturevalue(role))
    for url in (reverse("journal:tip_list"), reverse("journal:tip_detail", args=[tip.pk])):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403)
        assert ("A lead only the team reads" in response.text) is allowed


def test_tip_pages_send_anonymous_visitors_to_log_in(client):
    tip = TipFactory()
    for url in (reverse("journal:tip_list"), reverse("journal:tip_detail", args=[tip.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_member_cannot_change_a_tip_by_posting(client, member):
    tip = TipFactory()
    client.force_login(member)
    response = client.post(reverse("journal:tip_detail", args=[tip.pk]), {"state": "declined"})
    assert response.status_code == 403
    tip.refresh_from_db()
    assert tip.state == Tip.State.NEW


def test_tip_list_searches_what_who_and_the_senders_name(client, editor):
    TipFactory(what="A walk-in for fathers")
    TipFactory(what="Something else", who="Kraamzorg Walker")
    TipFactory(what="Third", name="Wally Walker")
    TipFactory(what="Not this one")
    client.force_login(editor)
    response = client.get(reverse("journal:tip_list"), {"q": "WALK"})
    assert {tip.what for tip in response.context["page"].object_list} == {
        "A walk-in for fathers",
        "Something else",
        "Third",
    }


def test_tip_filter_form_filters_by_editor_and_ignores_a_wrong_choice(editor):
    mine = TipFactory(assigned_to=editor, state=Tip.State.ASSIGNED)
    TipFactory()
    assert list(TipFilterForm({"assigned_to": editor.pk}).filter(Tip.objects.all())) == [mine]
    assert TipFilterForm({"state": "no-such-state"}).filter(Tip.objects.all()).count() == 2
    assert TipFilterForm().filter(Tip.objects.all()).count() == 2


def test_tip_list_filters_by_state(client, editor):
    TipFactory(what="Brand new lead")
    TipFactory(what="Old declined lead", state=Tip.State.DECLINED)
    client.force_login(editor)
    content = client.get(reverse("journal:tip_list"), {"state": "declined"}).content.decode()
    assert "Old declined lead" in content
    assert "Brand new lead" not in content


def test_tip_list_query_count_does_not_grow_with_tips(client, editor, django_assert_max_num_queries):
    story = StoryFactory(edition=EditionFactory())
    for index in range(25):
        TipFactory(sender=UserFactory() if index % 2 else None, assigned_to=editor, story=story, state=Tip.State.USED)
    client.force_login(editor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("journal:tip_list"))
    assert len(response.context["page"].object_list) == 25


def test_editor_assigns_a_tip_through_the_page(client, editor):
    tip = TipFactory()
    client.force_login(editor)
    response = client.post(
        reverse("journal:tip_detail", args=[tip.pk]), {"state": "assigned", "assigned_to": editor.pk}
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert (tip.state, tip.assigned_to) == (Tip.State.ASSIGNED, editor)


def test_assigning_without_an_editor_shows_the_error_at_the_field(client, editor):
    tip = TipFactory()
    client.force_login(editor)
    response = client.post(reverse("journal:tip_detail", args=[tip.pk]), {"state": "assigned", "note": "keep me"})
    assert "assigned_to" in response.context["form"].errors
    assert "keep me" in response.content.decode()
    tip.refresh_from_db()
    assert tip.state == Tip.State.NEW


def test_tip_form_left_open_past_expiry_can_be_sent_again_without_retyping(client):
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=two_days_ago):
        expired = spam_guard_stamp(two_days_ago)
    first = client.post(URL, visitor_data(started=expired))
    assert not Tip.objects.exists()
    assert first.context["form"].non_field_errors()
    # The page comes back with what was typed and a new start time; sending it again works.
    form = first.context["form"]
    assert form["what"].value() == visitor_data()["what"]
    again = client.post(URL, visitor_data(started=form["started"].value()))
    assert again.status_code == 302
    assert Tip.objects.count() == 1


def _admin_tip_data(tip, **changes):
    data = {
        "what": tip.what,
        "who": tip.who,
        "why_now": tip.why_now,
        "sender": "",
        "name": tip.name,
        "email": tip.email,
        "phone": "",
        "organisation_name": "",
        "state": tip.state,
        "assigned_to": "",
        "story": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_marking_a_tip_used_in_the_admin_tells_the_sender_once(
    coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    story = published_edition(stories=1).stories.get()
    tip = TipFactory(email="sender@example.net")
    url = reverse("admin:journal_tip_change", args=[tip.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, _admin_tip_data(tip, state="used", story=story.pk, note="nice"))
    assert response.status_code == 302
    tip.refresh_from_db()
    assert (tip.state, tip.story, tip.note) == (Tip.State.USED, story, "nice")
    assert tip.sender_notified_at is not None
    assert [m.to for m in mailoutbox] == [["Visitor <sender@example.net>"]]
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, _admin_tip_data(tip, state="used", story=story.pk, note="edited again"))
    assert len(mailoutbox) == 1


def test_marking_a_tip_used_in_the_admin_without_a_story_is_refused_at_the_field(coordinator_client):
    tip = TipFactory()
    response = coordinator_client.post(
        reverse("admin:journal_tip_change", args=[tip.pk]), _admin_tip_data(tip, state="used", note="keep me")
    )
    assert response.status_code == 200
    assert "story" in response.context["adminform"].form.errors
    tip.refresh_from_db()
    assert tip.state == Tip.State.NEW


def test_tip_list_pages_keep_the_filter(client, editor):
    TipFactory.create_batch(26, state=Tip.State.DECLINED)
    client.force_login(editor)
    content = client.get(reverse("journal:tip_list"), {"state": "declined"}, HTTP_ACCEPT_LANGUAGE="en").text
    assert 'href="?state=declined&amp;page=2">Next</a>' in content
