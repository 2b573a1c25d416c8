"""The event pages as each role sees them, the one-click links, calendars, materials and coordinator tools."""

import csv
import html
import io
from datetime import timedelta

import icalendar
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Invitation, Material, Registration
from journal.models import Edition
from journal.tests.factories import EditionFactory
from network.models import Phase
from network.tests.factories import CoalitionFactory
from surveys.models import Participant

from .checks import audience_emails, check_of, confirm_on_page, segment
from .factories import (
    EventFactory,
    IntakeQuestionFactory,
    InvitationFactory,
    ProfileFactory,
    RegistrationFactory,
    approved_member,
    feedback_answers,
    feedback_of,
    give_feedback,
)

pytestmark = pytest.mark.django_db

MEETING = "https://meet.example.org/secret-room"


@pytest.fixture
def online_event():
    return EventFactory(meeting_url=MEETING, address="", venue="")


def login(client, user):
    client.force_login(user)
    return client


def assert_refused(response, role, reason):
    """The one refusal: a visitor is sent to log in and comes back here; anyone else reads why (in English)."""
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('account_login')}?next=")
    else:
        assert response.status_code == 403
        assert reason[role] in html.unescape(response.text)


PARTICIPANTS_ONLY = {
    "pending": "waiting for a coordinator's approval",
    "member": "Only confirmed participants of this event and coordinators see this.",
}


# --- Lists and the event page ---------------------------------------------------------------------


def test_event_list_is_public_and_hides_drafts(client):
    EventFactory(title="Open workshop")
    EventFactory(title="Secret draft", state=Event.State.DRAFT)
    EventFactory(title="Old one", starts_at=timezone.now() - timedelta(days=30))
    response = client.get(reverse("events:event_list"))
    assert response.status_code == 200
    assert "Open workshop" in response.text
    assert "Secret draft" not in response.text and "Old one" not in response.text
    assert "Old one" in client.get(reverse("events:past_events")).text


def test_coordinator_sees_drafts(coordinator_client):
    EventFactory(title="Secret draft", state=Event.State.DRAFT)
    assert "Secret draft" in coordinator_client.get(reverse("events:event_list")).text


def test_draft_event_page_is_not_found_for_members(member_client):
    event = EventFactory(state=Event.State.DRAFT)
    assert member_client.get(event.get_absolute_url()).status_code == 404


def test_event_list_query_count_does_not_grow_with_events(client, member, django_assert_max_num_queries):
    events = EventFactory.create_batch(15)
    for event in events:
        RegistrationFactory.create_batch(2, event=event)
    client.force_login(member)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("events:event_list"))
    assert response.text.count('class="card h-100 event-card') == 15


def test_event_page_query_count_is_constant(client, django_assert_max_num_queries):
    event = EventFactory(capacity=5)
    user = approved_member()
    RegistrationFactory.create_batch(20, event=event, consent_to_list=True)
    for _ in range(5):
        Material.objects.create(event=event, title="Slides", file=ContentFile(b"x", name="slides.pdf"))
    RegistrationFactory(event=event, profile=user.profile)
    client.force_login(user)
    with django_assert_max_num_queries(14):
        response = client.get(event.get_absolute_url())
    # What the queries were for: the participant's own place, the materials and the link to the list.
    assert "Je bent aangemeld." in response.text
    assert response.text.count(">Slides</a>") == 5
    assert reverse("events:participants", args=[event.slug]) in response.text


def test_event_page_shows_seats_left_and_register_button(member_client):
    event = EventFactory(capacity=3)
    RegistrationFactory(event=event)
    response = member_client.get(event.get_absolute_url())
    assert "2 plaatsen vrij" in response.text or "2 seats left" in response.text
    assert reverse("events:register", args=[event.slug]) in response.text


