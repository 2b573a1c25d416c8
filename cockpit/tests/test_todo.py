"""The cockpit's to-do page: every item against a hand-built fixture, what a coalition coordinator sees of it,
who is refused, the decisions and retries made from it, and a query count that does not grow with the data."""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from coalition.models import Delivery, Mailing
from coalition.tests.query_counts import assert_same_count_as_data_grows
from cockpit.todo import ROWS, build
from events.models import Registration
from events.tests.factories import EventFactory, RegistrationFactory
from groups.models import Action
from groups.tests.factories import ActionFactory, GroupFactory
from journal.models import Tip
from journal.tests.factories import TipFactory
from members.models import OUTDATED_AFTER, Profile
from members.tests.factories import MunicipalityFactory, OfferingFactory, OrganisationFactory, ProfileFactory
from network.models import JoinRequest
from network.tests.factories import CoalitionFactory, JoinRequestFactory, coalition_coordinator_of
from surveys.tests.factories import ParticipantFactory, SurveyFactory

TODO = reverse("cockpit:todo")
NUMBERS = itertools.count()
LONG_AGO = timedelta(days=400)


def _old(model, pk, **fields):
    """Dates that auto_now_add or save() would overwrite, set afterwards."""
    model.objects.filter(pk=pk).update(**fields)


@pytest.fixture
def world(db, coordinator):
    """Two coalitions, Ours (coordinated by `ours`) and Theirs, each with one of everything the to-do lists, plus
    rows that must not appear (handled, past, fresh or closed)."""
    here, there = MunicipalityFactory(name="Hierdorp"), MunicipalityFactory(name="Daarstad")
    ours = CoalitionFactory(name="Coalitie Ons", municipalities=[here])
    theirs = CoalitionFactory(name="Coalitie Zij", municipalities=[there])
    ours_coordinator = coalition_coordinator_of(ours)
    now = timezone.now()

    # Pending members: one in each coalition, one who has not said where they work; a declined one.
    for name, places in (("Anna Hier", [here]), ("Bert Daar", [there]), ("Carla Nergens", [])):
        first, last = name.split()
        ProfileFactory(status=Profile.Status.PENDING, first_name=first, last_name=last, municipalities=places)
    ProfileFactory(status=Profile.Status.DECLINED, first_name="Dirk", last_name="Afgewezen", municipalities=[here])

    # Joining requests: open in each coalition, one already accepted.
    JoinRequestFactory(coalition=ours, organisation=OrganisationFactory(name="Kraamzorg Hier"))
    JoinRequestFactory(coalition=theirs, organisation=OrganisationFactory(name="Schuldhulp Daar"))
    JoinRequestFactory(
        coalition=ours, organisation=OrganisationFactory(name="Al Binnen"), state=JoinRequest.State.ACCEPTED
    )

    # Tips: one new, one already considered.
    TipFactory(what="Een nieuwe tip over het consultatiebureau")
    TipFactory(what="Een tip in behandeling", state=Tip.State.CONSIDERING)

    # Events: ours upcoming with 3 of 10 seats taken and 2 waiting; theirs upcoming; one past, one draft.
    event = EventFactory(title="Workshop Hier", coalition=ours, capacity=10)
    for _ in range(3):
        RegistrationFactory(event=event)
    for _ in range(2):
        RegistrationFactory(event=event, state=Registration.State.WAITING)
    EventFactory(title="Workshop Daar", coalition=theirs)
    EventFactory(
        title="Voorbij", coalition=ours, starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3, hours=-2)
    )
    EventFactory(title="Concept", coalition=ours, state="draft")

    # Mailings: one queued, one that finished with a failed delivery, one sent.
    Mailing.objects.create(description="Uitnodiging in de wachtrij", state=Mailing.State.QUEUED, queued_at=now)
    failed = Mailing.objects.create(
        description="Mislukte herinnering", state=Mailing.State.SENT_WITH_FAILURES, queued_at=now, finished_at=now
    )
    Delivery.objects.create(mailing=failed, address="a@example.org", state=Delivery.State.SENT)
    Delivery.objects.create(mailing=failed, address="b@example.org", state=Delivery.State.FAILED, last_error="550")
    Mailing.objects.create(description="Verstuurd", state=Mailing.State.SENT, queued_at=now, finished_at=now)

    # Actions: one overdue in each coalition's group; one due later; one overdue but done.
    yesterday = timezone.localdate() - timedelta(days=1)
    ActionFactory(title="Folder maken", group=GroupFactory(name="Werkgroep Hier", coalition=ours), due_on=yesterday)
    ActionFactory(title="Flyer drukken", group=GroupFactory(name="Werkgroep Daar", coalition=theirs), due_on=yesterday)
    ActionFactory(title="Later", group=GroupFactory(coalition=ours), due_on=yesterday + timedelta(days=30))
    ActionFactory(title="Klaar", group=GroupFactory(coalition=ours), due_on=yesterday, status=Action.Status.DONE)

    # Offerings: ours unconfirmed for long, theirs marked to check, a fresh one.
    old = OfferingFactory(title="Oud aanbod Hier", municipalities=[here])
    _old(type(old), old.pk, confirmed_at=now - LONG_AGO)
    OfferingFactory(title="Te controleren Daar", municipalities=[there], needs_review="Telefoonnummer veranderd")
    OfferingFactory(title="Vers aanbod", municipalities=[here])

    # Profiles not confirmed for long: one here, one there; a fresh one.
    for name, place in (("Eva Oudhier", here), ("Frits Ouddaar", there)):
        first, last = name.split()
        profile = ProfileFactory(first_name=first, last_name=last, municipalities=[place])
        _old(Profile, profile.pk, details_confirmed_at=now - OUTDATED_AFTER - timedelta(days=1))
    ProfileFactory(first_name="Gert", last_name="Vers", municipalities=[here])

    # Surveys: ours open with 4 invited and 1 answered; theirs open; one closed.
    survey = SurveyFactory(title="Peiling Hier", coalition=ours)
    for answered in (True, False, False, False):
        ParticipantFactory(survey=survey, answered_at=now if answered else None)
    SurveyFactory(title="Peiling Daar", coalition=theirs)
    SurveyFactory(title="Gesloten", coalition=ours, closed=True)

    return {"ours": ours, "theirs": theirs, "ours_coordinator": ours_coordinator, "failed": failed}


