"""Every mass mail of the events passes the check step (issue 15, points 1, 2 and 8): invitations, their reminder,
materials, a message to participants, the programme and participant overview (issue 16, point 5) and cancelling an
event. For each kind: the check page's count and who is
left out and why, the mail of a real recipient, a test only to the coordinator (whose links answer for nobody),
one confirm that queues it once, a stale confirm that sends nothing, and the roles that are refused."""

from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from coalition import checkstep
from coalition.models import Delivery, MailCheck, Mailing, OptOut, Suppression
from coalition.rules import NotAllowed
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import mailings, services
from events.models import Event, EventMailing, Invitation, Registration
from network.models import Circle
from network.tests.factories import CoalitionFactory, PartnershipFactory

from .checks import check_of, segment
from .factories import EventFactory, InvitationFactory, OrganisationFactory, RegistrationFactory, approved_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


PEOPLE = ("anna", "bram", "cees", "dirk")  # bram unsubscribes, cees bounced


def _addresses():
    """The address each mail in the outbox went to (without the display name)."""
    return [parseaddr(recipient)[1] for message in mail.outbox for recipient in message.to]


def _address(name):
    return f"{name}@example.org"


@dataclass
class Scenario:
    key: str
    event: Event
    compose_url: str
    data: dict[str, Any]
    topic: str | None
    purpose: str
    mailing_kind: str
    # Makes the audience differ from what the check page showed.
    change: Any = None

    @property
    def expected(self):
        """Those who get the mail: bram only when the kind has no topic to unsubscribe from."""
        return sorted(_address(n) for n in PEOPLE if n != "cees" and (n != "bram" or self.topic is None))


def _members():
    return [
        approved_member(user__email=_address(name), user__first_name=name.title(), discipline="midwifery")
        for name in PEOPLE
    ]


def _invitation():
    event = EventFactory(title="Werkbezoek kraamzorg")
    _members()
    return Scenario(
        key="events.invitation",
        event=event,
        compose_url=reverse("events:invite", args=[event.slug]),
        data={"segment-disciplines": ["midwifery"], "message": "Kom je ook?"},
        topic="invitations",
        purpose=EventMailing.Purpose.INVITATION,
        mailing_kind=Mailing.Kind.INVITATION,
        change=lambda: approved_member(user__email="nieuw@example.org", discipline="midwifery"),
    )


def _reminder():
    event = EventFactory(title="Werkbezoek kraamzorg")
    for user in _members():
        InvitationFactory(event=event, email=user.email, name=user.profile.full_name, profile=user.profile)
    return Scenario(
        key="events.invitation_reminder",
        event=event,
        compose_url=reverse("events:invitations", args=[event.slug]),
        data={},
        topic="invitations",
        purpose=EventMailing.Purpose.INVITATION_REMINDER,
        mailing_kind=Mailing.Kind.INVITATION,
        change=lambda: checkstep.unsubscribe(_address("anna"), "invitations"),
    )


def _registered(event):
    for user in _members():
        RegistrationFactory(event=event, profile=user.profile, checked_in=True)


def _materials():
    start = timezone.now() - timedelta(days=1)
    event = EventFactory(title="Werkbezoek kraamzorg", starts_at=start, ends_at=start + timedelta(hours=2))
    _registered(event)
    return Scenario(
        key="events.materials",
        event=event,
        compose_url=reverse("events:send_materials", args=[event.slug]),
        data={},
        topic="events",
        purpose=EventMailing.Purpose.MATERIALS,
        mailing_kind=Mailing.Kind.MATERIALS,
        change=lambda: RegistrationFactory(event=event, checked_in=True),
    )


def _certificates():
    start = timezone.now() - timedelta(days=1)
    event = EventFactory(title="Werkbezoek kraamzorg", starts_at=start, ends_at=start + timedelta(hours=2))
    _registered(event)
    RegistrationFactory(event=event)  # not checked in: not in the audience at all
    return Scenario(
        key="events.certificates",
        event=event,
        compose_url=reverse("events:send_certificates", args=[event.slug]),
        data={},
        topic="events",
        purpose=EventMailing.Purpose.CERTIFICATES,
        mailing_kind=Mailing.Kind.MATERIALS,
        change=lambda: RegistrationFactory(event=event, checked_in=True),
    )


