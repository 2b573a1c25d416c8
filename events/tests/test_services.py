"""The rules of registering, cancelling, the waiting list, event changes and follow-up."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from coalition import checkstep
from coalition.models import Mailing
from coalition.rules import NotAllowed
from events import services
from events.models import CalendarFeed, Event, EventMailing, Invitation, Registration
from events.services import EventError
from journal.tests.factories import SubscriberFactory
from members.models import Municipality

from .checks import audience_emails, segment, send
from .factories import (
    EventFactory,
    OrganisationFactory,
    ProfileFactory,
    RegistrationFactory,
    approved_member,
    feedback_of,
    give_feedback,
)


@pytest.fixture(autouse=True)
def _english():
    """These tests name each rule by its English source text; the Dutch wording is the catalogue's."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def ics_of(message):
    for attachment in message.attachments:
        filename, content, _mimetype = attachment
        if filename.endswith(".ics"):
            return icalendar.Calendar.from_ical(content)
    return None


def vevent(cal):
    return next(c for c in cal.walk("VEVENT"))


# --- register -----------------------------------------------------------------------------------


def test_register_confirms_while_seats_are_left_and_mails_an_ics(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=2)
    user = approved_member()
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(event, user, consent_to_list=True)
    assert registration.state == Registration.State.CONFIRMED
    assert registration.organisation_name == user.profile.organisation.name
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert event.title in message.subject
    assert message.alternatives, "every mail has an HTML part"
    cal = ics_of(message)
    assert cal["METHOD"] == "REQUEST"
    assert str(vevent(cal)["UID"]).startswith(str(event.uid))
    assert EventMailing.objects.filter(event=event, purpose=EventMailing.Purpose.CONFIRMATION).count() == 1


def test_register_puts_member_on_waiting_list_when_full(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(event, approved_member())
    assert registration.state == Registration.State.WAITING
    assert registration.waiting_position() == 1
    assert ics_of(mail.outbox[0]) is None
    assert "1" in mail.outbox[0].body


def test_unlimited_event_always_confirms():
    event = EventFactory(capacity=None)
    RegistrationFactory.create_batch(5, event=event)
    assert services.register(event, approved_member()).is_confirmed


def test_register_refuses_a_second_registration():
    event = EventFactory()
    user = approved_member()
    services.register(event, user)
    with pytest.raises(EventError, match="already registered"):
        services.register(event, user)


def test_register_again_after_cancelling_reuses_the_row():
    event = EventFactory()
    user = approved_member()
    first = services.register(event, user)
    services.cancel(first, by=user)
    again = services.register(event, user)
    assert again.pk == first.pk and again.is_confirmed


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"state": Event.State.CANCELLED}, "cancelled"),
        ({"state": Event.State.DRAFT}, "not open"),
        ({"registration_closes_at": timezone.now() - timedelta(hours=1)}, "closed"),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "opens on"),
        (
            {"starts_at": timezone.now() - timedelta(hours=1), "ends_at": timezone.now() + timedelta(hours=1)},
            "closed",
        ),
    ],
)
def test_register_refuses_events_that_are_not_open(changes, reason):
    event = EventFactory(**changes)
    with pytest.raises(EventError, match=reason):
        services.register(event, approved_member())
    assert not Registration.objects.exists()


def test_register_refuses_pending_members(pending_member):
    with pytest.raises(EventError, match="approved members"):
        services.register(EventFactory(), pending_member)


def test_register_refuses_past_the_maximum_per_organisation():
    organisation = OrganisationFactory()
    event = EventFactory(max_per_organisation=2)
    services.register(event, approved_member(organisation=organisation))
    services.register(event, approved_member(organisation=organisation))
    with pytest.raises(EventError, match="maximum") as refusal:
        services.register(event, approved_member(organisation=organisation))
    assert "2" in str(refusal.value)
    assert services.register(event, approved_member()).is_confirmed  # another organisation


def test_maximum_per_organisation_counts_the_waiting_list_too():
    organisation = OrganisationFactory()
    event = EventFactory(capacity=1, max_per_organisation=2)
    RegistrationFactory(event=event)
    assert services.register(event, approved_member(organisation=organisation)).is_waiting
    assert services.register(event, approved_member(organisation=organisation)).is_waiting
    with pytest.raises(EventError):
        services.register(event, approved_member(organisation=organisation))


