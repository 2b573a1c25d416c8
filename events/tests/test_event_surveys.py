"""An event's surveys (issue 17, point 4): its feedback is a survey attached to it, answered through each
participant's own link (from the materials mail, the event page, a guest's page), and the needs inventory a
coordinator asks before it."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coalition import checkstep
from events import services
from events.models import Event, Registration
from network.tests.factories import CoalitionFactory, coalition_coordinator_of
from surveys.models import Participant, Survey, SurveyQuestion

from .checks import check_of, send
from .factories import (
    EventFactory,
    GuestRegistrationFactory,
    RegistrationFactory,
    approved_member,
    feedback_answers,
    feedback_of,
    give_feedback,
)

pytestmark = pytest.mark.django_db


def _past_event(**kwargs):
    start = timezone.now() - timedelta(days=1)
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), capacity=None, **kwargs)


# --- The feedback survey ----------------------------------------------------------------------------------------


def test_the_feedback_survey_is_made_once_with_the_three_questions_of_the_old_form():
    coalition = CoalitionFactory()
    event = _past_event(coalition=coalition)
    assert services.feedback_survey_of(event) is None
    survey = services.ensure_feedback_survey(event)
    assert services.ensure_feedback_survey(Event.objects.get(pk=event.pk)) == survey
    assert Survey.objects.filter(kind=Survey.Kind.FEEDBACK).count() == 1
    assert Event.objects.get(pk=event.pk).feedback_survey == survey == event.feedback_survey
    assert (survey.coalition, survey.state, survey.is_anonymous, survey.open_on_site) == (
        coalition,
        Survey.State.PUBLISHED,
        False,
        False,
    )
    assert survey.results_for == Survey.ResultsFor.COALITION
    assert survey.opens_at == event.starts_at and survey.closes_at == event.ends_at + timedelta(days=30)
    score, valuable, improve = survey.questions.order_by("position")
    assert (score.label, score.kind, score.required, score.min_value, score.max_value) == (
        "Hoe waardeer je deze bijeenkomst?",
        SurveyQuestion.Kind.SCALE,
        True,
        1,
        5,
    )
    assert [(q.label, q.kind, q.required) for q in (valuable, improve)] == [
        ("Wat was het waardevolst?", SurveyQuestion.Kind.LONG_TEXT, False),
        ("Wat kan beter?", SurveyQuestion.Kind.LONG_TEXT, False),
    ]


def test_a_participant_has_one_place_in_the_feedback_survey_found_again_by_member_or_address():
    event = _past_event()
    registration = RegistrationFactory(event=event)
    place = services.feedback_participant(registration)
    assert services.feedback_participant(registration) == place
    assert (place.profile, place.email) == (registration.profile, registration.profile.user.email.lower())
    guest = GuestRegistrationFactory(event=event)
    guest_place = services.feedback_participant(guest)
    assert (guest_place.profile, guest_place.email) == (None, guest.email.lower())
    assert services.feedback_participant(guest) == guest_place
    assert Participant.objects.count() == 2


@pytest.mark.parametrize(
    "refused",
    [
        lambda event: RegistrationFactory(event=event, state=Registration.State.WAITING),
        lambda event: RegistrationFactory(event=event, state=Registration.State.CANCELLED),
        lambda event: GuestRegistrationFactory(event=event, state=Registration.State.PENDING),
    ],
    ids=["waiting", "cancelled", "guest who did not confirm"],
)
def test_only_confirmed_participants_get_a_place(refused):
    with pytest.raises(services.EventError):
        services.feedback_participant(refused(_past_event()))
    assert not Participant.objects.exists()


def test_the_score_is_checked_as_the_old_form_did():
    from surveys.services import InvalidAnswers  # noqa: PLC0415 - only this test expects the survey's refusal

    registration = RegistrationFactory(event=_past_event())
    with pytest.raises(InvalidAnswers):
        give_feedback(registration, score=6)
    with pytest.raises(InvalidAnswers):
        give_feedback(registration, score=None, valuable="Alles")
    assert feedback_of(registration) is None


def test_a_guest_is_led_from_their_own_page_to_their_own_answer_page(client):
    event = _past_event(open_to_guests=True)
    guest = GuestRegistrationFactory(event=event)
    status = client.get(services.guest_url(guest).split("testserver")[-1])
    link = reverse("events:guest_feedback", kwargs={"token": services._guest_token(guest)})
    assert f'href="{link}"' in status.text
    answer_page = client.get(link).url
    event.refresh_from_db()
    assert client.post(answer_page, feedback_answers(event, score=3, improve="Meer pauze")).status_code == 302
    assert feedback_of(guest) == [3, None, "Meer pauze"]


# --- The materials mail -----------------------------------------------------------------------------------------


def test_the_materials_mail_gives_everyone_their_own_link_once(coordinator, django_capture_on_commit_callbacks):
    event = _past_event(open_to_guests=True)
    members = RegistrationFactory.create_batch(2, event=event)
    guest = GuestRegistrationFactory(event=event)
    RegistrationFactory(event=event, state=Registration.State.CANCELLED)
    before = services.feedback_participant(members[0])  # opened from the event page before the mail
    with django_capture_on_commit_callbacks(execute=True):
        send("events.materials", {"event": event.pk}, by=coordinator)
    event.refresh_from_db()
    places = {p.email: p for p in event.feedback_survey.participants.all()}
    expected = sorted([r.profile.user.email.lower() for r in members] + [guest.email.lower()])
    assert sorted(places) == expected
    assert places[before.email].token == before.token, "the place they had is kept"
    assert all(place.invited_at for place in places.values())
    bodies = {parseaddr(message.to[0])[1].lower(): message.body for message in mail.outbox}
    for email, place in places.items():
        assert reverse("surveys:answer_by_link", kwargs={"token": place.token}) in bodies[email]
        others = [p.token for p in places.values() if p != place]
        assert not any(token in bodies[email] for token in others)
    # Sent again (a second material): the same places, no second row for anyone.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send("events.materials", {"event": event.pk}, by=coordinator)
    assert event.feedback_survey.participants.count() == 3
    assert all(reverse("surveys:answer_by_link", kwargs={"token": "x"})[:-2] in m.body for m in mail.outbox)


def test_the_test_of_the_materials_mail_has_a_harmless_feedback_link(
    coordinator, coordinator_client, django_capture_on_commit_callbacks
):
    event = _past_event(open_to_guests=True)
    GuestRegistrationFactory(event=event)  # first in the audience: their own links would be in the test
    check = check_of(coordinator_client.post(reverse("events:send_materials", args=[event.slug]), {}))
    with django_capture_on_commit_callbacks(execute=True):
        checkstep.send_test(check, by=coordinator)
    (test,) = mail.outbox
    assert [parseaddr(to)[1] for to in test.to] == [coordinator.email]
    assert "/surveys/answer/" not in test.body and "/feedback/" not in test.body
    assert event.get_absolute_url() in test.body
    assert not Participant.objects.exists()


# --- The results page -------------------------------------------------------------------------------------------


def test_the_results_page_links_the_feedback_surveys_results_which_the_events_coordinators_may_read(client):
    coalition = CoalitionFactory()
    event = _past_event(coalition=coalition)
    for score in (2, 4, 4):
        give_feedback(RegistrationFactory(event=event), score=score, valuable="De casus")
    event.refresh_from_db()
    results_url = reverse("surveys:results", args=[event.feedback_survey.slug])
    client.force_login(coalition_coordinator_of(coalition))
    page = client.get(reverse("events:results", args=[event.slug]))
    assert f'href="{results_url}"' in page.text
    assert page.context["feedback"].count == 3 and str(page.context["feedback"].average) == "3.3"
    assert "De casus" in client.get(results_url).text
    client.force_login(coalition_coordinator_of(CoalitionFactory()))
    assert client.get(reverse("events:results", args=[event.slug])).status_code == 403
    assert client.get(results_url).status_code == 403


# --- The needs inventory ----------------------------------------------------------------------------------------


def test_asking_what_the_participants_want_to_learn_makes_one_needs_inventory(coordinator):
    event = EventFactory(coalition=CoalitionFactory())
    survey = services.ask_needs(event, by=coordinator)
    assert services.ask_needs(Event.objects.get(pk=event.pk), by=coordinator) == survey
    assert Event.objects.get(pk=event.pk).needs_survey == survey
    assert (survey.kind, survey.coalition, survey.state, survey.created_by) == (
        Survey.Kind.NEEDS,
        event.coalition,
        Survey.State.PUBLISHED,
        coordinator,
    )
    assert survey.closes_at == event.starts_at
    assert [q.label for q in survey.questions.order_by("position")] == [
        "Wat wil je op deze bijeenkomst leren?",
        "Welke vraag of casus wil je bespreken?",
    ]


def test_only_those_who_manage_the_event_ask_its_participants_to_be(client):
    coalition = CoalitionFactory()
    event = EventFactory(coalition=coalition)
    url = reverse("events:ask_needs", args=[event.slug])
    for outsider in (approved_member(), coalition_coordinator_of(CoalitionFactory())):
        with pytest.raises(services.NotAllowed):
            services.ask_needs(event, by=outsider)
        client.force_login(outsider)
        assert client.post(url).status_code == 403
    assert not Survey.objects.filter(kind=Survey.Kind.NEEDS).exists()
    owner = coalition_coordinator_of(coalition)
    client.force_login(owner)
    page = client.get(reverse("events:event_detail", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert f'href="{url}"' in page.text and "what they want to learn" in page.text
    assert client.get(url).status_code == 200
    assert not Survey.objects.filter(kind=Survey.Kind.NEEDS).exists(), "GET only explains"
    made = client.post(url)
    survey = Survey.objects.get(kind=Survey.Kind.NEEDS)
    assert made.url == reverse("surveys:send", args=[survey.slug])
    # The coordinator chooses the audience on the survey's own send page, which they may use.
    assert client.get(made.url).status_code == 200
    page = client.get(reverse("events:event_detail", args=[event.slug]))
    assert f'href="{reverse("surveys:results", args=[survey.slug])}"' in page.text
    assert client.get(url).url == made.url, "once it exists the link leads to sending it"


def test_a_cancelled_event_asks_nobody(coordinator):
    event = EventFactory(state=Event.State.CANCELLED, cancelled_at=timezone.now())
    with pytest.raises(services.EventError):
        services.ask_needs(event, by=coordinator)
