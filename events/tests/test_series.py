"""Series of events (issue 16 point 8): a date per event, copying an event as a new date, the series page and feed."""

from datetime import timedelta

import icalendar
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import services
from events.models import Event, EventMailing, Invitation, Material, Registration, Series
from members.tests.factories import ThemeFactory

from .factories import EventFactory, IntakeQuestionFactory, InvitationFactory, RegistrationFactory
from .test_admin import _form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def series():
    return Series.objects.create(title="Partnerbijeenkomst", slug="partners", description="Elk half jaar.")


def _at(days, hours=0):
    return (timezone.now() + timedelta(days=days, hours=hours)).replace(microsecond=0)


# --- Two dates of one series never start at the same moment ---------------------------------------------


def test_two_dates_of_one_series_at_the_same_moment_are_refused_at_the_start(series):
    first = EventFactory(series=series)
    second = EventFactory.build(series=series, starts_at=first.starts_at, ends_at=first.ends_at)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        second.validate_constraints()
    assert error.value.message_dict == {"starts_at": ["Another date of this series starts at this moment."]}


def test_events_outside_a_series_may_start_at_the_same_moment():
    first = EventFactory()
    EventFactory.build(starts_at=first.starts_at, ends_at=first.ends_at).validate_constraints()


def test_the_admin_form_shows_the_series_clash_at_the_start(client, coordinator, series):
    first = EventFactory(series=series, starts_at=_at(10))
    client.force_login(coordinator)
    local = timezone.localtime(first.starts_at)
    end = timezone.localtime(first.ends_at)
    url = reverse("admin:events_event_add")
    data = _form_data(client.get(url))  # the inlines' management forms
    response = client.post(
        url,
        data
        | {
            "title": "Tweede datum",
            "slug": "tweede-datum",
            "kind": Event.Kind.PARTNER_MEETING,
            "state": Event.State.DRAFT,
            "series": series.pk,
            "starts_at_0": local.strftime("%Y-%m-%d"),
            "starts_at_1": local.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%Y-%m-%d"),
            "ends_at_1": end.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["starts_at"]
    assert not Event.objects.filter(slug="tweede-datum").exists()


# --- copy_event ------------------------------------------------------------------------------------------


def test_a_copy_is_a_draft_with_every_time_moved_along_and_nothing_of_people(coordinator):
    start = _at(10)
    theme = ThemeFactory()
    event = EventFactory(
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        registration_opens_at=start - timedelta(days=20),
        registration_closes_at=start - timedelta(days=2),
        cancellation_deadline=start - timedelta(days=1),
        capacity=25,
    )
    IntakeQuestionFactory(event=event, label="Wat wil je leren?", kind="one_choice", choices=["Veel", "Weinig"])
    event.themes.set([theme])
    RegistrationFactory.create_batch(2, event=event)
    InvitationFactory(event=event)
    new_start = start + timedelta(days=182, hours=1)

    copy = services.copy_event(event, starts_at=new_start, by=coordinator)

    copy.refresh_from_db()
    event.refresh_from_db()
    assert copy.pk != event.pk and copy.slug != event.slug
    assert copy.state == Event.State.DRAFT
    assert (copy.title, copy.kind, copy.venue, copy.capacity) == (event.title, event.kind, event.venue, 25)
    assert list(copy.intake_questions.values_list("label", "kind", "choices")) == [
        ("Wat wil je leren?", "one_choice", ["Veel", "Weinig"])
    ]
    assert event.intake_questions.count() == 1  # the original keeps its own
    assert list(copy.themes.all()) == [theme]
    assert copy.starts_at == new_start
    assert copy.ends_at == new_start + timedelta(hours=3)
    assert copy.registration_opens_at == new_start - timedelta(days=20)
    assert copy.registration_closes_at == new_start - timedelta(days=2)
    assert copy.cancellation_deadline == new_start - timedelta(days=1)
    assert copy.uid != event.uid
    assert not Registration.objects.filter(event=copy).exists()
    assert not Invitation.objects.filter(event=copy).exists()
    assert not Material.objects.filter(event=copy).exists()
    assert not EventMailing.objects.filter(event=copy).exists()
    # Both dates now belong to one series.
    assert event.series is not None and copy.series == event.series


def test_a_copy_stays_in_the_series_of_its_original(coordinator, series):
    event = EventFactory(series=series)
    copy = services.copy_event(event, starts_at=event.starts_at + timedelta(days=7), by=coordinator)
    assert copy.series == series
    assert Series.objects.count() == 1


def test_a_copy_at_the_moment_of_its_original_is_refused_and_leaves_nothing(coordinator):
    event = EventFactory()
    with pytest.raises(ValidationError) as error:
        services.copy_event(event, starts_at=event.starts_at, by=coordinator)
    assert "starts_at" in error.value.message_dict
    assert Event.objects.count() == 1 and not Series.objects.exists()


def test_a_member_may_not_copy_an_event(member):
    event = EventFactory()
    with pytest.raises(services.NotAllowed):
        services.copy_event(event, starts_at=event.starts_at + timedelta(days=7), by=member)
    assert Event.objects.count() == 1


# --- The admin action ------------------------------------------------------------------------------------


def _action(client, *events, **extra):
    return client.post(
        reverse("admin:events_event_changelist"),
        {"action": "copy_as_new_date", "_selected_action": [e.pk for e in events], **extra},
    )


def test_the_admin_action_asks_the_new_start_then_opens_the_draft(client, coordinator):
    event = EventFactory()
    client.force_login(coordinator)
    response = _action(client, event)
    assert response.status_code == 200
    assert "starts_at" in response.context["form"].fields
    new_start = timezone.localtime(event.starts_at + timedelta(days=14))
    response = _action(
        client,
        event,
        apply="1",
        starts_at_0=new_start.strftime("%Y-%m-%d"),
        starts_at_1=new_start.strftime("%H:%M:%S"),
    )
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_event_change", args=[copy.pk])
    assert copy.state == Event.State.DRAFT
    assert copy.starts_at == new_start.replace(microsecond=0)


def test_the_admin_action_shows_a_clash_at_the_new_start(client, coordinator):
    event = EventFactory(starts_at=_at(10))
    client.force_login(coordinator)
    start = timezone.localtime(event.starts_at)
    response = _action(
        client, event, apply="1", starts_at_0=start.strftime("%Y-%m-%d"), starts_at_1=start.strftime("%H:%M:%S")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"]
    assert Event.objects.count() == 1


def test_the_admin_action_copies_one_event_only(client, coordinator):
    events = EventFactory.create_batch(2)
    client.force_login(coordinator)
    response = _action(client, *events)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)]
    assert Event.objects.count() == 2


def test_the_series_admin_lists_its_dates(client, coordinator, series):
    EventFactory.create_batch(3, series=series)
    client.force_login(coordinator)
    response = client.get(reverse("admin:events_series_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_list[0].date_count == 3
    assert client.get(reverse("admin:events_series_change", args=[series.pk])).status_code == 200


# --- The series page and its feed ------------------------------------------------------------------------


def _dates(series):
    return {
        "coming": EventFactory(series=series, starts_at=_at(30), meeting_url="https://meet.example.org/geheim"),
        "past": EventFactory(series=series, starts_at=_at(-150)),
        "draft": EventFactory(series=series, starts_at=_at(60), state=Event.State.DRAFT),
        "cancelled": EventFactory(series=series, starts_at=_at(90), state=Event.State.CANCELLED),
    }


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_the_series_page_shows_coming_and_past_dates_without_drafts(client, request, role, series):
    if role == "member":
        client.force_login(request.getfixturevalue("member"))
    dates = _dates(series)
    response = client.get(reverse("events:series_detail", args=[series.slug]))
    assert response.status_code == 200
    assert response.context["coming"] == [dates["coming"], dates["cancelled"]]
    assert response.context["past"] == [dates["past"]]
    assert dates["coming"].get_absolute_url() in response.content.decode()
    assert dates["draft"].get_absolute_url() not in response.content.decode()


def test_coordinators_see_the_drafts_of_a_series(client, coordinator, series):
    dates = _dates(series)
    client.force_login(coordinator)
    response = client.get(reverse("events:series_detail", args=[series.slug]))
    assert response.context["coming"] == [dates["coming"], dates["draft"], dates["cancelled"]]


def test_an_unknown_series_is_not_found(client):
    assert client.get(reverse("events:series_detail", args=["nope"])).status_code == 404
    assert client.get(reverse("events:series_feed", args=["nope"])).status_code == 404


def test_the_series_feed_has_the_published_dates_and_no_meeting_link(client, series):
    dates = _dates(series)
    response = client.get(reverse("events:series_feed", args=[series.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    summaries = {str(c["uid"]).split("@")[0] for c in cal.walk("VEVENT")}
    assert summaries == {str(dates["coming"].uid), str(dates["past"].uid)}
    assert b"meet.example.org" not in response.content
    assert str(cal["x-wr-calname"]) == series.title


def test_the_event_page_links_to_its_series(client, series):
    event = EventFactory(series=series)
    response = client.get(event.get_absolute_url())
    assert series.get_absolute_url() in response.content.decode()


@pytest.mark.parametrize("role", ["visitor", "coordinator"])
def test_the_series_page_takes_as_many_queries_for_many_dates(client, coordinator, role, series):
    if role == "coordinator":
        client.force_login(coordinator)

    def grow(n):
        for i in range(n):
            EventFactory(series=series, starts_at=_at(10 + i * 7 + Event.objects.count()))
            EventFactory(series=series, starts_at=_at(-10 - i * 7 - Event.objects.count()))

    assert_same_count_as_data_grows(client, reverse("events:series_detail", args=[series.slug]), grow)
