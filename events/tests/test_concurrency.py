"""Nothing is overbooked when many people register or cancel at the same moment (real threads, PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from events import services
from events.models import Registration

from .factories import EventFactory, OrganisationFactory, SessionFactory, approved_member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises all writes, so it cannot show row locking at work",
    ),
]


# PostgreSQL allows about 100 connections and other test runs share the server, so the calls run on
# at most this many threads (one connection each), all released at the same moment.
MAX_THREADS = 40


def run_together(functions):
    """Run the functions on parallel threads that all start at once; return the errors raised."""
    threads = min(len(functions), MAX_THREADS)
    shares = [functions[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads)
    errors = []

    def call(share):
        try:
            barrier.wait()
            for function in share:
                try:
                    function()
                except Exception as exc:  # noqa: BLE001 - collected and asserted on below
                    errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(call, shares))
    return errors


def test_200_simultaneous_registrations_for_30_seats_confirm_exactly_30():
    event = EventFactory(capacity=30)
    organisation = OrganisationFactory()
    users = [approved_member(organisation=organisation) for _ in range(200)]
    errors = run_together([lambda user=user: services.register(event, user) for user in users])
    assert errors == []
    assert Registration.objects.filter(event=event, state=Registration.State.CONFIRMED).count() == 30
    waiting = list(Registration.objects.filter(event=event).waiting())
    assert len(waiting) == 170
    assert [r.waiting_position() for r in waiting[:3]] == [1, 2, 3]


def test_30_simultaneous_cancellations_promote_exactly_30():
    event = EventFactory(capacity=30)
    confirmed_users = [approved_member() for _ in range(30)]
    waiting_users = [approved_member() for _ in range(40)]
    confirmed = [services.register(event, user) for user in confirmed_users]
    waiting = [services.register(event, user) for user in waiting_users]
    assert all(r.is_waiting for r in waiting)
    errors = run_together(
        [lambda r=r, user=user: services.cancel(r, by=user) for r, user in zip(confirmed, confirmed_users, strict=True)]
    )
    assert errors == []
    assert Registration.objects.filter(event=event, state=Registration.State.CONFIRMED).count() == 30
    promoted = set(
        Registration.objects.filter(event=event, state=Registration.State.CONFIRMED).values_list("pk", flat=True)
    )
    # First come, first served: exactly the first 30 on the waiting list moved up.
    assert promoted == {r.pk for r in waiting[:30]}
    assert Registration.objects.filter(event=event, state=Registration.State.WAITING).count() == 10


def test_simultaneous_registrations_respect_the_maximum_per_organisation():
    event = EventFactory(capacity=None, max_per_organisation=3)
    organisation = OrganisationFactory()
    users = [approved_member(organisation=organisation) for _ in range(20)]
    errors = run_together([lambda user=user: services.register(event, user) for user in users])
    assert len(errors) == 17 and all(isinstance(e, services.EventError) for e in errors)
    assert Registration.objects.filter(event=event).count() == 3


def test_guests_and_members_at_once_for_the_last_seats_confirm_exactly_the_capacity():
    """Guests register and confirm their address while members register, all at the same moment: a seat a guest
    holds is never given away, and no more than the capacity is ever confirmed."""
    from events.services import Guest  # noqa: PLC0415 - only this test needs it; keeps the module's imports as they were

    event = EventFactory(capacity=20, open_to_guests=True)
    organisation = OrganisationFactory()
    members = [approved_member(organisation=organisation) for _ in range(40)]

    def guest_registers_and_confirms(n):
        registration = services.register_guest(
            event, Guest(name=f"Gast {n}", email=f"gast{n}@minvws.example", organisation_name="Ministerie van VWS")
        )
        services.confirm_guest(registration)

    calls = []
    for n, user in enumerate(members):  # interleaved, so half the threads are members' and half guests'
        calls += [lambda user=user: services.register(event, user), lambda n=n: guest_registers_and_confirms(n)]
    errors = run_together(calls)
    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(state=Registration.State.CONFIRMED).count() == 20
    assert registrations.filter(state=Registration.State.WAITING).count() == 60
    assert not registrations.filter(state=Registration.State.PENDING).exists()
    assert not registrations.filter(holds_seat=True).exists()
    assert registrations.filter(profile__isnull=True).count() == 40


def test_simultaneous_registrations_for_the_last_seats_of_a_session_give_each_seat_once():
    event = EventFactory(capacity=None)
    session = SessionFactory(event=event, capacity=3)
    users = [approved_member() for _ in range(20)]
    errors = run_together([lambda user=user: services.register(event, user, session=session) for user in users])
    assert len(errors) == 17 and all(isinstance(e, services.SessionFull) for e in errors)
    assert Registration.objects.filter(event=event, session=session, state=Registration.State.CONFIRMED).count() == 3
    assert Registration.objects.filter(event=event).count() == 3  # a refused registration leaves nothing behind


def test_simultaneous_changes_into_a_session_fill_it_exactly():
    event = EventFactory(capacity=None)
    wanted, other = SessionFactory(event=event, capacity=2), SessionFactory(event=event, capacity=None)
    users = [approved_member() for _ in range(12)]
    registrations = [services.register(event, user, session=other) for user in users]
    errors = run_together(
        [
            lambda r=r, user=user: services.choose_session(r, wanted, by=user)
            for r, user in zip(registrations, users, strict=True)
        ]
    )
    assert len(errors) == 10 and all(isinstance(e, services.SessionFull) for e in errors)
    assert Registration.objects.filter(session=wanted).count() == 2
