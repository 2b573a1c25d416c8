"""Registering and cancelling hold the event lock only for the seat decision and the writes (issue 13, point 4).

The calendar file and the mail context are built before the lock; under it one query decides the seat. The
mail is still created in the same transaction, once, with the content the seat decided.
"""

from datetime import timedelta

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coalition import checkstep
from coalition.models import Delivery
from events import calendar, services
from events.models import Event, EventMailing, Registration
from members.models import User

from .factories import EventFactory, RegistrationFactory, approved_member
from .test_concurrency import run_together


def on_postgres(test):
    """Real threads on PostgreSQL, as in test_concurrency: SQLite serialises all writes and shows no row locking."""
    marks = [
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking"),
    ]
    for mark in marks:
        test = mark(test)
    return test


class Built(list):
    """What was built, in order, each as (what, whether the event lock was held then)."""

    locked = False

    def clear(self):
        """Forget what was built, and the lock: the next service call starts without it."""
        super().clear()
        self.locked = False


@pytest.fixture
def built(monkeypatch):
    log = Built()
    lock, attachment, context = services._lock, calendar.attachment, services.event_context

    def locking(event):
        locked = lock(event)
        log.locked = True
        return locked

    def building_calendar(*args, **kwargs):
        log.append(("calendar " + kwargs["method"], log.locked))
        return attachment(*args, **kwargs)

    def building_context(*args, **kwargs):
        log.append(("context", log.locked))
        return context(*args, **kwargs)

    monkeypatch.setattr(services, "_lock", locking)
    monkeypatch.setattr(calendar, "attachment", building_calendar)
    monkeypatch.setattr(services, "event_context", building_context)
    return log


def mails_of(event, purpose):
    return list(
        Delivery.objects.filter(mailing__event_link__event=event, mailing__event_link__purpose=purpose).select_related(
            "mailing"
        )
    )


def calendar_of(delivery):
    (attachment,) = delivery.attachments
    return icalendar.Calendar.from_ical(attachment["content"])


# --- What is built before the lock ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_confirmed_registration_builds_its_calendar_file_and_mail_context_before_the_lock(built):
    registration = services.register(EventFactory(capacity=5), approved_member())
    assert registration.is_confirmed
    assert built == [("context", False), ("calendar REQUEST", False)]


@pytest.mark.django_db
def test_a_registration_for_the_waiting_list_builds_no_calendar_file_and_nothing_under_the_lock(built):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    registration = services.register(event, approved_member())
    assert registration.is_waiting
    assert built == [("context", False)]