def _items(user):
    return {item.key: item for item in build(user).items}


def _names(item, attribute):
    return sorted(str(getattr(row, attribute)) for row in item.rows)


def test_a_regional_coordinator_sees_everything_waiting_in_the_region(world, coordinator):
    items = _items(coordinator)
    assert list(items) == [
        "pending", "join_requests", "tips", "events", "mailings", "actions", "offerings", "profiles", "surveys"
    ]  # fmt: skip
    assert items["pending"].count == 3
    assert _names(items["pending"], "full_name") == ["Anna Hier", "Bert Daar", "Carla Nergens"]
    assert items["join_requests"].count == 2
    assert _names(items["join_requests"], "organisation_label") == ["Kraamzorg Hier", "Schuldhulp Daar"]
    assert items["tips"].count == 1 and items["tips"].rows[0].what.startswith("Een nieuwe tip")
    assert items["events"].count == 2
    assert _names(items["events"], "title") == ["Workshop Daar", "Workshop Hier"]
    assert items["mailings"].count == 2 and items["mailings"].failed == 1
    assert _names(items["mailings"], "description") == ["Mislukte herinnering", "Uitnodiging in de wachtrij"]
    assert items["actions"].count == 2
    assert _names(items["actions"], "title") == ["Flyer drukken", "Folder maken"]
    assert items["offerings"].count == 2
    assert _names(items["offerings"], "title") == ["Oud aanbod Hier", "Te controleren Daar"]
    assert items["profiles"].count == 2
    assert _names(items["profiles"], "full_name") == ["Eva Oudhier", "Frits Ouddaar"]
    assert items["surveys"].count == 2
    assert _names(items["surveys"], "title") == ["Peiling Daar", "Peiling Hier"]