def test_event_page_shows_waiting_position(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    first, second = approved_member(), approved_member()
    services.register(event, first)
    services.register(event, second)
    response = login(client, second).get(event.get_absolute_url())
    assert "Je staat op plaats 2 van de wachtlijst." in response.text
    # Someone already on the list is not invited to join it again.
    assert "Vol – je kunt op de wachtlijst." not in response.text


@pytest.mark.parametrize("role", ["anonymous", "pending", "member", "participant", "waiting", "coordinator"])
def test_meeting_link_only_for_confirmed_participants_and_coordinators(
    client, online_event, role, pending_member, member, coordinator
):
    users = {"pending": pending_member, "member": member, "coordinator": coordinator}
    if role == "participant":
        users[role] = RegistrationFactory(event=online_event).profile.user
    if role == "waiting":
        users[role] = RegistrationFactory(event=online_event, state=Registration.State.WAITING).profile.user
    if role in users:
        client.force_login(users[role])
    page = client.get(online_event.get_absolute_url()).text
    ics = client.get(reverse("events:event_ics", args=[online_event.slug])).content.decode()
    allowed = role in ("participant", "coordinator")
    assert (MEETING in page) is allowed
    assert (MEETING in ics) is allowed


# --- Registering and cancelling through the pages -------------------------------------------------------


def test_member_registers_through_the_form(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    question = IntakeQuestionFactory(event=event, label="What would you like to learn?")
    user = approved_member()
    client.force_login(user)
    url = reverse("events:register", args=[event.slug])
    assert "What would you like to learn?" in client.get(url).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {f"question_{question.pk}": "Casuïstiek", "consent_to_list": "on"})
    assert response.status_code == 302
    registration = Registration.objects.get(profile=user.profile)
    assert registration.is_confirmed and registration.consent_to_list
    assert registration.answers == {str(question.pk): "Casuïstiek"}
    assert len(mail.outbox) == 1


def test_a_member_already_registered_is_sent_to_the_event_page_whether_they_open_or_send_the_form(client):
    event = EventFactory()
    user = approved_member()
    client.force_login(user)
    url = reverse("events:register", args=[event.slug])
    client.post(url, {})
    client.get(event.get_absolute_url())  # the success message shown
    for send in (client.get, client.post):
        response = send(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302
        assert response["Location"] == event.get_absolute_url()
        followed = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
        assert "You are already registered for this event." in followed.text
    assert Registration.objects.filter(event=event).count() == 1


def test_missing_required_answer_keeps_what_was_typed(member_client):
    event = EventFactory()
    required = IntakeQuestionFactory(event=event, label="Vraag", required=True)
    optional = IntakeQuestionFactory(event=event, label="Nog een vraag")
    response = member_client.post(
        reverse("events:register", args=[event.slug]), {f"question_{optional.pk}": "mijn antwoord"}
    )
    assert response.status_code == 200
    assert "mijn antwoord" in response.text
    assert response.context["form"].errors.keys() == {f"question_{required.pk}"}
    assert not Registration.objects.exists()


def test_refusal_reason_is_shown_on_the_form(client):
    event = EventFactory(max_per_organisation=1)
    first = RegistrationFactory(event=event)
    user = approved_member(organisation=first.organisation)
    response = login(client, user).post(reverse("events:register", args=[event.slug]), {})
    assert response.status_code == 200
    assert "maximum" in response.text


def test_register_page_sends_visitors_to_log_in(client):
    event = EventFactory()
    url = reverse("events:register", args=[event.slug])
    response = client.post(url, {})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert not Registration.objects.exists()


def test_register_page_refuses_a_pending_member_and_says_why(client, pending_member):
    event = EventFactory()
    client.force_login(pending_member)
    response = client.post(reverse("events:register", args=[event.slug]), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert_refused(response, "pending", PARTICIPANTS_ONLY)
    assert not Registration.objects.exists()


def test_register_page_of_a_closed_event_gives_the_services_reason(member_client):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))
    response = member_client.post(reverse("events:register", args=[event.slug]), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Registration for this event is closed." in response.text
    assert not Registration.objects.exists()


def test_my_registrations_lists_and_cancels_with_one_post(client, django_assert_max_num_queries):
    user = approved_member()
    registrations = [RegistrationFactory(profile=user.profile) for _ in range(8)]
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("events:my_registrations"))
    assert all(r.event.title in response.text for r in registrations)
    client.post(reverse("events:cancel_registration", args=[registrations[0].pk]))
    registrations[0].refresh_from_db()
    assert registrations[0].is_cancelled


def test_cancel_via_get_is_not_allowed(client):
    registration = RegistrationFactory()
    client.force_login(registration.profile.user)
    assert client.get(reverse("events:cancel_registration", args=[registration.pk])).status_code == 405
    registration.refresh_from_db()
    assert registration.is_confirmed


def test_member_cannot_cancel_another_members_registration(member_client):
    registration = RegistrationFactory()
    response = member_client.post(
        reverse("events:cancel_registration", args=[registration.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert "Only the person who registered and coordinators can cancel a registration." in response.text
    registration.refresh_from_db()
    assert registration.is_confirmed


# --- Calendars -------------------------------------------------------------------------------------------


def test_event_ics_is_valid_with_timezone(client):
    event = EventFactory()
    response = client.get(reverse("events:event_ics", args=[event.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    component = next(iter(cal.walk("VEVENT")))
    assert cal["METHOD"] == "PUBLISH"
    assert str(component["UID"]).startswith(str(event.uid))
    assert component["SEQUENCE"] == 0
    assert str(component["DTSTART"].params["TZID"]) == "Europe/Amsterdam"
    assert component.decoded("DTSTART") == event.starts_at.replace(microsecond=0)
    assert cal.walk("VTIMEZONE")


def test_personal_feed_has_confirmed_events_and_renewal_revokes_it(client, online_event):
    user = approved_member()
    RegistrationFactory(event=online_event, profile=user.profile)
    RegistrationFactory(profile=user.profile, state=Registration.State.WAITING)
    client.force_login(user)
    client.post(reverse("events:renew_calendar_feed"))
    token = user.profile.event_calendar_feed.token
    client.logout()
    feed = client.get(reverse("events:calendar_feed", args=[token]))
    cal = icalendar.Calendar.from_ical(feed.content)
    assert [str(c["SUMMARY"]) for c in cal.walk("VEVENT")] == [online_event.title]
    assert MEETING in feed.content.decode()
    services.renew_calendar_feed(user.profile)
    assert client.get(reverse("events:calendar_feed", args=[token])).status_code == 404


# --- Participant list and materials --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status", [("anonymous", 302), ("pending", 403), ("member", 403), ("participant", 200), ("coordinator", 200)]
)
def test_participant_list_permissions(client, role, status, pending_member, member, coordinator):
    event = EventFactory()
    coalition = CoalitionFactory(name="Kansrijk Wij", phase=Phase.CARRYING_OUT)
    listed = RegistrationFactory(
        event=event, consent_to_list=True, coalition=coalition, coalition_phase=Phase.CARRYING_OUT
    )
    hidden = RegistrationFactory(event=event, consent_to_list=False)
    users = {"pending": pending_member, "member": member, "coordinator": coordinator}
    users["participant"] = RegistrationFactory(event=event).profile.user
    if role in users:
        client.force_login(users[role])
    response = client.get(reverse("events:participants", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="en")
    if status == 200:
        assert response.status_code == 200
        assert listed.name in response.text and "Kansrijk Wij" in response.text and "Carrying out" in response.text
        assert hidden.name not in response.text
    else:
        assert_refused(response, role, PARTICIPANTS_ONLY)
        assert listed.name not in response.text


@pytest.mark.parametrize(
    "role, status", [("anonymous", 302), ("pending", 403), ("member", 403), ("participant", 200), ("coordinator", 200)]
)
def test_materials_download_permissions(client, role, status, pending_member, member, coordinator, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    event = EventFactory(starts_at=timezone.now() - timedelta(days=1))
    material = Material.objects.create(event=event, title="Slides", file=ContentFile(b"%PDF-1.4 slides", name="s.pdf"))
    users = {"pending": pending_member, "member": member, "coordinator": coordinator}
    users["participant"] = RegistrationFactory(event=event).profile.user
    if role in users:
        client.force_login(users[role])
    response = client.get(material.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    if status == 200:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 slides"
        assert "attachment" in response["Content-Disposition"]
    else:
        assert_refused(response, role, PARTICIPANTS_ONLY)


def test_materials_are_not_stored_under_media_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    material = Material.objects.create(event=EventFactory(), title="x", file=ContentFile(b"x", name="x.pdf"))
    assert str(tmp_path / "private") in material.file.path
    assert str(settings.MEDIA_ROOT) not in material.file.path


def test_feedback_form_for_participants_only(client, member):
    event = EventFactory(starts_at=timezone.now() - timedelta(hours=3))
    registration = RegistrationFactory(event=event)
    url = reverse("events:feedback", args=[event.slug])
    refused = login(client, member).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert "Feedback is asked of the confirmed participants once the event has started." in refused.text
    assert not Participant.objects.filter(profile=member.profile).exists()
    client.force_login(registration.profile.user)
    to_survey = client.get(url)
    assert to_survey.status_code == 302 and to_survey.url.startswith("/surveys/answer/")
    event.refresh_from_db()
    form = client.get(to_survey.url)
    assert "Hoe waardeer je deze bijeenkomst?" in form.text
    response = client.post(to_survey.url, feedback_answers(event, score=4, valuable="De casus"))
    assert response.status_code == 302
    assert feedback_of(registration) == [4, "De casus", None]
    # Coming back shows the answers to change, in the same place of the survey.
    again = client.get(url)
    assert again.url == to_survey.url and "De casus" in client.get(again.url).text


# --- One-click invitation links --------------------------------------------------------------------------


# What an invited member fills in when they answer "coming": the intake (issue 16, point 9).
INTAKE = {"consent_to_list": "on"}


def test_ill_come_link_registers_the_member_through_the_intake_form(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    user = approved_member()
    invitation = InvitationFactory(event=event, profile=user.profile, email=user.email)
    url = _path(services.answer_url(invitation, Invitation.Answer.COMING))
    page = client.get(url)
    assert page.status_code == 200
    assert 'method="post"' in page.text
    assert 'name="consent_to_list"' in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, INTAKE)
    assert response.status_code == 200
    registration = Registration.objects.get(event=event, profile=user.profile)
    assert registration.is_confirmed and registration.consent_to_list
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.COMING
    assert len(mail.outbox) == 1 and user.email in mail.outbox[0].to[0]


@pytest.mark.parametrize("answer", [Invitation.Answer.COMING, Invitation.Answer.NOT_COMING])
def test_opening_an_invitation_link_changes_nothing_until_the_button_is_pressed(client, answer):
    # Mail security scanners fetch every link in a mail; a GET must not register or cancel anyone.
    event = EventFactory()
    user = approved_member()
    registration = services.register(event, user)
    invitation = InvitationFactory(event=event, profile=user.profile, email=user.email)
    Invitation.objects.filter(pk=invitation.pk).update(answer=Invitation.Answer.NO_ANSWER, answered_at=None)
    other = approved_member()
    other_invitation = InvitationFactory(event=event, profile=other.profile, email=other.email)
    for url in (services.answer_url(invitation, answer), services.answer_url(other_invitation, answer)):
        assert client.get(_path(url)).status_code == 200
    registration.refresh_from_db()
    assert registration.is_confirmed
    assert not Registration.objects.filter(profile=other.profile).exists()
    assert set(Invitation.objects.values_list("answer", flat=True)) == {Invitation.Answer.NO_ANSWER}


def _path(url):
    return url.removeprefix(django_settings.SITE_URL)


def test_using_a_link_twice_changes_nothing(client):
    event = EventFactory()
    user = approved_member()
    invitation = InvitationFactory(event=event, profile=user.profile, email=user.email)
    url = _path(services.answer_url(invitation, Invitation.Answer.COMING))
    client.post(url, INTAKE)
    second = client.post(url, INTAKE)
    assert second.status_code == 200
    assert Registration.objects.filter(event=event).count() == 1
    assert "nothing has changed" in second.text or "niets veranderd" in second.text


def test_cant_come_link_records_the_answer_and_frees_the_seat(client):
    event = EventFactory()
    user = approved_member()
    invitation = InvitationFactory(event=event, profile=user.profile, email=user.email)
    client.post(_path(services.answer_url(invitation, Invitation.Answer.COMING)), INTAKE)
    client.post(_path(services.answer_url(invitation, Invitation.Answer.NOT_COMING)))
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.NOT_COMING
    assert Registration.objects.get(event=event).is_cancelled


def test_tampered_link_is_refused(client):
    invitation = InvitationFactory()
    url = _path(services.answer_url(invitation, Invitation.Answer.NOT_COMING))
    tampered = url[:-3] + ("aaa" if not url.endswith("aaa/") else "bbb") + "/"
    for method in (client.get, client.post):
        response = method(tampered.replace("//", "/"))
        assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.NO_ANSWER


def test_link_for_a_cancelled_event_registers_nobody(client, coordinator):
    event = EventFactory()
    user = approved_member()
    invitation = InvitationFactory(event=event, profile=user.profile, email=user.email)
    services.cancel_event(event, by=coordinator)
    url = _path(services.answer_url(invitation, Invitation.Answer.COMING))
    assert client.get(url).status_code == 409
    response = client.post(url)
    assert response.status_code == 409
    assert not Registration.objects.exists()


def test_subscriber_without_account_answers_coming_through_the_guest_form(client):
    invitation = InvitationFactory()
    url = _path(services.answer_url(invitation, Invitation.Answer.COMING))
    incomplete = client.post(url)
    assert incomplete.status_code == 200 and incomplete.context["form"].errors
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.NO_ANSWER
    guest = {"name": "Invitee", "organisation_name": "Ministerie van VWS", "function": "beleidsmedewerker"}
    response = client.post(url, guest)
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.COMING
    assert Registration.objects.get(email=invitation.email).is_confirmed


# --- Coordinator tools --------------------------------------------------------------------------------


COORDINATOR_TOOLS = {
    "invite": "Only coordinators send invitations.",
    "invitations": "Only coordinators send invitations.",
    "check_in_list": "This is a coordinator's tool.",
    "registrations_csv": "This is a coordinator's tool.",
    "results": "This is a coordinator's tool.",
    "send_materials": "This is a coordinator's tool.",
    "mailings": "This is a coordinator's tool.",
    "cancel_event": "This is a coordinator's tool.",
}


@pytest.mark.parametrize("name", sorted(COORDINATOR_TOOLS))
@pytest.mark.parametrize("role", ["anonymous", "member", "editor"])
def test_coordinator_tools_refuse_everyone_but_coordinators_and_say_why(client, name, role, member, editor):
    event = EventFactory()
    RegistrationFactory(event=event, name="Zichtbaar Nergens")
    if role != "anonymous":
        client.force_login({"member": member, "editor": editor}[role])
    response = client.get(reverse(f"events:{name}", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert_refused(response, role, {role: COORDINATOR_TOOLS[name]})
    assert "Zichtbaar Nergens" not in response.content.decode()


def test_invite_shows_the_count_on_the_check_page_and_sends_at_confirm(
    coordinator_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    for _ in range(3):
        approved_member(discipline="midwifery")
    approved_member(discipline="social_work")
    url = reverse("events:invite", args=[event.slug])
    composed = coordinator_client.post(url, {"segment-disciplines": ["midwifery"], "message": "Kom je ook?"})
    check = check_of(composed)
    assert check.recipient_count == 3
    page = coordinator_client.get(check.get_absolute_url())
    assert "Kom je ook?" in page.text
    assert not Invitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_on_page(coordinator_client, composed)
    assert response.status_code == 302 and response["Location"] == reverse("events:invitations", args=[event.slug])
    assert Invitation.objects.filter(event=event).count() == 3
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert "List-Unsubscribe" in message.extra_headers
    assert "/events/invitation/" in message.body


def test_the_audience_leaves_out_who_was_already_invited(coordinator_client):
    event = EventFactory()
    invited, new = approved_member(discipline="midwifery"), approved_member(discipline="midwifery")
    InvitationFactory(event=event, profile=invited.profile, email=invited.email)
    url = reverse("events:invite", args=[event.slug])
    check = check_of(coordinator_client.post(url, {"segment-disciplines": ["midwifery"]}))
    assert check.recipient_count == 1 and check.left_out == {"already_invited": 1}
    page = coordinator_client.get(check.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert [r.email for r in page.context["audience"].recipients] == [new.email]
    assert "already invited to this event" in page.text


def test_invite_without_any_group_shows_an_error(coordinator_client):
    response = coordinator_client.post(reverse("events:invite", args=[EventFactory().slug]), {"message": "Hallo"})
    assert response.status_code == 200
    assert "Choose at least one group" in response.text or "Kies minstens" in response.text
    assert "Hallo" in response.text


def test_reminding_non_responders_happens_once(coordinator, coordinator_client, django_capture_on_commit_callbacks):
    event = EventFactory()
    InvitationFactory.create_batch(2, event=event)
    InvitationFactory(event=event, answer=Invitation.Answer.COMING)
    url = reverse("events:invitations", args=[event.slug])
    with django_capture_on_commit_callbacks(execute=True):
        confirm_on_page(coordinator_client, coordinator_client.post(url))
        again = coordinator_client.post(url, follow=True)
    assert len(mail.outbox) == 2
    assert Invitation.objects.filter(reminded_at__isnull=False).count() == 2
    assert again.redirect_chain[-1][0] == url  # nobody left: back to the answers with the reason


def test_check_in_from_the_list(coordinator_client):
    registration = RegistrationFactory()
    url = reverse("events:check_in_list", args=[registration.event.slug])
    assert registration.name in coordinator_client.get(url).text
    coordinator_client.post(url, {"registration": registration.pk, "checked_in": "1"})
    registration.refresh_from_db()
    assert registration.checked_in


def test_csv_export_neutralises_formulas(coordinator_client):
    event = EventFactory()
    question = IntakeQuestionFactory(event=event)
    for dangerous in ['=HYPERLINK("x")', "+31 6", "-1", "@SUM(A1)", "\tTab", "\rCR"]:
        RegistrationFactory(event=event, answers={str(question.pk): dangerous})
    RegistrationFactory(event=event, answers={str(question.pk): "Gewoon tekst"})
    response = coordinator_client.get(reverse("events:registrations_csv", args=[event.slug]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    answers = [row[12] for row in rows[1:]]  # after who, state, check-in, consent, coalition and phase
    assert all(a.startswith("'") for a in answers if a != "Gewoon tekst")
    assert "Gewoon tekst" in answers


def test_csv_export_leaves_out_addresses_of_profiles_no_longer_approved(coordinator_client):
    event = EventFactory()
    registration = RegistrationFactory(event=event, profile=ProfileFactory(status="declined"))
    response = coordinator_client.get(reverse("events:registrations_csv", args=[event.slug]))
    assert registration.profile.user.email not in response.content.decode()


def test_results_show_average_score_and_lead_to_the_feedback_surveys_results(coordinator_client):
    event = EventFactory(starts_at=timezone.now() - timedelta(days=1))
    empty = coordinator_client.get(reverse("events:results", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert "No feedback yet" in empty.text
    for score in (4, 5):
        give_feedback(RegistrationFactory(event=event), score=score, valuable=f"Antwoord {score}")
    RegistrationFactory(event=event, state=Registration.State.WAITING)
    response = coordinator_client.get(reverse("events:results", args=[event.slug]))
    assert "4,5" in response.text or "4.5" in response.text
    event.refresh_from_db()
    results_url = reverse("surveys:results", args=[event.feedback_survey.slug])
    assert f'href="{results_url}"' in response.text
    assert response.context["counts"]["confirmed"] == 2 and response.context["counts"]["waiting"] == 1
    assert dict(response.context["feedback"].distribution) == {5: 1, 4: 1, 3: 0, 2: 0, 1: 0}
    # The open answers are on the survey's results page, which the event's coordinator may read.
    assert "Antwoord 5" in coordinator_client.get(results_url).text


def test_admin_pages_load_for_coordinator(coordinator_client):
    event = EventFactory(title="Werkbezoek in de admin")
    registration = RegistrationFactory(event=event)
    changelist = coordinator_client.get(reverse("admin:events_event_changelist"))
    assert changelist.status_code == 200 and "Werkbezoek in de admin" in changelist.text
    change = coordinator_client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert change.status_code == 200
    assert registration.name in change.text
    assert reverse("events:invite", args=[event.slug]) in change.text


def test_opt_out_link_stops_invitations(client):
    url = _path(services.opt_out_url("Someone@Example.org"))
    assert client.get(url).status_code == 200
    client.post(url)
    approved_member(user__email="someone@example.org")
    params = {"event": EventFactory().pk, "segment": segment(all_members=True)}
    assert audience_emails("events.invitation", params) == []


def test_home_page_lists_upcoming_events(client):
    event = EventFactory(title="Werkbezoek kraamzorg")
    response = client.get(reverse("home"))
    assert event.title in response.text


def test_event_page_names_its_edition_only_once_the_edition_is_published(client, editor):
    edition = EditionFactory(title="Najaarseditie in de maak", state=Edition.State.DRAFT)
    event = EventFactory(edition=edition)
    assert "Najaarseditie in de maak" not in client.get(event.get_absolute_url()).content.decode()

    client.force_login(editor)
    assert "Najaarseditie in de maak" in client.get(event.get_absolute_url()).content.decode()

    client.logout()
    edition.state = Edition.State.PUBLISHED
    edition.published_at = timezone.now() - timedelta(days=1)
    edition.save()
    assert "Najaarseditie in de maak" in client.get(event.get_absolute_url()).content.decode()


def test_invitation_button_works_with_csrf_checks_for_someone_without_a_session():
    client = Client(enforce_csrf_checks=True)
    event = EventFactory()
    user = approved_member()
    invitation = InvitationFactory(event=event, profile=user.profile, email=user.email)
    url = _path(services.answer_url(invitation, Invitation.Answer.COMING))
    page = client.get(url)
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(url, {"csrfmiddlewaretoken": token, **INTAKE})
    assert response.status_code == 200
    assert Registration.objects.get(event=event, profile=user.profile).is_confirmed


def _queries(client, url):
    """The statements of one request once the caches are warm (a form's long select reads its table's names from
    the cache after the first request: coalition.fragments.table_choices)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["participants", "invitations", "check_in_list", "results", "mailings"])
def test_participant_and_coordinator_lists_do_not_grow_queries_with_rows(coordinator_client, coordinator, name):
    def event_with(rows):
        event = EventFactory(capacity=None)
        questions = IntakeQuestionFactory.create_batch(3, event=event)
        for _ in range(rows):
            user = approved_member()
            answers = {str(question.pk): "Ver" for question in questions}
            registration = services.register(event, user, consent_to_list=True, answers=answers)
            InvitationFactory(event=event, profile=user.profile, email=user.email)
            services.check_in(registration, by=coordinator)
        return event

    small, large = event_with(2), event_with(25)
    counts = [_queries(coordinator_client, reverse(f"events:{name}", args=[e.slug])) for e in (small, large)]
    assert counts[0] == counts[1]


def test_my_registrations_query_count_does_not_grow_with_waiting_places(client):
    user = approved_member()

    def wait_on(events):
        for _ in range(events):
            event = EventFactory(capacity=1)
            services.register(event, approved_member())
            services.register(event, approved_member())
            services.register(event, user)

    client.force_login(user)
    wait_on(2)
    few = _queries(client, reverse("events:my_registrations"))
    wait_on(10)
    many = _queries(client, reverse("events:my_registrations"))
    assert few == many
    page = client.get(reverse("events:my_registrations")).text
    assert page.count("number 2") + page.count("plaats 2") == 12