@pytest.mark.django_db
def test_a_cancellation_builds_its_mail_and_the_promoted_members_mail_before_the_lock(built):
    event = EventFactory(capacity=1)
    holder, waiting = approved_member(), approved_member()
    confirmed = services.register(event, holder)
    services.register(event, waiting)
    built.clear()
    services.cancel(confirmed, by=holder)
    assert Registration.objects.get(profile=waiting.profile).is_confirmed
    # Their own mail (context, CANCEL) and the promoted member's (context, REQUEST).
    assert sorted(built) == [
        ("calendar CANCEL", False),
        ("calendar REQUEST", False),
        ("context", False),
        ("context", False),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("full", [False, True], ids=["seat", "waiting list"])
def test_under_the_lock_a_registration_asks_one_query_and_writes_its_rows_in_one_statement(full, monkeypatch):
    event = EventFactory(capacity=1)
    if full:
        RegistrationFactory(event=event)
    user = User.objects.get(pk=approved_member().pk)  # as a request loads it: the profile on first use
    lock, locked_at = services._lock, []
    with CaptureQueriesContext(connection) as captured:

        def locking(event):
            locked = lock(event)
            locked_at.append(len(captured.captured_queries))
            return locked

        monkeypatch.setattr(services, "_lock", locking)
        services.register(event, user)
    under_lock = [q["sql"] for q in captured.captured_queries[locked_at[0] :] if "SAVEPOINT" not in q["sql"]]
    reads = [sql for sql in under_lock if sql.lstrip().startswith("SELECT")]
    assert len(reads) == 1, reads
    if connection.vendor == "postgresql":
        # The registration, its mailing, delivery and link to the event: one round trip.
        (write,) = under_lock[1:]
        tables = ["events_registration", "coalition_mailing", "coalition_delivery", "events_eventmailing"]
        assert all(f'INSERT INTO "{table}"' in write for table in tables), write
    else:
        assert under_lock[1].startswith('INSERT INTO "events_registration"')
        assert all(sql.startswith("INSERT") for sql in under_lock[1:]), under_lock
    registration = Registration.objects.get(event=event, profile__user=user)
    (delivery,) = mails_of(event, EventMailing.Purpose.WAITING if full else EventMailing.Purpose.CONFIRMATION)
    assert delivery.address == user.email
    assert registration.state == (Registration.State.WAITING if full else Registration.State.CONFIRMED)


# --- The mail is still right ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mail_built_before_the_lock_follows_an_event_changed_in_between():
    event = EventFactory(capacity=5)
    stale = Event.objects.get(pk=event.pk)
    Event.objects.filter(pk=event.pk).update(venue="Het Gemeentehuis", sequence=3)
    services.register(stale, approved_member())
    (delivery,) = mails_of(event, EventMailing.Purpose.CONFIRMATION)
    assert delivery.mailing.context["event_venue"] == "Het Gemeentehuis"
    vevent = next(iter(calendar_of(delivery).walk("VEVENT")))
    assert vevent["SEQUENCE"] == 3
    assert "Het Gemeentehuis" in str(vevent["LOCATION"])


@pytest.mark.django_db
def test_a_seat_that_came_free_just_before_the_lock_still_comes_with_a_calendar_file(monkeypatch):
    event = EventFactory(capacity=1)
    holder = RegistrationFactory(event=event)
    lock = services._lock

    def cancel_then_lock(event):
        # Another transaction frees the seat after the member's mail was built for the waiting list.
        Registration.objects.filter(pk=holder.pk).update(state=Registration.State.CANCELLED)
        return lock(event)

    monkeypatch.setattr(services, "_lock", cancel_then_lock)
    registration = services.register(event, approved_member())
    assert registration.is_confirmed
    (delivery,) = mails_of(event, EventMailing.Purpose.CONFIRMATION)
    assert calendar_of(delivery)["METHOD"] == "REQUEST"
    assert mails_of(event, EventMailing.Purpose.WAITING) == []


@pytest.mark.django_db
@pytest.mark.parametrize("same_time", [False, True], ids=["one after the other", "at the same instant"])
def test_the_waiting_position_mailed_and_returned_is_the_position_on_the_list(same_time, django_assert_num_queries):
    event = EventFactory(capacity=1)
    now = timezone.now() if same_time else None
    registrations = [services.register(event, approved_member(), now=now) for _ in range(4)]
    positions = dict(Registration.objects.with_waiting_position().values_list("pk", "queue_position"))
    mailed = {d.mailing.context["waiting_position"] for d in mails_of(event, EventMailing.Purpose.WAITING)}
    with django_assert_num_queries(0):
        returned = [r.waiting_position() for r in registrations[1:]]
    assert returned == [positions[r.pk] for r in registrations[1:]] == [1, 2, 3]
    assert mailed == {1, 2, 3}


@pytest.mark.django_db
def test_registering_again_after_cancelling_is_mailed_its_waiting_position():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    first, again = approved_member(), approved_member()
    services.register(event, first)
    cancelled = services.register(event, again)
    services.cancel(cancelled, by=again)
    registration = services.register(event, again)
    assert registration.pk == cancelled.pk
    assert registration.waiting_position() == 2
    latest = max(mails_of(event, EventMailing.Purpose.WAITING), key=lambda d: d.pk)
    assert latest.address == again.email and latest.mailing.context["waiting_position"] == 2


# --- Under concurrency (real threads, PostgreSQL) -------------------------------------------------------


def _fresh(user):
    """The user as a request would load it: its own instance per thread."""
    return User.objects.get(pk=user.pk)


@on_postgres
def test_300_members_at_once_get_30_seats_and_each_one_right_mail():
    event = EventFactory(capacity=30)
    users = [approved_member() for _ in range(300)]
    errors = run_together([lambda user=user: services.register(event, _fresh(user)) for user in users])
    assert errors == []
    registrations = Registration.objects.filter(event=event).with_waiting_position()
    confirmed = {r.profile.user.email for r in registrations.select_related("profile__user") if r.is_confirmed}
    waiting = {
        r.profile.user.email: r.queue_position for r in registrations.select_related("profile__user") if r.is_waiting
    }
    assert len(confirmed) == 30 and len(waiting) == 270
    confirmations = mails_of(event, EventMailing.Purpose.CONFIRMATION)
    assert sorted(d.address for d in confirmations) == sorted(confirmed)
    assert all(calendar_of(d)["METHOD"] == "REQUEST" for d in confirmations)
    waiting_mails = mails_of(event, EventMailing.Purpose.WAITING)
    # One mail each, and each tells the position its member holds: no two people are told the same number.
    assert {d.address: d.mailing.context["waiting_position"] for d in waiting_mails} == waiting
    assert len(waiting_mails) == 270
    assert sorted(waiting.values()) == list(range(1, 271))
    assert all(d.attachments == [] and "meeting_url" not in d.mailing.context for d in waiting_mails)


@on_postgres
def test_one_member_registering_many_times_at_once_is_registered_and_mailed_once():
    event = EventFactory(capacity=30)
    user = approved_member()
    errors = run_together([lambda: services.register(event, _fresh(user)) for _ in range(10)])
    assert len(errors) == 9 and all(isinstance(e, services.EventError) for e in errors)
    assert Registration.objects.filter(event=event).count() == 1
    assert len(mails_of(event, EventMailing.Purpose.CONFIRMATION)) == 1


@on_postgres
def test_30_cancellations_at_once_mail_each_promoted_member_once_with_a_calendar_file():
    event = EventFactory(capacity=30)
    confirmed_users = [approved_member() for _ in range(30)]
    waiting_users = [approved_member() for _ in range(40)]
    confirmed = [services.register(event, user) for user in confirmed_users]
    for user in waiting_users:
        services.register(event, user)
    errors = run_together(
        [
            lambda r=r, user=user: services.cancel(r, by=_fresh(user))
            for r, user in zip(confirmed, confirmed_users, strict=True)
        ]
    )
    assert errors == []
    promoted = mails_of(event, EventMailing.Purpose.PROMOTED)
    assert sorted(d.address for d in promoted) == sorted(u.email for u in waiting_users[:30])
    assert all(calendar_of(d)["METHOD"] == "REQUEST" for d in promoted)
    cancellations = mails_of(event, EventMailing.Purpose.CANCELLED_REGISTRATION)
    assert sorted(d.address for d in cancellations) == sorted(u.email for u in confirmed_users)
    assert all(calendar_of(d)["METHOD"] == "CANCEL" for d in cancellations)


# --- Mass mails of a changed or cancelled event ----------------------------------------------------------


@pytest.mark.django_db
def test_changing_the_time_builds_the_participants_calendar_files_before_the_lock(built, coordinator):
    event = EventFactory(capacity=5)
    for _ in range(3):
        services.register(event, approved_member())
    built.clear()
    later = {"starts_at": event.starts_at + timedelta(hours=1), "ends_at": event.ends_at + timedelta(hours=1)}
    services.update_event(event, by=coordinator, **later)
    assert [b for b in built if b[0].startswith("calendar")] == [("calendar REQUEST", False)] * 3
    deliveries = mails_of(event, EventMailing.Purpose.UPDATE)
    assert len(deliveries) == 3
    for delivery in deliveries:
        vevent = next(iter(calendar_of(delivery).walk("VEVENT")))
        assert vevent["SEQUENCE"] == 1 and vevent["DTSTART"].dt == later["starts_at"].replace(microsecond=0)


@pytest.mark.django_db
def test_cancelling_the_event_uses_the_cancel_files_the_check_built_before_the_lock(built, coordinator):
    event = EventFactory(capacity=5)
    for _ in range(2):
        services.register(event, approved_member())
    check = checkstep.open_check("events.cancellation", {"event": event.pk}, by=coordinator)
    built.clear()
    checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    assert [b for b in built if b[0].startswith("calendar")] == [("calendar CANCEL", False)] * 2
    deliveries = mails_of(event, EventMailing.Purpose.EVENT_CANCELLED)
    assert len(deliveries) == 2
    for delivery in deliveries:
        cal = calendar_of(delivery)
        assert cal["METHOD"] == "CANCEL" and next(iter(cal.walk("VEVENT")))["SEQUENCE"] == 1


@pytest.mark.django_db
def test_someone_registering_between_the_recount_and_the_lock_stops_the_cancellation(built, coordinator, monkeypatch):
    event = EventFactory(capacity=5)
    for _ in range(2):
        services.register(event, approved_member())
    check = checkstep.open_check("events.cancellation", {"event": event.pk}, by=coordinator)
    lock = services._lock

    def register_then_lock(event):
        # Someone is confirmed after the confirm recounted, before the lock is granted.
        RegistrationFactory(event=event)
        return lock(event)

    monkeypatch.setattr(services, "_lock", register_then_lock)
    with pytest.raises(checkstep.CheckError):
        checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    event.refresh_from_db()
    assert not event.is_cancelled
    assert mails_of(event, EventMailing.Purpose.EVENT_CANCELLED) == []


@pytest.mark.django_db
@pytest.mark.parametrize("has_seat", [True, False], ids=["confirmed", "waiting"])
def test_a_registration_asks_the_same_few_statements_whatever_the_member_has_loaded(has_seat):
    """As a web request or a task hands it over: the account alone. The profile comes with its organisation in
    one statement, the mail's address from the account in hand, the coalition in one; under the lock the event,
    the seats and one statement for every row written."""
    event = EventFactory(capacity=5 if has_seat else 0)
    event.intake_questions.create(label="Dieetwensen?", kind="text", required=False)
    member = User.objects.get(pk=approved_member().pk)
    with CaptureQueriesContext(connection) as captured:
        registration = services.register(event, member)
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert registration.is_confirmed is has_seat
    # Role, profile, first seat count, intake questions, coalition, invitation, lock, seat count, the rows.
    assert len(statements) == 9, "\n".join(statements)
    assert sum("members_organisation" in sql for sql in statements) == 1
    assert not any(sql.startswith('SELECT "members_user"') for sql in statements)