def test_the_numbers_of_an_event_a_mailing_and_a_survey_are_counted(world, coordinator):
    items = _items(coordinator)
    event = next(event for event in items["events"].rows if event.title == "Workshop Hier")
    assert (event.confirmed_count, event.capacity, event.fill_rate, event.waiting_count) == (3, 10, 30, 2)
    failed = next(mailing for mailing in items["mailings"].rows if mailing.pk == world["failed"].pk)
    assert (failed.total_count, failed.sent_count, failed.failed_count, failed.may_retry) == (2, 1, 1, True)
    queued = next(mailing for mailing in items["mailings"].rows if mailing.pk != world["failed"].pk)
    assert queued.may_retry is False
    survey = next(survey for survey in items["surveys"].rows if survey.title == "Peiling Hier")
    assert (survey.invited_count, survey.answered_count, survey.response_rate) == (4, 1, 25)


def test_a_coalition_coordinator_sees_only_their_own_coalition(world):
    items = _items(world["ours_coordinator"])
    # Mailings and tips are not theirs (coalition.view_mailing, journal.view_tips).
    assert list(items) == ["pending", "join_requests", "events", "actions", "offerings", "profiles", "surveys"]
    assert _names(items["pending"], "full_name") == ["Anna Hier"]
    assert _names(items["join_requests"], "organisation_label") == ["Kraamzorg Hier"]
    assert _names(items["events"], "title") == ["Workshop Hier"]
    assert _names(items["actions"], "title") == ["Folder maken"]
    assert _names(items["offerings"], "title") == ["Oud aanbod Hier"]
    assert _names(items["profiles"], "full_name") == ["Eva Oudhier"]
    assert _names(items["surveys"], "title") == ["Peiling Hier"]
    assert [item.count for item in items.values()] == [1] * 7


def test_the_page_shows_each_item_with_its_rows_and_links(world, coordinator, client):
    client.force_login(coordinator)
    page = client.get(TODO).content.decode()
    for text in ("Anna Hier", "Kraamzorg Hier", "Workshop Hier", "Mislukte herinnering", "Folder maken",
                 "Oud aanbod Hier", "Eva Oudhier", "Peiling Hier", "Een nieuwe tip"):  # fmt: skip
        assert text in page
    for absent in ("Dirk Afgewezen", "Al Binnen", "Een tip in behandeling", "Voorbij", "Concept", "Later", "Klaar",
                   "Vers aanbod", "Gert Vers", "Gesloten"):  # fmt: skip
        assert absent not in page
    assert f'href="{reverse("members:pending")}"' in page
    assert f'href="{reverse("cockpit:impact")}"' in page
    assert f'action="{reverse("cockpit:retry_mailing", args=[world["failed"].pk])}"' in page
    assert 'name="next" value="/cockpit/"' in page


def test_the_coalition_coordinators_page_holds_nothing_of_another_coalition(world, client):
    client.force_login(world["ours_coordinator"])
    page = client.get(TODO).content.decode()
    assert "Anna Hier" in page and "Coalitie Ons" in page
    others = ["Bert Daar", "Carla Nergens", "Schuldhulp Daar", "Workshop Daar", "Flyer drukken"]
    others += ["Te controleren Daar", "Frits Ouddaar", "Peiling Daar", "Mislukte herinnering", "Een nieuwe tip"]
    for text in others:
        assert text not in page


def test_an_empty_item_says_nothing_is_waiting(coordinator, client):
    client.force_login(coordinator)
    page = client.get(TODO).content.decode()
    with translation.override("nl"):
        assert page.count(gettext("Nothing waiting.")) == 9


