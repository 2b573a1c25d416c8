"""Guests (people without a member account): registering, confirming the address, seats, expiry, cancelling, and
invitations answered through the registration form (issue 16, points 2, 9 and 11)."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from coalition.models import Delivery
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import services
from events.models import Event, Invitation, Registration
from events.services import Guest

from .factories import (
    EventFactory,
    GuestRegistrationFactory,
    IntakeQuestionFactory,
    InvitationFactory,
    OrganisationFactory,
    approved_member,
    feedback_answers,
    feedback_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages asserted on are the English msgids (the Dutch catalogue comes with the merge)."""
    with translation.override("en"):
        yield


def guest(n=1, **kwargs):
    values = {
        "name": f"Gast {n}",
        "email": f"gast{n}@minvws.example",
        "function": "beleidsmedewerker",
        "organisation_name": "Ministerie van VWS",
    }
    return Guest(**{**values, **kwargs})


def guest_event(**kwargs):
    return EventFactory(open_to_guests=True, **kwargs)


def delivered(address, template):
    return Delivery.objects.filter(address__iexact=address, mailing__template=f"events/{template}")


def confirm_path(registration):
    return services.guest_url(registration, "confirm").split("testserver", 1)[-1].split("://", 1)[-1]


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


# --- Services ---------------------------------------------------------------------------------------


def test_a_guest_holds_a_free_seat_but_counts_nowhere_else_until_confirmed():
    event = guest_event(capacity=2)
    registration = services.register_guest(event, guest(), consent_to_list=True)
    assert registration.is_pending and registration.holds_seat
    assert Event.objects.with_counts().get(pk=event.pk).seats_left == 1
    assert not Registration.objects.listed().filter(event=event).exists()
    assert delivered("gast1@minvws.example", "guest_confirm").count() == 1
    assert not delivered("gast1@minvws.example", "registered").exists()
    # No mail about the event reaches an unconfirmed guest.
    assert services.people_registered(event, confirmed=True, waiting=True) == []


def test_confirming_makes_the_seat_final_with_the_confirmation_and_its_calendar_file():
    event = guest_event(capacity=1)
    registration = services.confirm_guest(services.register_guest(event, guest(), consent_to_list=True))
    assert registration.is_confirmed and not registration.holds_seat and registration.address_confirmed_at
    confirmation = delivered("gast1@minvws.example", "registered").get()
    assert confirmation.attachments[0]["filename"].endswith(".ics")
    context = confirmation.mailing.context
    assert "/events/guest/" in context["cancel_url"]
    assert Registration.objects.listed().filter(event=event).count() == 1
    # Confirming twice changes nothing and mails nothing more.
    services.confirm_guest(registration)
    assert delivered("gast1@minvws.example", "registered").count() == 1


def test_a_guest_without_a_free_seat_joins_the_waiting_list_on_confirming():
    event = guest_event(capacity=1)
    services.register(event, approved_member())
    registration = services.register_guest(event, guest())
    assert registration.is_pending and not registration.holds_seat
    registration = services.confirm_guest(registration)
    assert registration.is_waiting and registration.waiting_position() == 1
    assert delivered("gast1@minvws.example", "waiting").exists()


def test_a_held_seat_is_not_given_to_a_member_meanwhile():
    event = guest_event(capacity=1)
    held = services.register_guest(event, guest())
    member_registration = services.register(event, approved_member())
    assert member_registration.is_waiting
    assert services.confirm_guest(held).is_confirmed


def test_an_unconfirmed_guest_expires_after_48_hours_and_the_seat_goes_to_the_waiting_list():
    event = guest_event(capacity=1)
    held = services.register_guest(event, guest())
    waiting = services.register(event, approved_member())
    assert services.expire_unconfirmed_guests(now=timezone.now() + timedelta(hours=47)) == 0
    later = timezone.now() + timedelta(hours=48, minutes=1)
    assert services.expire_unconfirmed_guests(now=later) == 1
    assert services.expire_unconfirmed_guests(now=later) == 0  # safe to run twice
    held.refresh_from_db()
    waiting.refresh_from_db()
    assert held.is_cancelled and held.cancel_reason == Registration.CancelReason.UNCONFIRMED
    assert waiting.is_confirmed
    with pytest.raises(services.EventError):
        services.confirm_guest(held)


def test_the_expiry_task_is_scheduled():
    from coalition.celery import app  # noqa: PLC0415 - the schedule is the subject of this test

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "events.tasks.expire_unconfirmed_guests" in tasks


