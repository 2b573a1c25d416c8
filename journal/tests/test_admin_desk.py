"""The edition's page in the admin is the coordinator's desk: add a story, review and publish from the page itself;
a published edition keeps its date; a tip's editor can be taken off; the team hears of every new tip."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext

from coalition.models import MailCheck
from journal import services
from journal.models import State, Tip

from .factories import (
    EditionFactory,
    EditorialMembershipFactory,
    SubscriberFactory,
    TipFactory,
    UserFactory,
    approved_edition,
)

pytestmark = pytest.mark.django_db


def step_url(edition, step):
    return reverse("admin:journal_edition_step", args=[edition.pk, step])


def test_an_editions_page_offers_add_story_and_the_steps_its_state_allows(coordinator_client):
    edition = approved_edition()
    html = coordinator_client.get(reverse("admin:journal_edition_change", args=[edition.pk])).content.decode()
    assert f"{reverse('admin:journal_story_add')}?edition={edition.pk}" in html
    assert step_url(edition, "publish") in html
    assert step_url(edition, "publish_without_mail") in html
    assert step_url(edition, "send_back") in html
    assert step_url(edition, "submit_for_review") not in html  # not a draft any more


def test_the_add_story_link_opens_a_story_in_that_edition(coordinator_client):
    edition = EditionFactory()
    response = coordinator_client.get(f"{reverse('admin:journal_story_add')}?edition={edition.pk}")
    assert response.context["adminform"].form["edition"].value() == str(edition.pk)


def test_a_coordinator_publishes_and_mails_from_the_editions_page_through_the_check_page(
    coordinator_client, django_capture_on_commit_callbacks
):
    edition = approved_edition()
    SubscriberFactory()
    response = coordinator_client.post(step_url(edition, "publish"))
    check = MailCheck.objects.get(kind="journal.edition")
    assert response["Location"] == check.get_absolute_url()
    edition.refresh_from_db()
    assert edition.state == State.APPROVED  # nothing happens before the confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:journal_edition_change", args=[edition.pk])
    edition.refresh_from_db()
    assert edition.state == State.PUBLISHED
    assert edition.mailing_id is not None


def test_a_step_the_rules_refuse_says_why_and_changes_nothing(coordinator_client):
    edition = EditionFactory(state=State.DRAFT)
    response = coordinator_client.post(step_url(edition, "publish"), follow=True)
    edition.refresh_from_db()
    assert edition.state == State.DRAFT
    assert gettext("Only an approved edition can be published.") in response.content.decode()


def test_the_editorial_team_submits_an_edition_for_review_but_cannot_publish_it(editor_client):
    edition = EditionFactory(state=State.DRAFT)
    html = editor_client.get(reverse("admin:journal_edition_change", args=[edition.pk])).content.decode()
    assert step_url(edition, "submit_for_review") in html
    editor_client.post(step_url(edition, "submit_for_review"))
    edition.refresh_from_db()
    assert edition.state == State.REVIEW
    services.approve(edition, by=UserFactory(is_superuser=True))
    response = editor_client.post(step_url(edition, "publish"), follow=True)
    edition.refresh_from_db()
    assert edition.state == State.APPROVED
    assert gettext("Only coordinators publish an edition.") in response.content.decode()


def test_a_member_and_a_get_request_are_refused(client, member, coordinator):
    edition = approved_edition()
    client.force_login(member)
    response = client.post(step_url(edition, "publish"))
    assert response.status_code == 302 and "/login/" in response["Location"]  # not staff: the admin's login
    client.force_login(coordinator)
    assert client.get(step_url(edition, "publish")).status_code == 405
    assert client.post(step_url(edition, "delete_everything")).status_code == 403
    edition.refresh_from_db()
    assert edition.state == State.APPROVED


def test_a_published_editions_date_is_read_only(coordinator_client):
    draft = EditionFactory()
    published = EditionFactory(published=True)
    draft_form = coordinator_client.get(reverse("admin:journal_edition_change", args=[draft.pk])).context["adminform"]
    published_page = coordinator_client.get(reverse("admin:journal_edition_change", args=[published.pk]))
    assert "published_at" in draft_form.form.fields
    assert "published_at" not in published_page.context["adminform"].form.fields


def test_a_tips_editor_can_be_taken_off_again(editor, coordinator):
    tip = services.update_tip(TipFactory(), by=coordinator, state=Tip.State.ASSIGNED, assigned_to=editor)
    tip = services.update_tip(tip, by=coordinator, state=Tip.State.CONSIDERING, assigned_to=None)
    assert tip.assigned_to is None
    tip = services.update_tip(tip, by=coordinator, state=Tip.State.ASSIGNED, assigned_to=editor)
    tip = services.update_tip(tip, by=coordinator, state=Tip.State.CONSIDERING)  # left out: stays
    assert tip.assigned_to == editor


def test_the_tip_admin_empties_the_editor_field(coordinator_client, coordinator, editor):
    tip = services.update_tip(TipFactory(), by=coordinator, state=Tip.State.ASSIGNED, assigned_to=editor)
    url = reverse("admin:journal_tip_change", args=[tip.pk])
    form = coordinator_client.get(url).context["adminform"].form
    assert list(form.fields["assigned_to"].queryset) == [editor]  # the team, by name, not an id to type
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(state=Tip.State.CONSIDERING, assigned_to="")
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    tip.refresh_from_db()
    assert tip.assigned_to is None


def test_the_team_is_mailed_when_a_tip_comes_in_except_who_opted_out(django_capture_on_commit_callbacks):
    wants = EditorialMembershipFactory(user=UserFactory(email="wants@example.org"))
    EditorialMembershipFactory(user=UserFactory(email="rather-not@example.org"), notify_of_tips=False)
    EditorialMembershipFactory(
        user=UserFactory(email="left@example.org"), end_date="2000-01-01", start_date="1999-01-01"
    )
    with django_capture_on_commit_callbacks(execute=True):
        tip = services.submit_tip(what="A midwife who\nworks with the library", name="Ada", email="ada@example.net")
    sent = [message for message in mail.outbox if "tip" in message.subject.lower()]
    assert len(sent) == 1 and len(sent[0].to) == 1
    assert wants.user.email in sent[0].to[0]
    body = sent[0].body
    assert "A midwife who\nworks with the library" in body
    assert reverse("journal:tip_detail", args=[tip.pk]) in body
    assert "Ada" in body


def test_the_opt_out_is_a_field_of_the_membership_in_the_admin(coordinator_client):
    membership = EditorialMembershipFactory()
    form = (
        coordinator_client.get(reverse("admin:journal_editorialmembership_change", args=[membership.pk]))
        .context["adminform"]
        .form
    )
    assert "notify_of_tips" in form.fields