def _message():
    event = EventFactory(title="Werkbezoek kraamzorg")
    _registered(event)
    return Scenario(
        key="events.message",
        event=event,
        compose_url=reverse("events:message", args=[event.slug]),
        data={"to": "both", "subject": "Andere zaal", "message": "We zitten in zaal 3, op de eerste verdieping."},
        topic=None,
        purpose=EventMailing.Purpose.MESSAGE,
        mailing_kind=Mailing.Kind.EVENT_MESSAGE,
        change=lambda: RegistrationFactory(event=event, state=Registration.State.WAITING),
    )


def _overview():
    event = EventFactory(title="Werkbezoek kraamzorg")
    _registered(event)
    return Scenario(
        key="events.overview",
        event=event,
        compose_url=reverse("events:overview", args=[event.slug]),
        data={},
        topic=None,
        purpose=EventMailing.Purpose.OVERVIEW,
        mailing_kind=Mailing.Kind.EVENT_MESSAGE,
        change=lambda: RegistrationFactory(event=event),
    )


def _cancellation():
    event = EventFactory(title="Werkbezoek kraamzorg")
    _registered(event)
    return Scenario(
        key="events.cancellation",
        event=event,
        compose_url=reverse("events:cancel_event", args=[event.slug]),
        data={"reason": "De spreker is ziek."},
        topic=None,
        purpose=EventMailing.Purpose.EVENT_CANCELLED,
        mailing_kind=Mailing.Kind.EVENT_MESSAGE,
        change=lambda: RegistrationFactory(event=event),
    )


SCENARIOS = {
    "invitation": _invitation,
    "invitation_reminder": _reminder,
    "materials": _materials,
    "certificates": _certificates,
    "message": _message,
    "overview": _overview,
    "cancellation": _cancellation,
}


@pytest.fixture(params=SCENARIOS)
def scenario(request, coordinator):
    made = SCENARIOS[request.param]()
    checkstep.unsubscribe(_address("bram"), made.topic or "events")
    Suppression.objects.create(address=_address("cees"), reason="550 unknown user")
    return made


def test_every_mass_mail_of_the_events_is_a_kind_of_the_check_step():
    assert {key for key in checkstep.KINDS if key.startswith("events.")} == {
        "events.invitation",
        "events.invitation_reminder",
        "events.materials",
        "events.certificates",
        "events.message",
        "events.overview",
        "events.cancellation",
    }
    assert set(checkstep.TOPICS) >= {"invitations", "events"}


