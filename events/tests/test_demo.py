"""The demo data: every kind of event, a waiting list, invitations and feedback, and the same on a second run."""

import pytest

from events import demo
from events.models import Event, Invitation, Registration
from surveys.models import Participant, Response, Survey

from .factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_covers_every_kind():
    ProfileFactory.create_batch(30)
    demo.seed()

    def counts():
        return (
            Event.objects.count(),
            Registration.objects.count(),
            Invitation.objects.count(),
            Survey.objects.filter(kind=Survey.Kind.FEEDBACK).count(),
            Participant.objects.count(),
            Response.objects.count(),
        )

    first = counts()
    demo.seed()
    assert counts() == first
    # Group meetings are the groups' demo's (events/group_meetings_demo.py, tested in groups/tests/test_demo.py).
    assert {e.kind for e in Event.objects.all()} == set(Event.Kind.values) - {Event.Kind.GROUP_MEETING}
    assert Event.objects.past().exists() and Event.objects.upcoming().exists()
    assert Registration.objects.filter(state=Registration.State.WAITING).exists()
    assert set(Invitation.objects.values_list("answer", flat=True)) == set(Invitation.Answer.values)
    # The feedback of past events: answers to each one's feedback survey, every answer of a participant's own.
    feedback = Response.objects.filter(survey__feedback_event__isnull=False)
    assert feedback.exists()
    assert not feedback.filter(participant__isnull=True).exists()
    assert not Participant.objects.filter(survey__kind=Survey.Kind.FEEDBACK, response__isnull=False, answered_at=None)


def test_the_surveys_demo_needs_inventory_is_the_regional_meetings():
    from members import demo as members_demo  # noqa: PLC0415 - only this test seeds the other apps' demo
    from network import demo as network_demo  # noqa: PLC0415 - as above
    from surveys import demo as surveys_demo  # noqa: PLC0415 - as above

    members_demo.seed()
    network_demo.seed()
    surveys_demo.seed()
    demo.seed()
    demo.seed()
    meeting = Event.objects.get(slug=demo.PROGRAMME_MEETING["slug"])
    assert meeting.needs_survey.slug == surveys_demo.NEEDS_SLUG


def test_seed_has_a_work_visit_open_to_guests_with_a_confirmed_ministry_guest():
    ProfileFactory.create_batch(10)
    demo.seed()
    demo.seed()
    event = Event.objects.get(slug=demo.GUEST_EVENT)
    assert event.open_to_guests and event.kind == Event.Kind.WORK_VISIT
    guest = Registration.objects.get(event=event, profile__isnull=True)
    assert guest.is_guest and guest.is_confirmed
    assert (guest.organisation_name, guest.function) == ("Ministerie van VWS", "beleidsmedewerker")


def test_seed_without_members_still_makes_events():
    demo.seed()
    assert Event.objects.count() == len(demo.EVENTS) + len(demo.EARLIER_EDITIONS) + 1  # and the regional meeting


def test_the_regional_meeting_has_a_programme_two_breakouts_and_guest_speakers():
    ProfileFactory.create_batch(30)
    demo.seed()
    demo.seed()
    event = Event.objects.get(slug=demo.PROGRAMME_MEETING["slug"])
    sessions = list(event.sessions.all())
    assert len(sessions) == 2 and all(s.capacity and s.meeting_url for s in sessions)
    items = list(event.programme.all())
    assert len(items) == len(demo.PROGRAMME_ITEMS)
    assert {item.session for item in items if item.session} == set(sessions)
    assert all(item.guest_speaker_lines() for item in items)
    for item in items:
        item.full_clean()  # every item lies within the event
    confirmed = event.registrations.confirmed()
    assert confirmed.count() == demo.PROGRAMME_MEETING["fill"]
    assert confirmed.filter(session__isnull=True).exists() and confirmed.filter(session__isnull=False).exists()
    assert all(session.registrations.count() <= session.capacity for session in sessions)