@pytest.mark.parametrize("persona", ["member", "pending_member", "declined_member", "editor"])
def test_the_cockpit_is_refused_to_everyone_but_coordinators(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(TODO).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(TODO)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_approving_from_the_cockpit_comes_back_to_it(world, client, django_capture_on_commit_callbacks):
    client.force_login(world["ours_coordinator"])
    applicant = Profile.objects.get(last_name="Hier")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:approve", args=[applicant.pk]), {"next": TODO})
    assert response.status_code == 302 and response["Location"] == TODO
    applicant.refresh_from_db()
    assert applicant.is_approved


def test_declining_from_the_cockpit_comes_back_to_it_but_never_to_another_site(world, coordinator, client):
    client.force_login(coordinator)
    applicant = Profile.objects.get(last_name="Daar")
    response = client.post(
        reverse("members:decline", args=[applicant.pk]), {"next": "https://evil.example/", "reason": "Onbekend"}
    )
    assert response["Location"] == reverse("members:pending")
    applicant.refresh_from_db()
    assert applicant.is_declined
    other = Profile.objects.get(last_name="Nergens")
    response = client.post(reverse("members:decline", args=[other.pk]), {"next": TODO})
    assert response["Location"] == TODO


def test_a_coalition_coordinator_cannot_approve_someone_of_another_coalition(world, client):
    client.force_login(world["ours_coordinator"])
    other = Profile.objects.get(last_name="Daar")
    assert client.post(reverse("members:approve", args=[other.pk]), {"next": TODO}).status_code == 403
    other.refresh_from_db()
    assert other.is_pending


def test_retry_sends_the_failed_deliveries_again(world, coordinator, client, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    failed = world["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cockpit:retry_mailing", args=[failed.pk]))
    assert response.status_code == 302 and response["Location"] == TODO
    assert list(failed.deliveries.order_by("address").values_list("state", flat=True)) == ["sent", "sent"]
    failed.refresh_from_db()
    assert failed.state == Mailing.State.SENT


def test_retry_is_refused_to_a_coalition_coordinator(world, client):
    client.force_login(world["ours_coordinator"])
    failed = world["failed"]
    assert client.post(reverse("cockpit:retry_mailing", args=[failed.pk])).status_code == 403
    assert failed.deliveries.filter(state=Delivery.State.FAILED).count() == 1


def _grow(coalition, place):
    """More of everything the to-do lists, in `coalition`: every list gets more rows than it shows."""
    now = timezone.now()

    def grow(count):
        for _ in range(count):
            n = next(NUMBERS)
            ProfileFactory(status=Profile.Status.PENDING, municipalities=[place], organisation=OrganisationFactory())
            JoinRequestFactory(coalition=coalition)
            TipFactory()
            event = EventFactory(coalition=coalition)
            RegistrationFactory(event=event)
            RegistrationFactory(event=event, state=Registration.State.WAITING)
            mailing = Mailing.objects.create(
                description=f"Mailing {n}", state=Mailing.State.SENT_WITH_FAILURES, queued_at=now, finished_at=now
            )
            Delivery.objects.create(mailing=mailing, address=f"x{n}@example.org", state=Delivery.State.FAILED)
            ActionFactory(group=GroupFactory(coalition=coalition), due_on=timezone.localdate() - timedelta(days=2))
            offering = OfferingFactory(municipalities=[place])
            _old(type(offering), offering.pk, confirmed_at=now - LONG_AGO)
            profile = ProfileFactory(municipalities=[place], organisation=OrganisationFactory())
            _old(Profile, profile.pk, details_confirmed_at=now - LONG_AGO)
            survey = SurveyFactory(coalition=coalition)
            ParticipantFactory(survey=survey)

    return grow


def test_the_page_costs_the_same_queries_however_much_waits(client, coordinator):
    place = MunicipalityFactory()
    coalition = CoalitionFactory(municipalities=[place])
    client.force_login(coordinator)
    assert_same_count_as_data_grows(client, TODO, _grow(coalition, place), size=ROWS)


def test_a_coalition_coordinators_page_costs_the_same_queries_however_much_waits(client, db):
    place = MunicipalityFactory()
    coalition = CoalitionFactory(municipalities=[place])
    client.force_login(coalition_coordinator_of(coalition))
    assert_same_count_as_data_grows(client, TODO, _grow(coalition, place), size=ROWS)


def test_the_admin_index_links_to_the_cockpit_for_coordinators(client, coordinator, editor):
    client.force_login(coordinator)
    assert f'href="{TODO}"' in client.get(reverse("admin:index")).content.decode()
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    client.force_login(editor)
    assert f'href="{TODO}"' not in client.get(reverse("admin:index")).content.decode()