def test_the_check_page_shows_the_count_who_is_left_out_and_a_real_recipients_mail(coordinator_client, scenario):
    check = check_of(coordinator_client.post(scenario.compose_url, scenario.data))
    assert check.kind == scenario.key
    assert check.recipient_count == len(scenario.expected)
    left_out = {"suppressed": 1} if scenario.topic is None else {"suppressed": 1, "unsubscribed": 1}
    assert check.left_out == left_out
    page = coordinator_client.get(check.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert sorted(r.email for r in page.context["audience"].recipients) == scenario.expected
    assert "address bounced earlier (suppressed)" in page.text
    if scenario.topic:
        assert "unsubscribed from this kind of mail" in page.text
    shown = page.context["shown"]
    first = page.context["audience"].recipients[0]
    assert shown.recipient.email == first.email
    assert "Werkbezoek kraamzorg" in shown.subject
    assert first.name in shown.text and first.name in shown.html  # the mail greets them by name
    assert ("List-Unsubscribe" in shown.headers) == (scenario.topic is not None)
    assert Mailing.objects.filter(kind=scenario.mailing_kind).count() == 0
    assert not Event.objects.get(pk=scenario.event.pk).is_cancelled


def test_a_test_goes_only_to_the_coordinator_and_its_links_act_for_nobody(
    coordinator, coordinator_client, scenario, django_capture_on_commit_callbacks
):
    check = check_of(coordinator_client.post(scenario.compose_url, scenario.data))
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(check.get_absolute_url(), {"action": "test"})
    assert _addresses() == [coordinator.email]
    body = mail.outbox[0].body
    assert "/events/invitation/" not in body  # no answer link of anyone invited
    assert "/events/certificates/" not in body  # no certificate link of anyone else
    assert "/surveys/answer/" not in body  # no feedback link of anyone else
    if scenario.topic:
        assert "/mail/unsubscribe/" in body
        token = body.split("/mail/unsubscribe/")[1].split("/")[0]
        assert checkstep.read_unsubscribe_token(token)[0] == coordinator.email
    assert not Mailing.objects.filter(kind=scenario.mailing_kind).exists()
    assert not Invitation.objects.exclude(answer=Invitation.Answer.NO_ANSWER).exists()
    assert not Invitation.objects.filter(reminded_at__isnull=False).exists()
    assert not Event.objects.get(pk=scenario.event.pk).is_cancelled


def test_confirm_queues_the_mail_once_with_its_check(coordinator_client, scenario, django_capture_on_commit_callbacks):
    check = check_of(coordinator_client.post(scenario.compose_url, scenario.data))
    confirm = {"action": "confirm", "fingerprint": check.fingerprint}
    with django_capture_on_commit_callbacks(execute=True):
        done = coordinator_client.post(check.get_absolute_url(), confirm)
        again = coordinator_client.post(check.get_absolute_url(), confirm)
    assert done.status_code == 302 and again.status_code == 302
    mailing = Mailing.objects.get(kind=scenario.mailing_kind)
    check.refresh_from_db()
    assert check.mailing == mailing and check.is_confirmed
    assert mailing.event_link.purpose == scenario.purpose and mailing.event_link.event == scenario.event
    assert sorted(_addresses()) == scenario.expected
    skipped = mailing.deliveries.filter(state=Delivery.State.SKIPPED)
    assert list(skipped.values_list("address", flat=True)) == [_address("cees")]
    event = Event.objects.get(pk=scenario.event.pk)
    assert event.is_cancelled == (scenario.key == "events.cancellation")
    if scenario.key == "events.materials":
        assert event.materials_sent_at is not None
        # Each participant's own feedback link, made at confirm: one place in the survey each, none for bounces.
        assert "/surveys/answer/" in mail.outbox[0].body
        invited = event.feedback_survey.participants.filter(invited_at__isnull=False)
        assert sorted(invited.values_list("email", flat=True)) == scenario.expected
    if scenario.key == "events.invitation":
        assert sorted(Invitation.objects.filter(event=event).values_list("email", flat=True)) == scenario.expected
        assert "/events/invitation/" in mail.outbox[0].body  # the real answer links go out at confirm
    if scenario.key == "events.invitation_reminder":
        reminded = Invitation.objects.filter(event=event, reminded_at__isnull=False)
        assert sorted(reminded.values_list("email", flat=True)) == sorted([*scenario.expected, _address("cees")])


def test_a_stale_confirm_sends_nothing_and_shows_the_new_count(
    coordinator_client, scenario, django_capture_on_commit_callbacks
):
    check = check_of(coordinator_client.post(scenario.compose_url, scenario.data))
    shown = check.recipient_count
    scenario.change()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 409
    check.refresh_from_db()
    assert check.recipient_count != shown and not check.is_confirmed
    assert f"it would now go to {check.recipient_count} people" in response.text
    assert response.context["audience"].count == check.recipient_count
    assert mail.outbox == []
    assert not Mailing.objects.filter(kind=scenario.mailing_kind).exists()
    assert not Event.objects.get(pk=scenario.event.pk).is_cancelled


def test_members_and_coalition_coordinators_are_refused(client, member, coalition_coordinator, scenario):
    for user in (member, coalition_coordinator):
        client.force_login(user)
        assert client.get(scenario.compose_url).status_code == 403
        assert client.post(scenario.compose_url, scenario.data).status_code == 403
        with pytest.raises(NotAllowed):
            checkstep.open_check(scenario.key, {"event": scenario.event.pk}, by=user)
    assert not MailCheck.objects.exists()


def test_someone_elses_check_page_is_refused(client, coordinator, coalition_coordinator, scenario):
    client.force_login(coordinator)
    check = check_of(client.post(scenario.compose_url, scenario.data))
    client.force_login(coalition_coordinator)
    assert client.get(check.get_absolute_url()).status_code == 403
    assert (
        client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint}).status_code
        == 403
    )
    assert not Mailing.objects.filter(kind=scenario.mailing_kind).exists()