def test_registering_marks_an_invitation_as_coming():
    event = EventFactory()
    user = approved_member()
    invitation = Invitation.objects.create(event=event, profile=user.profile, email=user.email)
    services.register(event, user)
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.COMING


# --- cancel and the waiting list -------------------------------------------------------------------


def test_cancelling_promotes_first_on_waiting_list_and_mails_them_an_ics(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    holder = approved_member()
    first_waiting, second_waiting = approved_member(), approved_member()
    confirmed = services.register(event, holder)
    services.register(event, first_waiting)
    services.register(event, second_waiting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(confirmed, by=holder)
    assert Registration.objects.get(profile=first_waiting.profile).is_confirmed
    promoted = Registration.objects.get(profile=second_waiting.profile)
    assert promoted.is_waiting and promoted.waiting_position() == 1
    promoted_mail = next(m for m in mail.outbox if first_waiting.email in m.to[0])
    assert vevent(ics_of(promoted_mail))["STATUS"] == "CONFIRMED"
    # The promoted person can give the seat back as easily as they got it.
    assert reverse("events:my_registrations") in promoted_mail.body
    assert reverse("events:my_registrations") in promoted_mail.alternatives[0].content
    cancelled_mail = next(m for m in mail.outbox if holder.email in m.to[0])
    assert ics_of(cancelled_mail)["METHOD"] == "CANCEL"


def test_cancelling_from_the_waiting_list_promotes_nobody():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    user, other = approved_member(), approved_member()
    waiting = services.register(event, user)
    services.register(event, other)
    services.cancel(waiting, by=user)
    assert Registration.objects.get(profile=other.profile).is_waiting


def test_member_cannot_cancel_after_the_deadline_but_a_coordinator_can(coordinator):
    event = EventFactory(cancellation_deadline=timezone.now() + timedelta(days=1))
    user = approved_member()
    registration = services.register(event, user)
    later = timezone.now() + timedelta(days=2)
    with pytest.raises(EventError, match="until"):
        services.cancel(registration, by=user, now=later)
    assert services.cancel(registration, by=coordinator, now=later).is_cancelled


def test_member_cannot_cancel_someone_elses_registration():
    event = EventFactory()
    registration = services.register(event, approved_member())
    with pytest.raises(NotAllowed, match="Only the person who registered and coordinators"):
        services.cancel(registration, by=approved_member())
    assert Registration.objects.get(pk=registration.pk).is_confirmed


def test_cancelling_twice_is_refused():
    user = approved_member()
    registration = services.register(EventFactory(), user)
    services.cancel(registration, by=user)
    with pytest.raises(EventError, match="already"):
        services.cancel(registration, by=user)


def test_raising_the_capacity_promotes_from_the_waiting_list(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = [services.register(event, approved_member()) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        _event, promoted = services.change_capacity(event, capacity=3)
    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
    assert Registration.objects.get(pk=waiting[2].pk).is_waiting
    assert len([m for m in mail.outbox if ics_of(m) is not None]) == 2


def test_update_event_through_capacity_promotes(coordinator):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = services.register(event, approved_member())
    services.update_event(event, by=coordinator, capacity=None)
    assert Registration.objects.get(pk=waiting.pk).is_confirmed


# --- changes to the event --------------------------------------------------------------------------


def test_changing_the_time_mails_confirmed_participants_an_updated_ics(coordinator, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    RegistrationFactory(event=event, state=Registration.State.WAITING, waiting_since=timezone.now())
    new_start = event.starts_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.update_event(
            event, by=coordinator, starts_at=new_start, ends_at=new_start + timedelta(hours=2)
        )
    assert updated.event.sequence == 1
    assert updated.mailed == 1
    assert len(mail.outbox) == 1
    assert confirmed.profile.user.email in mail.outbox[0].to[0]
    component = vevent(ics_of(mail.outbox[0]))
    assert component["SEQUENCE"] == 1
    assert str(component["UID"]).startswith(str(event.uid))
    assert component.decoded("DTSTART") == new_start.replace(microsecond=0)
    assert str(component["DTSTART"].params["TZID"]) == "Europe/Amsterdam"


def test_changing_only_the_description_mails_nobody(coordinator, django_capture_on_commit_callbacks):
    event = EventFactory()
    RegistrationFactory(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.update_event(event, by=coordinator, description="Nieuwe tekst")
    assert updated.event.sequence == 0
    assert updated.mailed == 0
    assert mail.outbox == []


def test_cancelling_the_event_mails_method_cancel(django_capture_on_commit_callbacks, coordinator):
    event = EventFactory()
    RegistrationFactory.create_batch(2, event=event)
    with pytest.raises(EventError, match="must be told"):
        services.cancel_event(event, by=coordinator)  # without the check step: refused, nothing changes
    with django_capture_on_commit_callbacks(execute=True):
        send("events.cancellation", {"event": event.pk, "reason": "De spreker is ziek."}, by=coordinator)
    event.refresh_from_db()
    assert event.is_cancelled and event.sequence == 1
    assert len(mail.outbox) == 2
    cal = ics_of(mail.outbox[0])
    assert cal["METHOD"] == "CANCEL"
    assert vevent(cal)["STATUS"] == "CANCELLED"
    assert vevent(cal)["SEQUENCE"] == 1
    assert "ziek" in mail.outbox[0].body
    assert Mailing.objects.get().kind == Mailing.Kind.EVENT_MESSAGE
    with pytest.raises(checkstep.CheckError, match="already cancelled"):
        send("events.cancellation", {"event": event.pk}, by=coordinator)


# --- check-in, feedback, reminders, materials, retention --------------------------------------------


def test_only_coordinators_check_people_in(coordinator):
    registration = RegistrationFactory()
    with pytest.raises(NotAllowed, match="coordinator's tool"):
        services.check_in(registration, by=registration.profile.user)
    assert not Registration.objects.get(pk=registration.pk).checked_in
    assert services.check_in(registration, by=coordinator).checked_in


def test_reminders_go_to_each_confirmed_participant_exactly_once(django_capture_on_commit_callbacks, settings):
    settings.EVENT_REMINDER_DAYS = 2
    soon = EventFactory(starts_at=timezone.now() + timedelta(days=1), meeting_url="https://meet.example.org/abc")
    later = EventFactory(starts_at=timezone.now() + timedelta(days=5))
    RegistrationFactory.create_batch(2, event=soon)
    RegistrationFactory(event=soon, state=Registration.State.WAITING, waiting_since=timezone.now())
    RegistrationFactory(event=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 2
        assert services.send_due_reminders() == 0
    assert len(mail.outbox) == 2
    assert "https://meet.example.org/abc" in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["List-Unsubscribe"]
    assert Mailing.objects.filter(kind=Mailing.Kind.REMINDER).count() == 1


def test_materials_go_to_confirmed_or_only_checked_in_participants(django_capture_on_commit_callbacks, coordinator):
    event = EventFactory(starts_at=timezone.now() - timedelta(days=1))
    RegistrationFactory(event=event, checked_in=True)
    RegistrationFactory(event=event)
    only_checked_in = send("events.materials", {"event": event.pk, "only_checked_in": True}, by=coordinator)
    assert only_checked_in.deliveries.count() == 1
    assert send("events.materials", {"event": event.pk}, by=coordinator).deliveries.count() == 2
    with pytest.raises(NotAllowed, match="coordinator's tool"):
        send("events.materials", {"event": event.pk}, by=approved_member())


def test_feedback_only_from_participants_after_the_start_and_replaced_when_sent_again():
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    with pytest.raises(EventError, match="opens"):
        services.feedback_participant(registration)
    started = timezone.now() - timedelta(hours=3)
    Event.objects.filter(pk=event.pk).update(starts_at=started, ends_at=started + timedelta(hours=2))
    give_feedback(registration, score=4, valuable="De casus")
    give_feedback(registration, score=5)
    assert feedback_of(registration) == [5, None, None]
    assert event.feedback_survey.responses.count() == 1
    waiting = RegistrationFactory(event=event, state=Registration.State.WAITING)
    with pytest.raises(EventError, match="participants"):
        services.feedback_participant(waiting)


def test_retention_detaches_answers_and_feedback_but_keeps_counts(settings):
    settings.EVENT_RETENTION_MONTHS = 12
    old = EventFactory(starts_at=timezone.now() - timedelta(days=400))
    recent = EventFactory(starts_at=timezone.now() - timedelta(days=30))
    old_registration = RegistrationFactory(event=old, answers={"Vraag": "Antwoord"})
    recent_registration = RegistrationFactory(event=recent)
    give_feedback(old_registration, score=4, valuable="Goed", now=old.starts_at + timedelta(hours=3))
    give_feedback(recent_registration, score=5)
    Invitation.objects.create(event=old, email="someone@example.org", name="Someone")
    assert services.detach_personal_data() == 1
    old_registration.refresh_from_db()
    assert old_registration.profile is None and old_registration.name == "" and old_registration.answers == {}
    assert Registration.objects.confirmed().filter(event=old).count() == 1
    # The answers stay for the results, tied to nobody; only whether someone answered is kept of them.
    old.refresh_from_db()
    recent.refresh_from_db()
    (score, _valuable, _improve) = old.feedback_survey.questions.order_by("position")
    feedback = old.feedback_survey.responses.get()
    assert feedback.participant is None and feedback.answers[str(score.pk)] == 4 and feedback.detached_at
    (place,) = old.feedback_survey.participants.all()
    assert (place.profile, place.email, place.name) == (None, "", "") and place.answered_at
    assert recent.feedback_survey.responses.get().participant.profile == recent_registration.profile
    assert Invitation.objects.get().email.endswith("anonymised.invalid")
    assert Registration.objects.get(event=recent).profile is not None
    assert services.detach_personal_data() == 0


def test_deleting_an_account_keeps_the_registration_anonymised():
    registration = RegistrationFactory()
    services.forget_account(registration.profile.user)
    registration.profile.user.delete()
    registration.refresh_from_db()
    assert registration.profile is None and registration.name == ""
    assert registration.event.confirmed_total == 1


def test_calendar_feed_can_be_renewed_which_revokes_the_old_address():
    profile = ProfileFactory()
    old = services.renew_calendar_feed(profile).token
    new = services.renew_calendar_feed(profile).token
    assert new != old
    assert list(CalendarFeed.objects.filter(profile=profile).values_list("token", flat=True)) == [new]


# --- audiences ----------------------------------------------------------------------------------


def test_audience_narrows_between_criteria_and_adds_subscribers():
    goes = Municipality.objects.create(name="Goes", slug="goes")
    midwife_in_goes = approved_member(discipline="midwifery")
    midwife_in_goes.profile.municipalities.add(goes)
    approved_member(discipline="midwifery")  # not in Goes
    social_worker = approved_member(discipline="social_work")
    social_worker.profile.municipalities.add(goes)
    ProfileFactory(status="pending").user.profile.municipalities.add(goes)
    event = EventFactory()
    chosen = segment(disciplines=["midwifery"], municipalities=[goes])
    assert audience_emails("events.invitation", {"event": event.pk, "segment": chosen}) == [midwife_in_goes.email]
    subscriber = SubscriberFactory(email="ouder@example.org", confirmed_at=timezone.now(), wants_invitations=True)
    chosen["sources"] = {"invitation_subscribers": True}
    mass = checkstep.KINDS["events.invitation"]({"event": event.pk, "segment": chosen})
    by_email = {r.email: r for r in mass.audience().recipients}
    assert set(by_email) == {midwife_in_goes.email, subscriber.email}
    assert "/journal/" in by_email[subscriber.email].context["unsubscribe_url"]
    assert "/mail/" in by_email[midwife_in_goes.email].context["unsubscribe_url"]


def test_invitations_go_once_per_address(coordinator, django_capture_on_commit_callbacks):
    event = EventFactory()
    approved_member()
    params = {"event": event.pk, "segment": segment(all_members=True)}
    everyone = audience_emails("events.invitation", params)
    with django_capture_on_commit_callbacks(execute=True):
        mailing = send("events.invitation", params, by=coordinator)
    assert mailing.deliveries.count() == len(everyone) == Invitation.objects.filter(event=event).count()
    assert Mailing.objects.get(kind=Mailing.Kind.INVITATION) == mailing
    with pytest.raises(checkstep.CheckError, match="already invited"):
        send("events.invitation", params, by=coordinator)
    with pytest.raises(NotAllowed, match="Only coordinators send invitations"):
        send("events.invitation", params, by=approved_member())
