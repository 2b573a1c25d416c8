"""The demo login's registrations are what the README promises: a seat, a waiting-list place and a past event."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from events import demo
from events.models import Event, Registration
from members import demo as members_demo

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def _demo_member_registrations():
    return {
        r.event.slug: r
        for r in Registration.objects.filter(profile__user__email=demo.DEMO_MEMBER).select_related("event")
    }


def test_the_demo_member_has_a_seat_a_waiting_list_place_and_a_past_event_on_every_run():
    members_demo.seed()
    for _run in range(2):
        demo.seed()
        mine = _demo_member_registrations()
        assert {slug: r.state for slug, r in mine.items()} == demo.DEMO_MEMBER_PLACES
        seat, waiting, past = (mine[slug] for slug in demo.DEMO_MEMBER_PLACES)
        assert seat.event.starts_at > timezone.now() and seat.is_confirmed
        assert waiting.event.starts_at > timezone.now() and waiting.event.is_full
        assert waiting.waiting_position() > 1, "behind others on the waiting list"
        assert past.event.ends_at < timezone.now() and past.checked_in
        assert past.event.feedback_survey.responses.exists(), "others gave feedback"
        assert not past.event.feedback_survey.participants.filter(
            profile=past.profile, answered_at__isnull=False
        ).exists(), "their feedback is theirs to give"


def test_the_readme_describes_the_demo_members_registrations():
    members_demo.seed()
    demo.seed()
    events = next(part for part in README.read_text().split("\n## ") if part.startswith("Events"))
    line = next(line for line in events.splitlines() if demo.DEMO_MEMBER in line)
    for slug in demo.DEMO_MEMBER_PLACES:
        assert Event.objects.get(slug=slug).title in line, f"README names {slug}"
    assert re.search(r"waiting.list", line)
