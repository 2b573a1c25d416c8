"""An editor switches the mail about every new tip off, and on again, on the tips page, without a coordinator."""

import pytest
from django.core import mail
from django.urls import reverse

from journal import services
from journal.models import EditorialMembership

from .factories import EditorialMembershipFactory

pytestmark = pytest.mark.django_db


def test_set_tip_mail_sets_every_current_membership_of_that_person_only(editor):
    mine = EditorialMembershipFactory(user=editor)
    past = EditorialMembershipFactory(user=editor, start_date="1999-01-01", end_date="2000-01-01")
    other = EditorialMembershipFactory()
    assert services.set_tip_mail(editor, wanted=False) == 1
    notify = dict(EditorialMembership.objects.values_list("pk", "notify_of_tips"))
    assert notify == {mine.pk: False, past.pk: True, other.pk: True}


def test_an_editor_stops_the_tip_mail_on_the_tips_page_and_then_gets_none(
    editor_client, editor, django_capture_on_commit_callbacks
):
    EditorialMembershipFactory(user=editor)
    page = editor_client.get(reverse("journal:tip_list"))
    assert "Stop these mails" in page.content.decode() or "Stop deze mails" in page.content.decode()
    response = editor_client.post(reverse("journal:tip_mail"), {"wanted": "0"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("journal:tip_list")
    assert EditorialMembership.objects.get(user=editor).notify_of_tips is False
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_tip(what="Een nieuw inloopspreekuur", name="Ada", email="ada@example.net")
    assert not [m for m in mail.outbox if editor.email in " ".join(m.to)]

    editor_client.post(reverse("journal:tip_mail"), {"wanted": "1"})
    assert EditorialMembership.objects.get(user=editor).notify_of_tips is True


def test_a_coordinator_without_a_membership_sees_no_switch_and_changes_nothing(coordinator_client, coordinator):
    other = EditorialMembershipFactory()
    page = coordinator_client.get(reverse("journal:tip_list")).content.decode()
    assert reverse("journal:tip_mail") not in page
    coordinator_client.post(reverse("journal:tip_mail"), {"wanted": "0"})
    assert EditorialMembership.objects.get(pk=other.pk).notify_of_tips is True


def test_a_member_may_not_switch_the_tip_mail(member_client):
    response = member_client.post(reverse("journal:tip_mail"), {"wanted": "0"})
    assert response.status_code == 403
