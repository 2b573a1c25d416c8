"""The edition mail passes the check step (issue 15, point 1): the count and who is left out, the mail as it goes
out, a test to yourself, then confirm; publishing and mailing, or scheduling, happens only at the confirm."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from coalition import checkstep
from coalition.mail import UncheckedMassMail, queue_mailing
from coalition.models import MailCheck, Mailing
from journal import mailings, services
from journal.models import Edition, State

from .factories import EditionFactory, SubscriberFactory, approved_edition, schedule_with_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return approved_edition(stories=2, title="Samen sterk in de wijk")


@pytest.fixture
def readers():
    """Three readers; one who stopped the journal, two who never confirmed: left out, and counted."""
    people = [SubscriberFactory(email=f"reader{n}@example.net", name=f"Reader {n}") for n in range(3)]
    SubscriberFactory(email="stopped@example.net", wants_journal=False)
    SubscriberFactory.create_batch(2, confirmed_at=None)
    return people


def open_check(client, edition):
    url = reverse("admin:journal_edition_changelist")
    response = client.post(url, {"action": "publish_and_mail", "_selected_action": [edition.pk]})
    return response, MailCheck.objects.filter(kind="journal.edition").first()


def confirm(client, check, fingerprint=None):
    return client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": fingerprint or check.fingerprint})


def test_the_edition_mail_is_a_registered_kind_that_cannot_be_queued_without_its_check():
    assert checkstep.KINDS["journal.edition"] is mailings.EditionMail
    assert mailings.EditionMail.mailing_kind == Mailing.Kind.JOURNAL
    assert mailings.EditionMail.permission == "journal.publish_edition"
    with pytest.raises(UncheckedMassMail):
        queue_mailing(template="journal/edition", recipients=[], kind=Mailing.Kind.JOURNAL)


def test_publish_and_mail_in_the_admin_opens_the_check_page_and_changes_nothing_yet(
    coordinator_client, edition, readers
):
    response, check = open_check(coordinator_client, edition)
    assert response.status_code == 302
    assert response["Location"] == check.get_absolute_url()
    assert check.params == {"edition": edition.pk}
    edition.refresh_from_db()
    assert edition.state == State.APPROVED
    assert not Mailing.objects.exists()


def test_publish_and_mail_for_several_editions_at_once_asks_for_one(coordinator_client, edition, readers):
    other = approved_edition()
    url = reverse("admin:journal_edition_changelist")
    response = coordinator_client.post(
        url, {"action": "publish_and_mail", "_selected_action": [edition.pk, other.pk]}, follow=True
    )
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not MailCheck.objects.exists()


def test_publish_and_mail_without_subscribers_says_so_and_opens_no_check(coordinator_client, edition):
    response, check = open_check(coordinator_client, edition)
    assert check is None
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:journal_edition_changelist")


def test_the_check_page_shows_the_count_who_is_left_out_and_the_mail_as_it_goes_out(
    coordinator_client, edition, readers
):
    _response, check = open_check(coordinator_client, edition)
    with translation.override("en"):
        response = coordinator_client.get(check.get_absolute_url())
        html = response.content.decode()
        frame = coordinator_client.get(reverse("mail_check_frame", args=[check.pk])).content.decode()
    assert response.status_code == 200
    assert response.context["audience"].count == 3
    assert 'data-recipient-count="3"' in html
    assert dict(response.context["left_out"]) == {
        checkstep.LeftOut.LABELS[checkstep.LeftOut.UNSUBSCRIBED]: 1,
        checkstep.LeftOut.LABELS[checkstep.LeftOut.NO_CONSENT]: 2,
    }
    shown = response.context["shown"]
    assert shown.subject.endswith(f" {edition.number}: Samen sterk in de wijk")  # in the reader's language
    assert shown.recipient.email == "reader0@example.net"
    for story in edition.stories.all():  # approved now, published at the confirm: the mail lists them
        assert story.title in shown.text
        assert story.title in frame
    assert readers[0].unsubscribe_url("journal") in shown.text
    assert "List-Unsubscribe" in shown.headers


def test_a_test_goes_to_the_coordinator_only(
    coordinator_client, coordinator, edition, readers, django_capture_on_commit_callbacks
):
    _response, check = open_check(coordinator_client, edition)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(check.get_absolute_url(), {"action": "test"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to[0].endswith(f"<{coordinator.email}>") or mail.outbox[0].to == [coordinator.email]
    assert Mailing.objects.get().kind == Mailing.Kind.TRANSACTIONAL
    edition.refresh_from_db()
    assert edition.state == State.APPROVED
    # The test's unsubscribe link is the tester's own, not the first reader's.
    assert readers[0].unsubscribe_url("journal") not in mail.outbox[0].body


def test_confirm_publishes_and_queues_once_and_lands_on_the_edition(
    coordinator_client, edition, readers, django_capture_on_commit_callbacks
):
    _response, check = open_check(coordinator_client, edition)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(coordinator_client, check)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:journal_edition_change", args=[edition.pk])
    edition.refresh_from_db()
    check.refresh_from_db()
    assert edition.is_published
    assert edition.mailing == check.mailing
    assert edition.mailing.kind == Mailing.Kind.JOURNAL
    assert sorted(address for message in mail.outbox for address in message.to) == [
        f"Reader {n} <reader{n}@example.net>" for n in range(3)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        confirm(coordinator_client, check)  # a second click
    assert len(mail.outbox) == 3
    assert Mailing.objects.filter(kind=Mailing.Kind.JOURNAL).count() == 1


def test_a_confirm_after_someone_new_confirmed_their_subscription_sends_nothing_and_shows_the_new_count(
    coordinator_client, edition, readers, django_capture_on_commit_callbacks
):
    _response, check = open_check(coordinator_client, edition)
    SubscriberFactory(email="newcomer@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(coordinator_client, check)
    assert response.status_code == 409
    assert response.context["audience"].count == 4
    assert not Mailing.objects.exists()
    edition.refresh_from_db()
    assert edition.state == State.APPROVED
    check.refresh_from_db()
    assert check.recipient_count == 4 and not check.is_confirmed

    with pytest.raises(checkstep.AudienceChanged):
        checkstep.confirm_check(check, by=check.created_by, fingerprint="what the page showed before")


def test_only_who_publishes_editions_may_open_the_check(editor, edition, readers):
    with pytest.raises(checkstep.NotAllowed):
        mailings.open_edition_check(edition, by=editor)
    assert not MailCheck.objects.exists()


def test_another_person_cannot_use_a_coordinators_check(client, editor, coordinator, edition, readers):
    check = mailings.open_edition_check(edition, by=coordinator)
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    assert client.get(check.get_absolute_url()).status_code == 403
    assert confirm(client, check).status_code == 403
    assert not Mailing.objects.exists()


def test_a_draft_or_mailed_edition_gets_no_check(coordinator, edition, readers):
    with pytest.raises(services.JournalError):
        mailings.open_edition_check(EditionFactory(state=State.DRAFT), by=coordinator)
    check = mailings.open_edition_check(edition, by=coordinator)
    checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    with pytest.raises(services.JournalError):
        mailings.open_edition_check(edition, by=coordinator)


def test_publishing_without_mail_stays_and_queues_nothing(coordinator_client, edition, readers):
    url = reverse("admin:journal_edition_changelist")
    coordinator_client.post(url, {"action": "publish_without_mail", "_selected_action": [edition.pk]})
    edition.refresh_from_db()
    assert edition.is_published
    assert not Mailing.objects.exists()
    assert not MailCheck.objects.exists()


# --- Scheduled: the check is confirmed now, the mail goes at the due time ----------------------------------------


def test_the_schedule_action_opens_the_check_and_confirm_schedules_without_mailing(
    coordinator_client, edition, readers, django_capture_on_commit_callbacks
):
    at = timezone.now() + timedelta(days=2)
    Edition.objects.filter(pk=edition.pk).update(published_at=at)
    url = reverse("admin:journal_edition_changelist")
    response = coordinator_client.post(url, {"action": "schedule", "_selected_action": [edition.pk]})
    check = MailCheck.objects.get(kind="journal.edition")
    assert response["Location"] == check.get_absolute_url()
    assert check.params == {"edition": edition.pk, "schedule": True}
    with translation.override("en"):
        page = coordinator_client.get(check.get_absolute_url()).content.decode()
        assert "gepubliceerd en gemaild op" in page
        with django_capture_on_commit_callbacks(execute=True):
            response = confirm(coordinator_client, check)
    assert response["Location"] == reverse("admin:journal_edition_change", args=[edition.pk])
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "aan iedereen die dan geabonneerd is" in message
    edition.refresh_from_db()
    check.refresh_from_db()
    assert edition.state == State.SCHEDULED
    assert edition.scheduled_check == check
    assert check.is_confirmed and check.mailing is None
    assert not Mailing.objects.exists()
    assert mail.outbox == []


def test_a_scheduled_edition_is_mailed_once_when_due_to_the_subscribers_of_that_moment(
    coordinator, edition, readers, django_capture_on_commit_callbacks
):
    check = schedule_with_mail(edition, at=timezone.now() + timedelta(hours=1), by=coordinator)
    assert services.publish_due_editions() == []
    SubscriberFactory(email="newcomer@example.net")  # subscribed after the check: still gets it when due
    Edition.objects.filter(pk=edition.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_due_editions() == [edition.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_due_editions() == []
    edition.refresh_from_db()
    check.refresh_from_db()
    assert edition.is_published
    assert edition.mailing == check.mailing
    assert edition.mailing.created_by == coordinator
    assert len(mail.outbox) == 4
    assert any("newcomer@example.net" in message.to[0] for message in mail.outbox)


def test_a_scheduled_edition_without_a_confirmed_check_is_published_without_mail(
    coordinator, edition, readers, django_capture_on_commit_callbacks
):
    services.schedule(edition, at=timezone.now() + timedelta(hours=1), by=coordinator)
    Edition.objects.filter(pk=edition.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_due_editions() == [edition.pk]
    edition.refresh_from_db()
    assert edition.is_published
    assert edition.mailing is None
    assert mail.outbox == []


def test_cancelling_the_schedule_drops_its_check(coordinator, edition, readers):
    schedule_with_mail(edition, at=timezone.now() + timedelta(hours=1), by=coordinator)
    edition = services.unschedule(Edition.objects.get(pk=edition.pk), by=coordinator)
    assert edition.state == State.APPROVED
    assert edition.scheduled_check is None
