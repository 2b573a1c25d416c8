"""A member's home page starts with their next event and a search box for colleagues (issue 14, item 4)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from events.tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _home(client):
    return client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_home_shows_the_members_next_confirmed_or_waiting_event_with_date_and_link(member_client, member):
    soon = timezone.now() + timedelta(days=3)
    RegistrationFactory(event=EventFactory(title="Later", starts_at=soon + timedelta(days=9)), profile=member.profile)
    RegistrationFactory(
        event=EventFactory(title="Cancelled by me", starts_at=soon - timedelta(days=1)),
        profile=member.profile,
        state=Registration.State.CANCELLED,
    )
    RegistrationFactory(
        event=EventFactory(title="Draft", starts_at=soon - timedelta(days=2), state=Event.State.DRAFT),
        profile=member.profile,
    )
    RegistrationFactory(event=EventFactory(title="Past", starts_at=timezone.now() - timedelta(days=3)))
    nearest = EventFactory(title="Vroegsignalering", starts_at=soon)
    RegistrationFactory(event=nearest, profile=member.profile, state=Registration.State.WAITING)

    html = _home(member_client)
    start = html.split('class="row g-3 home-member-start"', 1)[1].split("</section>", 1)[0]
    assert f'href="{nearest.get_absolute_url()}"' in start and "Vroegsignalering" in start
    assert timezone.localtime(nearest.starts_at).strftime("%-d %B %Y, %H:%M") in start
    assert "On the waiting list" in start
    assert "Later" not in start and "Cancelled by me" not in start and "Draft" not in start


def test_home_without_registrations_points_to_the_events(member_client):
    start = _home(member_client).split("home-member-start", 1)[1].split("</section>", 1)[0]
    assert "not registered for an upcoming event" in start
    assert f'href="{reverse("events:event_list")}"' in start


def test_home_search_box_goes_to_the_directory_search(member_client):
    html = _home(member_client)
    assert re.search(rf'<form method="get" action="{reverse("members:profile_list")}"[^>]*role="search"', html)
    assert 'name="q"' in html


@pytest.mark.parametrize("role", ["anonymous", "pending_member", "declined_member"])
def test_who_is_not_an_approved_member_gets_neither(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    html = _home(client)
    assert "home-member-start" not in html and 'name="q"' not in html


def test_a_pending_member_reads_what_happens_next(client, pending_member):
    client.force_login(pending_member)
    html = _home(client)
    assert "What happens next" in html
    assert f'href="{reverse("members:me")}"' in html
