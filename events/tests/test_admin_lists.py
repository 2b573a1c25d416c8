"""The event's page in the admin (its intake questions: test_intake_questions.py): organisations by autocomplete,
no calendar bookkeeping on the form, and the list of events with its seats, confirmed and waiting counts in one
query."""

import pytest
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse

from coalition.mail import render_text
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events.models import Event, Registration
from members.tests.factories import OrganisationFactory

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_the_calendar_sequence_is_not_on_the_form(coordinator_client):
    event = EventFactory()
    response = coordinator_client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert "sequence" not in response.context["adminform"].form.fields
    assert "calendar sequence" not in response.content.decode().lower()


def test_organisations_are_chosen_by_autocomplete(coordinator_client):
    response = coordinator_client.get(reverse("admin:events_event_add"))
    fields = response.context["adminform"].form.fields
    for name in ("host", "co_host", "coalition", "edition"):
        assert isinstance(fields[name].widget.widget, AutocompleteSelect), name


def test_the_organisation_autocomplete_answers_a_coordinator(coordinator_client):
    OrganisationFactory(name="Verloskundigenpraktijk De Wieg")
    response = coordinator_client.get(
        reverse("admin:autocomplete"),
        {"term": "Wieg", "app_label": "events", "model_name": "event", "field_name": "host"},
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Verloskundigenpraktijk De Wieg"]


def test_the_event_list_shows_seats_confirmed_and_waiting(coordinator_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, state=Registration.State.CONFIRMED)
    RegistrationFactory(event=event, state=Registration.State.WAITING)
    RegistrationFactory(event=event, state=Registration.State.WAITING)
    response = coordinator_client.get(reverse("admin:events_event_changelist"))
    row = response.context["cl"].result_list.get(pk=event.pk)
    assert (row.confirmed_count, row.waiting_count) == (1, 2)
    html = response.content.decode()
    for column in ("column-seats", "column-confirmed", "column-waiting"):
        assert column in html


def test_the_event_list_costs_the_same_queries_for_more_events(coordinator_client):
    def grow(count):
        for _ in range(count):
            event = EventFactory()
            RegistrationFactory(event=event, state=Registration.State.CONFIRMED)
            RegistrationFactory(event=event, state=Registration.State.WAITING)

    assert_same_count_as_data_grows(coordinator_client, reverse("admin:events_event_changelist"), grow)


def test_the_event_admin_is_refused_to_a_member_and_a_coalition_coordinator(client, member, coalition_coordinator):
    url = reverse("admin:events_event_changelist")
    client.force_login(member)
    assert client.get(url).status_code == 302  # not staff: the admin's login page
    client.force_login(coalition_coordinator)
    assert client.get(url).status_code == 403
    assert Event.objects.count() == 0


def test_a_multi_line_address_reads_well_in_a_text_mail():
    text = render_text(
        "emails/events/includes/details.txt",
        {
            "event_when": "zondag 6 december 2026, 14:00",
            "event_until": "16:00",
            "event_venue": "Wijkcentrum De Brug & Co",
            "event_address": "Brugstraat 1\r\n3511 AB Utrecht\n",
        },
    )
    assert "Wijkcentrum De Brug & Co\n  Brugstraat 1\n  3511 AB Utrecht\n" in text
    assert "&amp;" not in text and "<br" not in text