def test_the_confirm_link_is_signed_and_expires():
    event = guest_event()
    registration = services.register_guest(event, guest())
    token = path_of(services.guest_url(registration, "confirm")).split("/")[-3]
    assert services.read_guest_token(token, confirm=True) == registration
    with pytest.raises(services.EventError):
        services.read_guest_token(token[:-2] + "xx", confirm=True)
    with pytest.raises(services.EventError):
        services.read_guest_token(token)  # a confirm token is no cancel token


def test_one_active_registration_per_address_whatever_its_case():
    event = guest_event()
    first = services.register_guest(event, guest())
    again = services.register_guest(event, guest(email="GAST1@minvws.example"))
    assert again is None
    assert Registration.objects.filter(event=event).count() == 1
    # The second form mails the address its way in again (a fresh confirm link), the page says nothing more.
    assert delivered("gast1@minvws.example", "guest_confirm").count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, name="x", email="Gast1@MinVWS.example", state="pending")
    services.confirm_guest(first)
    assert services.register_guest(event, guest()) is None
    assert delivered("gast1@minvws.example", "guest_already_registered").count() == 1


def test_a_member_address_gets_a_mail_to_log_in_and_no_registration():
    event = guest_event()
    member = approved_member()
    assert services.register_guest(event, guest(email=member.email.upper())) is None
    assert not Registration.objects.filter(event=event).exists()
    assert delivered(member.email, "guest_member_address").exists()


def test_an_event_not_open_to_guests_refuses_the_form():
    with pytest.raises(services.EventError):
        services.register_guest(EventFactory(open_to_guests=False), guest())


def test_the_per_organisation_maximum_counts_guests_by_organisation_and_by_typed_name():
    organisation = OrganisationFactory(name="GGD regio Utrecht")
    event = guest_event(max_per_organisation=2)
    services.register(event, approved_member(organisation=organisation))
    services.register_guest(event, guest(1, organisation_name="ggd REGIO utrecht"))  # the typed name is the org
    with pytest.raises(services.EventError, match="maximum"):
        services.register_guest(event, guest(2, organisation=organisation, organisation_name=""))
    services.register_guest(event, guest(3, organisation_name="Ministerie van VWS"))
    services.register_guest(event, guest(4, organisation_name="ministerie VAN vws"))
    with pytest.raises(services.EventError, match="maximum"):
        services.register_guest(event, guest(5, organisation_name="MINISTERIE van VWS"))


def test_a_guest_cancels_from_the_signed_link_and_the_waiting_list_moves_up():
    event = guest_event(capacity=1)
    registration = services.confirm_guest(services.register_guest(event, guest()))
    waiting = services.register(event, approved_member())
    services.cancel_guest(registration)
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.is_cancelled and waiting.is_confirmed
    assert delivered("gast1@minvws.example", "registration_cancelled").exists()


def test_the_cancellation_deadline_holds_for_guests():
    event = guest_event(cancellation_deadline=timezone.now() + timedelta(days=1))
    registration = services.confirm_guest(services.register_guest(event, guest()))
    with pytest.raises(services.EventError, match="possible until"):
        services.cancel_guest(registration, now=timezone.now() + timedelta(days=2))


def test_guests_get_the_mass_mails_of_the_event_with_their_cancel_link():
    event = guest_event(starts_at=timezone.now() + timedelta(days=2))
    services.confirm_guest(services.register_guest(event, guest()))
    assert services.send_due_reminders() == 1
    reminder = delivered("gast1@minvws.example", "reminder").get()
    assert "/events/guest/" in reminder.context["cancel_url"]
    assert [r.email for r in services.participants_for_materials(event)] == ["gast1@minvws.example"]
    recipients = services.people_to_tell_of_cancellation(event)
    assert recipients[0].context["cancel_url"]


def test_retention_clears_a_guests_address_and_function():
    start = timezone.now() - timedelta(days=800)
    event = guest_event(starts_at=start, ends_at=start + timedelta(hours=2))
    GuestRegistrationFactory(event=event)
    services.detach_personal_data()
    registration = Registration.objects.get(event=event)
    assert (registration.email, registration.function, registration.name, registration.token) == ("", "", "", None)


def test_a_guest_walks_in_and_is_found_on_the_check_in_list(coordinator):
    event = guest_event(capacity=1)
    services.register(event, approved_member())
    registration = services.walk_in_guest(event, guest(), by=coordinator)
    assert registration.is_confirmed and registration.checked_in and registration.is_guest
    with pytest.raises(services.EventError, match="already checked in"):
        services.walk_in_guest(event, guest(), by=coordinator)
    with pytest.raises(services.EventError, match="member account"):
        services.walk_in_guest(event, guest(email=approved_member().email), by=coordinator)