# --- Composing: what is kept, what is refused -------------------------------------------------------------


def test_change_on_the_check_page_brings_back_what_was_composed(coordinator_client):
    scenario = _message()
    check = check_of(coordinator_client.post(scenario.compose_url, scenario.data))
    mass = checkstep.kind_of(check)
    page = coordinator_client.get(mass.change_url())
    assert page.context["form"].initial["subject"] == "Andere zaal"
    assert "zaal 3" in page.text


def test_an_event_without_anyone_to_mail_is_refused_at_the_form_with_the_input_kept(coordinator_client):
    event = EventFactory()
    response = coordinator_client.post(
        reverse("events:message", args=[event.slug]), {"to": "confirmed", "subject": "Parkeren", "message": "P2"}
    )
    assert response.status_code == 200
    assert "Niemand zou deze mail krijgen" in response.text
    assert response.context["form"].data["subject"] == "Parkeren"
    assert not MailCheck.objects.exists()


def test_the_message_form_wants_a_subject_and_a_text(coordinator_client):
    event = EventFactory()
    RegistrationFactory(event=event)
    response = coordinator_client.post(reverse("events:message", args=[event.slug]), {"to": "both"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"subject", "message"}


def test_a_message_goes_only_to_those_chosen(coordinator):
    event = EventFactory()
    confirmed = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, state=Registration.State.WAITING)
    RegistrationFactory(event=event, state=Registration.State.CANCELLED)

    def emails(to):
        params = {"event": event.pk, "to": to, "subject": "S", "message": "M"}
        return sorted(r.email for r in checkstep.KINDS["events.message"](params).audience().recipients)

    assert emails("confirmed") == [confirmed.profile.user.email]
    assert emails("waiting") == [waiting.profile.user.email]
    assert emails("both") == sorted([confirmed.profile.user.email, waiting.profile.user.email])


def test_an_event_nobody_registered_for_is_cancelled_at_once_without_mail(coordinator_client):
    event = EventFactory()
    url = reverse("events:cancel_event", args=[event.slug])
    page = coordinator_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Nobody is registered, so nobody is mailed" in page.text
    response = coordinator_client.post(url, {})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    assert not Mailing.objects.exists() and not MailCheck.objects.exists()


def test_the_message_page_is_linked_from_the_coordinators_tools(coordinator_client):
    event = EventFactory()
    page = coordinator_client.get(event.get_absolute_url())
    assert reverse("events:message", args=[event.slug]) in page.text


# --- The one audience rule ------------------------------------------------------------------------------


def test_an_invitation_to_a_coalitions_outer_circle_reaches_its_outer_partners_people(
    coordinator, coordinator_client, django_capture_on_commit_callbacks
):
    coalition = CoalitionFactory(name="Kansrijk Walcheren")
    outer, inner = OrganisationFactory(name="Bibliotheek"), OrganisationFactory(name="Verloskundigen")
    PartnershipFactory(coalition=coalition, organisation=outer, circle=Circle.OUTER)
    PartnershipFactory(coalition=coalition, organisation=inner, circle=Circle.INNER)
    reader = approved_member(organisation=outer)
    approved_member(organisation=inner)
    approved_member()  # elsewhere
    event = EventFactory()
    check = check_of(
        coordinator_client.post(
            reverse("events:invite", args=[event.slug]),
            {"segment-coalitions": [coalition.pk], "segment-circle": Circle.OUTER},
        )
    )
    assert check.recipient_count == 1
    assert check.params["segment"] == segment(coalitions=[coalition], circle=Circle.OUTER)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint})
    assert _addresses() == [reader.email]
    assert Invitation.objects.get().profile == reader.profile


