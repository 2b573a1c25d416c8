"""The programme and breakout sessions (issue 16, points 4, 5 and 11): items within the event's time, choosing and
assigning sessions within their seats, each session's link for its own participants only, the coordinator's
sessions page and the programme and participant overview before the event."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from coalition import checkstep
from coalition.models import MailCheck, Mailing
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import services
from events.models import EventMailing, IntakeQuestion, ProgrammeItem, Registration
from network.tests.factories import CoalitionFactory

from .checks import check_of
from .factories import (
    EventFactory,
    IntakeQuestionFactory,
    OrganisationFactory,
    ProfileFactory,
    ProgrammeItemFactory,
    RegistrationFactory,
    SessionFactory,
    approved_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _at(event, minutes):
    return event.starts_at + timedelta(minutes=minutes)


# --- The programme: items within the event's time -------------------------------------------------------


def test_a_programme_item_before_the_event_is_refused_at_its_start():
    event = EventFactory()
    item = ProgrammeItem(event=event, title="Inloop", starts_at=_at(event, -30), ends_at=_at(event, 10))
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert set(refused.value.message_dict) == {"starts_at"}
    assert "must lie within the event" in refused.value.message_dict["starts_at"][0]


def test_a_programme_item_ending_after_the_event_is_refused_at_its_end():
    event = EventFactory()  # two hours
    item = ProgrammeItem(event=event, title="Borrel", starts_at=_at(event, 90), ends_at=_at(event, 150))
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert set(refused.value.message_dict) == {"ends_at"}


def test_a_programme_item_must_end_after_it_starts():
    event = EventFactory()
    item = ProgrammeItem(event=event, title="Pauze", starts_at=_at(event, 60), ends_at=_at(event, 60))
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert refused.value.message_dict == {"ends_at": ["The end must be after the start."]}


def test_a_programme_item_within_the_event_and_in_its_own_session_is_valid():
    event = EventFactory()
    session = SessionFactory(event=event)
    ProgrammeItem(event=event, title="Deelsessie", starts_at=event.starts_at, ends_at=event.ends_at, session=session)
    ProgrammeItem(event=event, title="Deelsessie", starts_at=_at(event, 0), ends_at=_at(event, 120)).full_clean()


def test_a_programme_item_cannot_take_another_events_session():
    event = EventFactory()
    item = ProgrammeItem(
        event=event, title="Deelsessie", starts_at=_at(event, 0), ends_at=_at(event, 30), session=SessionFactory()
    )
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert set(refused.value.message_dict) == {"session"}


def test_the_admin_refuses_a_programme_item_outside_the_event_at_its_field_and_keeps_the_rest(coordinator_client):
    event = EventFactory(title="Regio-overleg")
    url = reverse("admin:events_event_change", args=[event.pk])
    form = coordinator_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    local = timezone.localtime(event.starts_at)
    data.update(
        {
            "starts_at_0": local.strftime("%d-%m-%Y"),
            "starts_at_1": local.strftime("%H:%M:%S"),
            "ends_at_0": timezone.localtime(event.ends_at).strftime("%d-%m-%Y"),
            "ends_at_1": timezone.localtime(event.ends_at).strftime("%H:%M:%S"),
        }
    )
    for prefix in ("sessions", "programme", "registrations", "materials", "event_mailings"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    late = timezone.localtime(event.ends_at + timedelta(hours=1))
    data.update(
        {
            "programme-TOTAL_FORMS": "1",
            "programme-0-title": "Borrel",
            "programme-0-starts_at_0": late.strftime("%d-%m-%Y"),
            "programme-0-starts_at_1": late.strftime("%H:%M:%S"),
            "programme-0-ends_at_0": late.strftime("%d-%m-%Y"),
            "programme-0-ends_at_1": (late + timedelta(minutes=30)).strftime("%H:%M:%S"),
            "programme-0-guest_speakers": "Jeroen Bakker, Pharos",
        }
    )
    response = coordinator_client.post(url, data)
    assert response.status_code == 200, response.get("Location")
    (formset,) = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "programme"]
    errors = formset.formset.forms[0].errors
    assert "starts_at" in errors and "Het programma valt buiten de bijeenkomst" in errors["starts_at"][0]
    assert formset.formset.forms[0]["guest_speakers"].value() == "Jeroen Bakker, Pharos"
    assert not ProgrammeItem.objects.exists()


def test_the_event_admin_edits_sessions_and_programme_as_lists(coordinator_client):
    event = EventFactory()
    SessionFactory(event=event, title="Armoede")
    ProgrammeItemFactory(event=event, title="Welkom")
    page = coordinator_client.get(reverse("admin:events_event_change", args=[event.pk]))
    prefixes = {f.formset.prefix for f in page.context["inline_admin_formsets"]}
    assert {"sessions", "programme"} <= prefixes
    assert "Armoede" in page.text and "Welkom" in page.text
    assert reverse("events:overview", args=[event.slug]) in page.text
    assert reverse("events:sessions", args=[event.slug]) in page.text


# --- Choosing a session when registering ---------------------------------------------------------------


def test_registering_with_a_session_takes_a_seat_in_it():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=2)
    registration = services.register(event, approved_member(), session=session)
    assert registration.is_confirmed and registration.session == session


def test_the_last_seat_of_a_session_goes_once_and_the_next_is_refused_with_nothing_saved():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    services.register(event, approved_member(), session=session)
    late = approved_member()
    with pytest.raises(services.SessionFull, match="This breakout session is full"):
        services.register(event, late, session=session)
    assert not Registration.objects.filter(profile=late.profile).exists()


def test_another_events_session_is_refused():
    event = EventFactory()
    with pytest.raises(services.EventError):
        services.register(event, approved_member(), session=SessionFactory())


def test_on_the_waiting_list_a_full_session_is_kept_as_a_wish():
    event = EventFactory(capacity=1)
    session = SessionFactory(event=event, capacity=1)
    services.register(event, approved_member(), session=session)
    waiting = services.register(event, approved_member(), session=session)
    assert waiting.is_waiting and waiting.session == session


def test_promotion_grants_the_wish_when_the_session_has_room():
    event = EventFactory(capacity=1)
    session = SessionFactory(event=event, capacity=1)
    first_user = approved_member()
    first = services.register(event, first_user, session=session)
    waiting = services.register(event, approved_member(), session=session)
    services.cancel(first, by=first_user)
    waiting.refresh_from_db()
    assert waiting.is_confirmed and waiting.session == session


def test_promotion_drops_a_wish_for_a_full_session_and_the_coordinator_assigns():
    event = EventFactory(capacity=2)
    full, other = SessionFactory(event=event, capacity=1), SessionFactory(event=event, capacity=5)
    services.register(event, approved_member(), session=full)
    leaving_user = approved_member()
    leaving = services.register(event, leaving_user, session=other)
    waiting = services.register(event, approved_member(), session=full)
    services.cancel(leaving, by=leaving_user)
    waiting.refresh_from_db()
    assert waiting.is_confirmed and waiting.session is None


def test_the_registration_form_offers_the_sessions_and_refuses_a_full_one_at_the_field(client):
    event = EventFactory()
    full = SessionFactory(event=event, title="Armoede", capacity=1)
    open_ = SessionFactory(event=event, title="Kraamzorg", capacity=5)
    RegistrationFactory(event=event, session=full)
    user = approved_member()
    client.force_login(user)
    url = reverse("events:register", args=[event.slug])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert 'type="radio"' in page.text and "Armoede · Zaal 2 · full" in page.text and "Kraamzorg" in page.text
    question = IntakeQuestionFactory(event=event, label="What would you like to learn?")
    data = {f"question_{question.pk}": "We starten net.", "session": full.pk, "consent_to_list": "on"}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["form"].errors == {"session": ["This breakout session is full."]}
    assert response.context["form"][f"question_{question.pk}"].value() == "We starten net."
    assert not Registration.objects.filter(profile=user.profile).exists()
    assert client.post(url, {**data, "session": open_.pk}).status_code == 302
    assert Registration.objects.get(profile=user.profile).session == open_


def test_a_session_that_fills_while_the_form_is_open_is_refused_at_the_field(client, monkeypatch):
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    user = approved_member()
    client.force_login(user)
    url = reverse("events:register", args=[event.slug])
    # The form saw a seat; someone took it before the service decided under the lock.
    monkeypatch.setattr("events.forms.refuse_full_session", lambda form, session, current=None: session)
    RegistrationFactory(event=event, session=session)
    response = client.post(url, {"session": session.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["form"].errors == {"session": ["This breakout session is full."]}


def test_without_sessions_the_form_asks_for_none(member_client):
    event = EventFactory()
    assert "session" not in member_client.get(reverse("events:register", args=[event.slug])).context["form"].fields


# --- Changing and assigning sessions -------------------------------------------------------------------


def test_a_member_changes_their_session_until_the_event_starts():
    event = EventFactory()
    first, second = SessionFactory(event=event), SessionFactory(event=event)
    user = approved_member()
    registration = services.register(event, user, session=first)
    assert services.choose_session(registration, second, by=user).session == second
    assert services.choose_session(registration, None, by=user).session is None
    event.starts_at = timezone.now() - timedelta(minutes=5)
    event.save()
    with pytest.raises(services.EventError, match="has started"):
        services.choose_session(registration, first, by=user)


def test_a_full_session_is_refused_when_changing_but_staying_is_fine():
    event = EventFactory()
    full, mine = SessionFactory(event=event, capacity=1), SessionFactory(event=event, capacity=1)
    RegistrationFactory(event=event, session=full)
    user = approved_member()
    registration = services.register(event, user, session=mine)
    with pytest.raises(services.SessionFull):
        services.choose_session(registration, full, by=user)
    assert services.choose_session(registration, mine, by=user).session == mine


def test_nobody_else_chooses_a_members_session(member, coalition_coordinator):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    session = SessionFactory(event=event)
    for other in (member, coalition_coordinator):
        with pytest.raises(services.NotAllowed):
            services.choose_session(registration, session, by=other)


def test_the_coordinator_of_the_events_coalition_moves_people():
    coalition = CoalitionFactory()
    event = EventFactory(coalition=coalition)
    registration = RegistrationFactory(event=event)
    session = SessionFactory(event=event)
    from network.models import CoalitionCoordinator  # noqa: PLC0415 — only this test needs it

    trekker = approved_member()
    CoalitionCoordinator.objects.create(coalition=coalition, user=trekker)
    assert services.choose_session(registration, session, by=trekker).session == session


def test_assigning_spreads_colleagues_over_the_sessions_within_their_seats(coordinator):
    event = EventFactory(capacity=None)
    first, second = SessionFactory(event=event, capacity=4), SessionFactory(event=event, capacity=3)
    midwives, jgz = OrganisationFactory(name="Verloskundigen"), OrganisationFactory(name="JGZ")
    for organisation in (midwives, jgz):
        for _ in range(4):
            RegistrationFactory(event=event, profile=ProfileFactory(organisation=organisation))
    RegistrationFactory(event=event, state=Registration.State.WAITING)  # keeps their wish: not placed
    done = services.assign_sessions(event, by=coordinator)
    assert done == services.Assignment(assigned=7, left=1)
    for session in (first, second):
        placed = Registration.objects.filter(session=session)
        assert placed.count() <= session.capacity
        organisations = list(placed.values_list("organisation", flat=True))
        # Colleagues spread: neither organisation fills a session on its own.
        assert organisations.count(midwives.pk) >= 1 and organisations.count(jgz.pk) >= 1
    assert Registration.objects.filter(state=Registration.State.WAITING, session__isnull=False).count() == 0
    assert services.assign_sessions(event, by=coordinator) == services.Assignment(assigned=0, left=1)


def test_assigning_balances_by_share_of_seats(coordinator):
    event = EventFactory(capacity=None)
    big, small = SessionFactory(event=event, capacity=20), SessionFactory(event=event, capacity=10)
    RegistrationFactory.create_batch(9, event=event)
    services.assign_sessions(event, by=coordinator)
    assert (big.registrations.count(), small.registrations.count()) == (6, 3)


def test_placing_by_phase_keeps_people_of_one_phase_together(coordinator):
    event = EventFactory(capacity=None)
    first, second = SessionFactory(event=event, capacity=4), SessionFactory(event=event, capacity=4)
    for phase in ("exploring", "exploring", "exploring", "executing", "executing", "executing"):
        RegistrationFactory(event=event, coalition_phase=phase)
    done = services.assign_sessions(event, by=coordinator, placing=services.Placing.PHASE)
    assert done == services.Assignment(assigned=6, left=0)
    for session in (first, second):
        phases = set(Registration.objects.filter(session=session).values_list("coalition_phase", flat=True))
        assert len(phases) == 1, f"{session.title} mixes phases: {phases}"


def test_placing_by_answer_sends_the_nth_choice_to_the_nth_session_and_the_rest_by_phase(coordinator):
    event = EventFactory(capacity=None)
    money, lasting = SessionFactory(event=event, capacity=2, position=0), SessionFactory(event=event, position=1)
    question = IntakeQuestionFactory(
        event=event, kind=IntakeQuestion.Kind.ONE_CHOICE, choices=["Geldzorgen", "Na de start"]
    )
    wants = ["Geldzorgen", "Geldzorgen", "Geldzorgen", "Na de start", None]
    registrations = [
        RegistrationFactory(event=event, answers={str(question.pk): want} if want else {}) for want in wants
    ]
    services.assign_sessions(event, by=coordinator, placing=services.Placing.ANSWER, question=question)
    placed = {r.pk: Registration.objects.get(pk=r.pk).session for r in registrations}
    assert [placed[r.pk] for r in registrations].count(money) == 2  # its two seats, to two who asked for it
    assert placed[registrations[3].pk] == lasting
    assert all(session is not None for session in placed.values())  # the third and the one without an answer too


def test_placing_by_answer_needs_a_one_choice_question_of_this_event(coordinator):
    event = EventFactory()
    SessionFactory(event=event)
    text = IntakeQuestionFactory(event=event)
    elsewhere = IntakeQuestionFactory(kind=IntakeQuestion.Kind.ONE_CHOICE, choices=["a", "b"])
    for question in (None, text, elsewhere):
        with pytest.raises(services.EventError, match="one-choice"):
            services.assign_sessions(event, by=coordinator, placing=services.Placing.ANSWER, question=question)


def test_the_sessions_page_offers_placing_by_each_one_choice_question_and_uses_it(coordinator_client):
    event = EventFactory(capacity=None)
    first, second = SessionFactory(event=event, position=0), SessionFactory(event=event, position=1)
    question = IntakeQuestionFactory(
        event=event, label="Welk onderwerp?", kind=IntakeQuestion.Kind.ONE_CHOICE, choices=["Een", "Twee"]
    )
    registration = RegistrationFactory(event=event, answers={str(question.pk): "Twee"})
    url = reverse("events:sessions", args=[event.slug])
    page = coordinator_client.get(url)
    assert f'value="answer:{question.pk}"' in page.text and "Welk onderwerp?" in page.text
    coordinator_client.post(url, {"action": "assign", "placing": f"answer:{question.pk}"})
    registration.refresh_from_db()
    assert registration.session == second
    assert not first.registrations.exists()


def test_assigning_is_for_those_who_manage_the_event(member, coalition_coordinator):
    event = EventFactory()
    SessionFactory(event=event)
    for user in (member, coalition_coordinator):
        with pytest.raises(services.NotAllowed):
            services.assign_sessions(event, by=user)


def test_assigning_without_sessions_says_so(coordinator):
    with pytest.raises(services.EventError, match="no breakout sessions"):
        services.assign_sessions(EventFactory(), by=coordinator)


# --- The event page: the programme, and each session's link only for its participants ---------------------


@pytest.fixture
def meeting():
    event = EventFactory(
        title="Regionale bijeenkomst", address="", venue="", meeting_url="https://meet.example.org/all"
    )
    first = SessionFactory(event=event, title="Armoede", meeting_url="https://meet.example.org/armoede")
    second = SessionFactory(event=event, title="Kraamzorg", meeting_url="https://meet.example.org/kraamzorg")
    ProgrammeItemFactory(event=event, title="Welkom", guest_speakers="Marieke de Vries, GGD regio Utrecht")
    ProgrammeItemFactory(event=event, title="Deelsessie armoede", session=first, starts_at=_at(event, 30))
    return event, first, second


def test_the_event_page_shows_the_programme_to_everyone(client, meeting):
    event, _first, _second = meeting
    page = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Welkom" in page.text and "Marieke de Vries, GGD regio Utrecht" in page.text
    assert "Breakout: Armoede" in page.text
    assert "meet.example.org/armoede" not in page.text and "meet.example.org/kraamzorg" not in page.text


def test_a_sessions_link_shows_only_to_its_own_participants(client, meeting, coordinator):
    event, first, _second = meeting
    own = RegistrationFactory(event=event, session=first)
    other = RegistrationFactory(event=event, session=_second)
    waiting = RegistrationFactory(event=event, session=first, state=Registration.State.WAITING)
    expectations = [(own, True), (other, False), (waiting, False)]
    for registration, sees in expectations:
        client.force_login(registration.profile.user)
        page = client.get(event.get_absolute_url())
        assert ("https://meet.example.org/armoede" in page.text) == sees, registration
    client.force_login(coordinator)
    assert "https://meet.example.org/armoede" not in client.get(event.get_absolute_url()).text


def test_the_reminder_carries_only_the_own_sessions_link(settings, meeting, django_capture_on_commit_callbacks):
    event, first, second = meeting
    settings.EVENT_REMINDER_DAYS = 30
    mine = RegistrationFactory(event=event, session=first)
    RegistrationFactory(event=event, session=second)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders()
    (message,) = [m for m in mail.outbox if mine.profile.user.email in m.to[0]]
    assert "https://meet.example.org/armoede" in message.body
    assert "https://meet.example.org/kraamzorg" not in message.body


def test_a_member_changes_their_session_on_the_event_page(client, meeting):
    event, first, second = meeting
    registration = RegistrationFactory(event=event, session=first)
    client.force_login(registration.profile.user)
    page = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("events:choose_session", args=[registration.pk])
    assert url in page.text and "Save my breakout session" in page.text
    response = client.post(url, {"session": second.pk})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.session == second


def test_a_full_session_is_refused_on_the_event_page_with_the_reason(client, meeting):
    event, first, second = meeting
    second.capacity = 1
    second.save()
    RegistrationFactory(event=event, session=second)
    registration = RegistrationFactory(event=event, session=first)
    client.force_login(registration.profile.user)
    response = client.post(
        reverse("events:choose_session", args=[registration.pk]), {"session": second.pk}, follow=True
    )
    with translation.override("nl"):
        assert translation.gettext("This breakout session is full.") in response.text
    registration.refresh_from_db()
    assert registration.session == first


def test_someone_elses_session_choice_is_refused(client, member, meeting):
    event, first, _second = meeting
    registration = RegistrationFactory(event=event)
    url = reverse("events:choose_session", args=[registration.pk])
    assert client.post(url, {"session": first.pk}).status_code == 302  # anonymous: to log in
    assert "/accounts/login/" in client.post(url, {"session": first.pk})["Location"]
    client.force_login(member)
    assert client.post(url, {"session": first.pk}).status_code == 403
    registration.refresh_from_db()
    assert registration.session is None


def test_the_participant_list_is_grouped_per_session(client, meeting):
    event, first, second = meeting
    own = RegistrationFactory(event=event, session=first, name="Anna Aarts")
    RegistrationFactory(event=event, session=second, profile__first_name="Bram")
    RegistrationFactory(event=event, session=second, consent_to_list=False, profile__first_name="Geheim")
    client.force_login(own.profile.user)
    page = client.get(reverse("events:participants", args=[event.slug]))
    groups = page.context["session_groups"]
    assert [(session, len(members)) for session, members in groups] == [(first, 1), (second, 1)]
    assert "Geheim" not in page.text


# --- The coordinator's sessions page -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("participant", 403), ("other_coalition", 403), ("coordinator", 200)],
)
def test_the_sessions_page_is_for_those_who_manage_the_event(
    client, member, coordinator, coalition_coordinator, meeting, role, status
):
    event, _first, _second = meeting
    users = {
        "member": member,
        "participant": RegistrationFactory(event=event).profile.user,
        "other_coalition": coalition_coordinator,
        "coordinator": coordinator,
    }
    if role in users:
        client.force_login(users[role])
    url = reverse("events:sessions", args=[event.slug])
    assert client.get(url).status_code == status
    assert client.post(url, {"action": "assign"}).status_code == (302 if status == 200 else status)


def test_the_coalitions_coordinator_opens_the_sessions_page_of_its_event(client, coalition_coordinator):
    event = EventFactory(coalition=coalition_coordinator.coalition_roles.get().coalition)
    SessionFactory(event=event)
    client.force_login(coalition_coordinator)
    assert client.get(reverse("events:sessions", args=[event.slug])).status_code == 200


def test_the_sessions_page_shows_fill_moves_people_and_assigns(coordinator_client, meeting):
    event, first, second = meeting
    placed = RegistrationFactory(event=event, session=first, name="Anna Aarts")
    loose = RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory(event=event, state=Registration.State.WAITING, session=second, name="Wim Wachter")
    url = reverse("events:sessions", args=[event.slug])
    page = coordinator_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 of 10 seats taken" in page.text and "wishes Kraamzorg" in page.text
    assert [len(members) for _session, members in page.context["groups"]] == [1, 0]
    assert len(page.context["unassigned"]) == 3
    response = coordinator_client.post(url, {"registration": placed.pk, "session": second.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"#registration-{placed.pk}")
    placed.refresh_from_db()
    assert placed.session == second
    coordinator_client.post(url, {"action": "assign"})
    assert not Registration.objects.filter(pk__in=[r.pk for r in loose], session__isnull=True).exists()


def test_moving_someone_of_another_event_is_not_found(coordinator_client, meeting):
    event, first, _second = meeting
    stranger = RegistrationFactory()
    response = coordinator_client.post(
        reverse("events:sessions", args=[event.slug]), {"registration": stranger.pk, "session": first.pk}
    )
    assert response.status_code == 404


# --- Before the event: the programme and participant overview --------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("member", 403), ("other_coalition", 403), ("coordinator", 200)]
)
def test_the_overview_page_is_for_those_who_manage_the_event(
    client, member, coordinator, coalition_coordinator, meeting, role, status
):
    event, _first, _second = meeting
    users = {"member": member, "other_coalition": coalition_coordinator, "coordinator": coordinator}
    if role in users:
        client.force_login(users[role])
    assert client.get(reverse("events:overview", args=[event.slug])).status_code == status


def test_the_overview_and_the_free_message_are_offered_from_the_same_place(coordinator_client, meeting):
    event, _first, _second = meeting
    page = coordinator_client.get(event.get_absolute_url())
    assert reverse("events:overview", args=[event.slug]) in page.text
    overview = coordinator_client.get(reverse("events:overview", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert reverse("events:message", args=[event.slug]) in overview.text
    assert "Welkom" in overview.text


def test_the_overview_mail_holds_the_programme_the_consenting_participants_and_the_own_session(
    coordinator, coordinator_client, meeting, django_capture_on_commit_callbacks
):
    event, first, second = meeting
    anna = RegistrationFactory(event=event, session=first, organisation_name="Verloskundigen Utrecht")
    bram = RegistrationFactory(event=event, session=second)
    quiet = RegistrationFactory(event=event, consent_to_list=False)
    RegistrationFactory(event=event, state=Registration.State.WAITING)
    check = check_of(coordinator_client.post(reverse("events:overview", args=[event.slug])))
    assert check.recipient_count == 3
    shown = coordinator_client.get(check.get_absolute_url()).context["shown"]
    assert "Welkom" in shown.text and "Welkom" in shown.html
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint})
        coordinator_client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint})
    assert len(mail.outbox) == 3
    assert Mailing.objects.get().event_link.purpose == EventMailing.Purpose.OVERVIEW
    by_address = {message.to[0]: message for message in mail.outbox}
    annas = next(m for address, m in by_address.items() if anna.profile.user.email in address)
    text, html = annas.body, annas.alternatives[0][0]
    for part in (text, html):
        assert "Welkom" in part and "Marieke de Vries, GGD regio Utrecht" in part
        assert anna.name in part and "Verloskundigen Utrecht" in part and bram.name in part
        assert quiet.name not in part
        assert "https://meet.example.org/armoede" in part and "https://meet.example.org/kraamzorg" not in part
    bram_mail = next(m for address, m in by_address.items() if bram.profile.user.email in address)
    assert "https://meet.example.org/kraamzorg" in bram_mail.body
    assert "https://meet.example.org/armoede" not in bram_mail.body


def test_the_overview_of_a_cancelled_event_is_refused(coordinator):
    event = EventFactory(state="cancelled")
    RegistrationFactory(event=event)
    with pytest.raises(checkstep.CheckError):
        checkstep.open_check("events.overview", {"event": event.pk}, by=coordinator)
    assert not MailCheck.objects.exists()


# --- Query counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "participant"])
def test_the_event_page_takes_as_many_queries_for_a_big_programme(client, role):
    event = EventFactory(capacity=None)
    if role == "participant":
        client.force_login(RegistrationFactory(event=event, session=SessionFactory(event=event)).profile.user)

    def grow(n):
        for _ in range(n):
            session = SessionFactory(event=event)
            item = ProgrammeItemFactory(event=event, session=session)
            item.speakers.add(*ProfileFactory.create_batch(2))
            RegistrationFactory(event=event, session=session)

    assert_same_count_as_data_grows(client, event.get_absolute_url(), grow)


def test_the_sessions_page_takes_as_many_queries_for_many_sessions_and_people(client, coordinator):
    event = EventFactory(capacity=None)
    client.force_login(coordinator)

    def grow(n):
        for _ in range(n):
            session = SessionFactory(event=event)
            RegistrationFactory.create_batch(2, event=event, session=session)
            RegistrationFactory(event=event)
            RegistrationFactory(event=event, state=Registration.State.WAITING, session=session)

    assert_same_count_as_data_grows(client, reverse("events:sessions", args=[event.slug]), grow)


def test_the_overview_page_takes_as_many_queries_for_a_big_programme(client, coordinator):
    event = EventFactory(capacity=None)
    client.force_login(coordinator)

    def grow(n):
        for _ in range(n):
            item = ProgrammeItemFactory(event=event, session=SessionFactory(event=event))
            item.speakers.add(ProfileFactory())
            RegistrationFactory(event=event)

    assert_same_count_as_data_grows(client, reverse("events:overview", args=[event.slug]), grow)


def test_the_grouped_participant_list_takes_as_many_queries_for_many_sessions(client):
    event = EventFactory(capacity=None)
    client.force_login(RegistrationFactory(event=event).profile.user)

    def grow(n):
        for _ in range(n):
            RegistrationFactory.create_batch(2, event=event, session=SessionFactory(event=event))

    assert_same_count_as_data_grows(client, reverse("events:participants", args=[event.slug]), grow)


def test_the_registrations_csv_says_each_ones_session(coordinator_client, meeting):
    event, first, _second = meeting
    RegistrationFactory(event=event, session=first, name="Anna Aarts")
    RegistrationFactory(event=event, name="Bram Bos")
    response = coordinator_client.get(reverse("events:registrations_csv", args=[event.slug]))
    rows = {row[0]: row[-1] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")}
    assert rows["Anna Aarts"] == "Armoede" and rows["Bram Bos"] == ""


def test_my_registrations_name_the_session_and_stay_at_the_same_queries(client):
    user = approved_member()
    client.force_login(user)
    first = RegistrationFactory(profile=user.profile, session=None)
    first.session = SessionFactory(event=first.event, title="Armoede")
    first.save()
    page = client.get(reverse("events:my_registrations"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Breakout session: Armoede" in page.text

    def grow(n):
        for _ in range(n):
            registration = RegistrationFactory(profile=user.profile)
            registration.session = SessionFactory(event=registration.event)
            registration.save()

    assert_same_count_as_data_grows(client, reverse("events:my_registrations"), grow)


def test_a_copy_as_new_date_brings_the_sessions_and_the_programme_along(coordinator, meeting):
    event, first, _second = meeting
    welcome = event.programme.get(title="Welkom")
    welcome.speakers.add(ProfileFactory())
    RegistrationFactory(event=event, session=first)
    copy = services.copy_event(event, starts_at=event.starts_at + timedelta(days=182), by=coordinator)
    assert list(copy.sessions.values_list("title", "capacity")) == list(event.sessions.values_list("title", "capacity"))
    items = {item.title: item for item in copy.programme.all()}
    assert items["Welkom"].starts_at == welcome.starts_at + timedelta(days=182)
    assert list(items["Welkom"].speakers.all()) == list(welcome.speakers.all())
    assert items["Deelsessie armoede"].session.event == copy
    for item in items.values():
        item.full_clean()
    assert not copy.registrations.exists()


def test_the_events_calendar_file_holds_a_short_programme(client, meeting):
    event, _first, _second = meeting
    url = reverse("events:event_ics", args=[event.slug])
    welcome = event.programme.get(title="Welkom")
    text = client.get(url).content.decode().replace("\r\n ", "")
    assert f"{timezone.localtime(welcome.starts_at):%H:%M}" in text and "Welkom" in text
    ProgrammeItemFactory.create_batch(8, event=event, title="Lang")
    assert "Welkom" not in client.get(url).content.decode().replace("\r\n ", "")  # too long: the page has it