# --- Invitations -------------------------------------------------------------------------------------


def test_an_invited_visitor_registers_through_the_form_without_confirming_the_address(client):
    event = EventFactory(open_to_guests=False)
    question = IntakeQuestionFactory(event=event, label="Wat wil je leren?")
    invitation = InvitationFactory(event=event, email="bezoeker@minvws.example", name="Bezoeker")
    url = path_of(services.answer_url(invitation, Invitation.Answer.COMING))
    with translation.override("en"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert 'value="bezoeker@minvws.example"' in page.text and "Wat wil je leren?" in page.text
    response = client.post(
        url,
        {
            "name": "Bezoeker",
            "organisation_name": "Ministerie van VWS",
            "function": "beleidsmedewerker",
            f"question_{question.pk}": "Kansrijke Start",
            "consent_to_list": "on",
        },
    )
    assert response.status_code == 200
    registration = Registration.objects.get(event=event)
    assert (
        registration.is_confirmed
        and registration.is_guest
        and registration.answers == {str(question.pk): "Kansrijke Start"}
    )
    assert registration.email == "bezoeker@minvws.example"  # the disabled field cannot be changed by a post
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.COMING
    assert delivered("bezoeker@minvws.example", "registered").exists()


def test_an_invited_member_answers_the_intake_questions_instead_of_being_registered_silently(client):
    member = approved_member()
    event = EventFactory()
    question = IntakeQuestionFactory(event=event, label="Wat wil je leren?")
    invitation = InvitationFactory(event=event, email=member.email, profile=member.profile)
    url = path_of(services.answer_url(invitation, Invitation.Answer.COMING))
    field = f"question_{question.pk}"
    assert f'name="{field}"' in client.get(url).text
    bad = client.post(url, {field: "x" * 4001})
    assert bad.status_code == 200 and not Registration.objects.filter(event=event).exists()
    client.post(url, {field: "Schulden", "consent_to_list": "on"})
    registration = Registration.objects.get(event=event, profile=member.profile)
    assert registration.is_confirmed and registration.answers == {str(question.pk): "Schulden"}


def test_the_invitations_page_counts_coming_only_for_confirmed_seats(client, coordinator):
    event = EventFactory(capacity=1)
    confirmed, waiting = approved_member(), approved_member()
    services.register(event, confirmed)
    services.register(event, waiting)
    for user in (confirmed, waiting):
        InvitationFactory(event=event, email=user.email, profile=user.profile, answer=Invitation.Answer.COMING)
    InvitationFactory(event=event, answer=Invitation.Answer.NOT_COMING)
    client.force_login(coordinator)
    with translation.override("en"):
        page = client.get(reverse("events:invitations", kwargs={"slug": event.slug}), HTTP_ACCEPT_LANGUAGE="en")
    text = page.text
    assert "Coming (confirmed): 1" in text and "On the waiting list: 1" in text and "Not coming: 1" in text
    assert text.count("<td>On the waiting list</td>") == 1


# --- Views ---------------------------------------------------------------------------------------------


def test_visitors_see_the_guest_button_members_the_normal_one(client):
    event = guest_event()
    assert reverse("events:guest_register", kwargs={"slug": event.slug}) in client.get(event.get_absolute_url()).text
    client.force_login(approved_member())
    page = client.get(event.get_absolute_url()).text
    assert reverse("events:guest_register", kwargs={"slug": event.slug}) not in page
    assert reverse("events:register", kwargs={"slug": event.slug}) in page
    guest_page = client.get(reverse("events:guest_register", kwargs={"slug": event.slug}))
    assert guest_page.status_code == 302 and guest_page.url == reverse("events:register", kwargs={"slug": event.slug})


def test_an_event_closed_to_guests_has_no_guest_form(client):
    event = EventFactory(open_to_guests=False)
    assert (
        reverse("events:guest_register", kwargs={"slug": event.slug}) not in client.get(event.get_absolute_url()).text
    )
    assert client.get(reverse("events:guest_register", kwargs={"slug": event.slug})).status_code in (302, 403)


def test_bad_input_on_the_guest_form_is_shown_at_the_field_and_the_rest_is_kept(client):
    event = guest_event()
    url = reverse("events:guest_register", kwargs={"slug": event.slug})
    with translation.override("en"):
        response = client.post(
            url,
            {"name": "Anna de Vries", "email": "geen-adres", "function": "beleidsmedewerker"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors and "organisation" in form.errors
    assert 'value="Anna de Vries"' in response.text and 'value="beleidsmedewerker"' in response.text
    assert not Registration.objects.exists()


def test_the_guest_form_says_the_same_for_a_member_address_as_for_a_new_one(client):
    event = guest_event()
    url = reverse("events:guest_register", kwargs={"slug": event.slug})
    data = {"name": "Anna", "organisation_name": "VWS", "function": "beleid"}
    member_address = approved_member().email
    said = []
    for address in ("nieuw@minvws.example", member_address):
        response = client.post(url, {**data, "email": address}, follow=True)
        assert response.redirect_chain == [(event.get_absolute_url(), 302)]
        said.append([str(message).replace(address, "ADDRESS") for message in response.context["messages"]])
    assert said[0] == said[1] and said[0]


def test_the_guest_form_is_limited_per_address(client):
    event = guest_event()
    url = reverse("events:guest_register", kwargs={"slug": event.slug})
    data = {"name": "Anna", "email": "veel@minvws.example", "organisation_name": "VWS", "function": "beleid"}
    for _n in range(services.GUEST_MAILS_PER_ADDRESS_PER_HOUR):
        client.post(url, data)
    refused = client.post(url, data)
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    assert refused.context["form"]["name"].value() == "Anna"


def test_a_guest_confirms_sees_their_registration_and_cancels_from_the_links(client):
    event = guest_event(capacity=1)
    registration = services.register_guest(event, guest())
    confirm = path_of(services.guest_url(registration, "confirm"))
    assert client.get(confirm).status_code == 200
    registration.refresh_from_db()
    assert registration.is_pending  # a GET (a mail scanner) changes nothing
    response = client.post(confirm)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.is_confirmed
    page = client.get(response.url)
    assert page.status_code == 200 and "gast1@minvws.example" in page.text
    cancel = path_of(services.guest_url(registration, "cancel"))
    assert client.get(cancel).status_code == 200
    registration.refresh_from_db()
    assert registration.is_confirmed
    client.post(cancel)
    registration.refresh_from_db()
    assert registration.is_cancelled
    assert client.get(cancel[:-11] + "0123456789/").status_code == 400


def test_the_participant_list_marks_consenting_guests_and_leaves_out_the_rest(client):
    event = guest_event()
    member = approved_member()
    services.register(event, member, consent_to_list=True)
    services.confirm_guest(services.register_guest(event, guest(1), consent_to_list=True))
    services.confirm_guest(services.register_guest(event, guest(2, name="Zonder Toestemming")))
    services.register_guest(event, guest(3, name="Nog Niet Bevestigd"), consent_to_list=True)
    client.force_login(member)
    with translation.override("en"):
        page = client.get(reverse("events:participants", kwargs={"slug": event.slug}), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Gast 1" in page and "beleidsmedewerker" in page
    assert "Zonder Toestemming" not in page and "Nog Niet Bevestigd" not in page
    assert "gast1@minvws.example" not in page  # never contact details


def test_the_check_in_search_finds_guests_and_a_guest_walks_in(client, coordinator):
    event = guest_event()
    services.confirm_guest(services.register_guest(event, guest()))
    client.force_login(coordinator)
    url = reverse("events:check_in_list", kwargs={"slug": event.slug})
    assert "Gast 1" in client.get(url, {"q": "minvws"}).text
    bad = client.post(url, {"action": "walk_in_guest", "name": "Piet", "email": "x"})
    assert bad.status_code == 200 and bad.context["guest_form"].errors["email"] and 'value="Piet"' in bad.text
    client.post(
        url, {"action": "walk_in_guest", "name": "Piet", "email": "piet@vws.example", "organisation_name": "VWS"}
    )
    assert Registration.objects.get(event=event, email="piet@vws.example").checked_in


def test_the_csv_has_guests_with_their_address_and_function(client, coordinator):
    event = guest_event()
    services.confirm_guest(services.register_guest(event, guest()))
    client.force_login(coordinator)
    body = client.get(reverse("events:registrations_csv", kwargs={"slug": event.slug})).content.decode("utf-8-sig")
    assert "gast1@minvws.example" in body and "beleidsmedewerker" in body


# --- Query counts ---------------------------------------------------------------------------------------


def _guests(event):
    return lambda n: GuestRegistrationFactory.create_batch(n, event=event)


def test_the_participant_list_with_guests_takes_as_many_queries(client, coordinator):
    event = guest_event(capacity=None)
    client.force_login(coordinator)
    assert_same_count_as_data_grows(client, reverse("events:participants", kwargs={"slug": event.slug}), _guests(event))


def test_the_check_in_list_with_guests_takes_as_many_queries(client, coordinator):
    event = guest_event(capacity=None)
    client.force_login(coordinator)
    assert_same_count_as_data_grows(
        client, reverse("events:check_in_list", kwargs={"slug": event.slug}), _guests(event)
    )


def test_the_guest_pages_take_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    event = guest_event(capacity=None)
    _guests(event)(5)
    registration = services.register_guest(event, guest())
    with django_assert_max_num_queries(8):
        client.get(reverse("events:guest_register", kwargs={"slug": event.slug}))
    with django_assert_max_num_queries(6):
        client.get(path_of(services.guest_url(registration, "confirm")))
    services.confirm_guest(registration)
    with django_assert_max_num_queries(6):
        client.get(path_of(services.guest_url(registration)))
    with django_assert_max_num_queries(6):
        client.get(path_of(services.guest_url(registration, "cancel")))


def test_a_guest_downloads_the_materials_and_gives_feedback_through_their_own_link(client):
    from django.core.files.base import ContentFile  # noqa: PLC0415 - only this test uploads a file

    from events.models import Material  # noqa: PLC0415 - as above

    start = timezone.now() - timedelta(hours=3)
    event = guest_event(starts_at=start, ends_at=start + timedelta(hours=2))
    registration = GuestRegistrationFactory(event=event)
    pending = GuestRegistrationFactory(event=event, state=Registration.State.PENDING)
    material = Material(event=event, title="Presentatie")
    material.file.save("presentatie.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)

    (recipient,) = services.participants_for_materials(event)
    assert recipient.email == registration.email
    url = path_of(recipient.context["materials"][0]["url"])
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 demo"
    assert client.get(path_of(services.guest_material_url(pending, material))).status_code == 404
    assert client.get(reverse("events:material_download", kwargs={"pk": material.pk})).status_code == 302  # log in

    # Their feedback link leads to their own place in the event's feedback survey, answered without an account.
    feedback_url = path_of(recipient.context["feedback_url"])
    answer_page = client.get(feedback_url)
    assert answer_page.status_code == 302 and answer_page.url.startswith("/surveys/answer/")
    event.refresh_from_db()
    sent = client.post(answer_page.url, feedback_answers(event, score=5, valuable="De praktijk"))
    assert sent.status_code == 302
    assert feedback_of(registration) == [5, "De praktijk", None]
    assert client.get(feedback_url).url == answer_page.url, "the same place the next time"
    assert client.get(path_of(services.guest_url(pending)) + "feedback/").status_code == 403


def test_an_invited_visitor_who_cannot_come_after_all_gives_the_seat_back():
    event = EventFactory(capacity=1)
    invitation = InvitationFactory(event=event, email="bezoeker@minvws.example", name="Bezoeker")
    details = Guest(name="Bezoeker", email="ignored@example.org", organisation_name="VWS")
    registration = services.answer_invitation(invitation, answer=Invitation.Answer.COMING, guest=details)
    assert registration.is_confirmed and registration.email == "bezoeker@minvws.example"
    waiting = services.register(event, approved_member())
    services.answer_invitation(invitation, answer=Invitation.Answer.NOT_COMING)
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.is_cancelled and waiting.is_confirmed


def test_an_invited_visitor_whose_address_became_a_members_is_told_to_log_in(client):
    member = approved_member()
    event = EventFactory()
    invitation = InvitationFactory(event=event, email=member.email.lower(), name="Lid")
    url = path_of(services.answer_url(invitation, Invitation.Answer.COMING))
    response = client.post(url, {"name": "Lid", "organisation_name": "VWS", "function": "beleid"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="VWS"' in response.text
    assert not Registration.objects.filter(event=event).exists()


def test_the_overview_before_the_event_gives_a_guest_their_own_cancel_link_and_a_member_none():
    event = EventFactory(open_to_guests=True)
    guest = GuestRegistrationFactory(event=event)
    member = approved_member()
    services.register(event, member)
    recipients = {recipient.email: recipient for recipient in services.participants_for_overview(event)}
    assert recipients[guest.email].context["cancel_url"] == services.guest_url(guest, "cancel")
    assert "cancel_url" not in recipients[member.email].context