def test_the_participants_of_events_are_a_group_for_segments(coordinator):
    past = EventFactory(starts_at=timezone.now() - timedelta(days=20))
    came = RegistrationFactory(event=past)
    RegistrationFactory(event=past, state=Registration.State.CANCELLED)
    RegistrationFactory(event=past, profile__status="declined")
    params = {"event": EventFactory().pk, "segment": segment(sources={"events": [past.pk]})}
    assert [r.email for r in checkstep.KINDS["events.invitation"](params).audience().recipients] == [
        came.profile.user.email
    ]
    field = mailings.event_participants_field()
    assert past in field.queryset
    assert EventFactory(starts_at=timezone.now() - timedelta(days=400)) not in field.queryset
    assert EventFactory(state=Event.State.DRAFT) not in field.queryset


def test_a_journal_subscriber_keeps_the_journals_own_unsubscribe_link(coordinator):
    from journal.tests.factories import SubscriberFactory  # noqa: PLC0415 — only this test needs the journal

    subscriber = SubscriberFactory(email="ouder@example.org", confirmed_at=timezone.now(), wants_invitations=True)
    params = {"event": EventFactory().pk, "segment": segment(sources={"invitation_subscribers": True})}
    (recipient,) = checkstep.KINDS["events.invitation"](params).audience().recipients
    assert recipient.email == subscriber.email
    assert recipient.context["unsubscribe_url"] == subscriber.unsubscribe_url(services.INVITATIONS)


# --- Opt-outs -------------------------------------------------------------------------------------------


def test_an_old_events_opt_out_link_still_unsubscribes_from_both_event_topics(client, settings):
    url = services.opt_out_url("Someone@Example.org").removeprefix(settings.SITE_URL)
    assert client.get(url).status_code == 200
    assert not OptOut.objects.exists()  # a GET (a mail scanner) unsubscribes nobody
    assert client.post(url).status_code == 200
    assert set(OptOut.objects.values_list("address", "topic")) == {
        ("someone@example.org", "invitations"),
        ("someone@example.org", "events"),
    }
    assert client.post(url).status_code == 200  # twice changes nothing
    assert OptOut.objects.count() == 2


def test_reminders_before_an_event_skip_who_unsubscribed_from_event_mail(settings, django_capture_on_commit_callbacks):
    settings.EVENT_REMINDER_DAYS = 2
    event = EventFactory(starts_at=timezone.now() + timedelta(days=1))
    staying, leaving = RegistrationFactory(event=event), RegistrationFactory(event=event)
    checkstep.unsubscribe(leaving.profile.user.email, "events")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 1
    assert _addresses() == [staying.profile.user.email]
    assert "/mail/unsubscribe/" in mail.outbox[0].extra_headers["List-Unsubscribe"]


def test_no_checked_kind_is_queued_by_the_events_outside_its_check(coordinator):
    event = EventFactory()
    RegistrationFactory(event=event)
    with pytest.raises(services.EventError):
        services.cancel_event(event, by=coordinator)
    from coalition.mail import UncheckedMassMail  # noqa: PLC0415 — the one place this test needs it

    with pytest.raises(UncheckedMassMail):
        services.send_materials(event, recipients=[], by=coordinator, check=None)


# --- Query counts ---------------------------------------------------------------------------------------


def test_the_message_page_takes_as_many_queries_for_many_registrations(client, coordinator):
    event = EventFactory(capacity=None)
    client.force_login(coordinator)

    def grow(n):
        RegistrationFactory.create_batch(n, event=event)
        RegistrationFactory.create_batch(n, event=event, state=Registration.State.WAITING)

    assert_same_count_as_data_grows(client, reverse("events:message", args=[event.slug]), grow)
