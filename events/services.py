"""Everything that changes events: registering, cancelling, the waiting list, invitations and follow-up.

Every function is one transaction. Those that touch seats lock the event row
(select_for_update), so concurrent registrations and cancellations queue up behind each
other and a seat is never given twice. Everyone waits for that lock, so it covers only the
seat decision and the writes: what a mail needs that does not depend on the seat (the
calendar file, the event's mail context, the recipient) is built before it is taken
(`_ParticipantMail`), and the lock's hold time is logged on the `events.locks` logger at DEBUG
(bench/registrations.py turns it on).
"""

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition import checkstep, ratelimits
from coalition.celery import enqueue_after_commit
from coalition.mail import Recipient, absolute_url, new_message_id, queue_mailing
from coalition.markdown import render_markdown
from coalition.models import Delivery, MailCheck, Mailing, OptOut, Suppression
from coalition.rules import DomainError, ensure_permitted, is_approved_member
from coalition.rules import NotAllowed as NotAllowed  # re-exported: callers and tests name services.NotAllowed
from groups import services as groups_services
from groups.models import Action, Group, Membership, Notice
from journal.models import Subscriber
from members.models import Organisation, Profile, User, name_order
from network.audiences import Person
from network.models import coalition_of
from surveys.models import Participant as SurveyParticipant
from surveys.models import Survey, SurveyQuestion, clean_answers
from surveys.services import forget_participants, link_maker, place_people

from . import calendar, certificates
from .models import (
    GUEST_CONFIRMATION_HOURS,
    CalendarFeed,
    Case,
    Event,
    EventMailing,
    IntakeQuestion,
    Invitation,
    MeetingNotes,
    ProgrammeItem,
    Registration,
    Series,
    Session,
    new_token,
)

INVITATION_SALT = "events.invitation"
OPT_OUT_SALT = "events.opt-out"
GUEST_SALT = "events.guest"
GUEST_CONFIRM_SALT = "events.guest-confirm"
# The guest form mails a typed address: limited per address and per client (coalition.ratelimits).
GUEST_MAILS_PER_ADDRESS_PER_HOUR = 3
GUEST_REGISTRATIONS_PER_CLIENT_PER_HOUR = 10
ANONYMOUS_DOMAIN = "@anonymised.invalid"
# The journal's subscription kind of those who want event invitations (journal.models.Subscriber).
INVITATIONS = "invitations"
# What a person unsubscribes from (coalition.checkstep topics, registered in events/mailings.py): invitations to
# events, and the reminders and materials of events they registered for.
TOPIC_INVITATIONS = "invitations"
TOPIC_EVENTS = "events"


class EventError(DomainError):
    """A rule of the events said no; `str()` is the translated message meant for the person who asked."""


class TooManyRequests(EventError):
    """The guest form was sent too often for one address or from one client; the message says what to do."""


class AlreadyRegistered(EventError):
    """The member holds an active registration for the event already: the form sends them to the event page."""

    def __init__(self, message=None):
        super().__init__(message or _("You are already registered for this event."))


class SessionFull(EventError):
    """The breakout session chosen has no seat left: forms show it at their session field."""

    def __init__(self, message=None):
        super().__init__(message or _("This breakout session is full."))


# --- Shared pieces ------------------------------------------------------------------------------


def _format(dt):
    with translation.override(settings.LANGUAGE_CODE):
        return formats.date_format(timezone.localtime(dt), "DATETIME_FORMAT")


def event_context(event: Event, *, private: bool = False) -> dict[str, str]:
    """What every event mail shows; JSON-serialisable. `private` adds the meeting link."""
    with translation.override(settings.LANGUAGE_CODE):
        kind = str(event.get_kind_display())
    context = {
        "event_title": event.title,
        "event_kind": kind,
        "event_url": absolute_url(event.get_absolute_url()),
        "event_when": _format(event.starts_at),
        "event_until": formats.time_format(timezone.localtime(event.ends_at), "H:i"),
        "event_venue": event.venue,
        "event_address": event.address,
        "mine_url": absolute_url(reverse("events:my_registrations")),
    }
    if private and event.meeting_url:
        context["meeting_url"] = event.meeting_url
    return context


locks_logger = logging.getLogger("events.locks")


def _lock(event):
    """The event row, locked until the transaction ends: the one place seats are decided."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locks_logger.isEnabledFor(logging.DEBUG):
        _log_lock_time(locked.pk)
    return locked


def _log_lock_time(event_id):
    """Log how long the event lock was held, from the moment it was granted to the commit that releases it.

    Only at DEBUG (the check in `_lock` is all it costs otherwise). A transaction that rolls back logs nothing.
    """
    granted = time.perf_counter()
    transaction.on_commit(
        lambda: locks_logger.debug("event %s: lock held %.3f ms", event_id, (time.perf_counter() - granted) * 1000)
    )


def _event_state(event):
    """Every stored value of the event but `updated_at` (no mail shows it; saving sets it): mail parts built from an
    earlier read are used only while this still holds."""
    return tuple(getattr(event, field.attname) for field in Event._meta.concrete_fields if field.name != "updated_at")


class _CalendarFiles:
    """One event's calendar files for many people, built before the event lock from the event as it will be.

    Under the lock `get()` hands them out while the event matches what they were built from, and builds any
    other (someone confirmed in between, or the event changed again): a mass mail's files cost milliseconds
    each, and registrations for the event wait for the lock.
    """

    def __init__(self, event, method, people):
        self.event_state = _event_state(event)
        self.method = method
        self.files = {who: calendar.attachment(event, method=method, attendee=who) for who in people}

    def get(self, event, who):
        if who in self.files and _event_state(event) == self.event_state:
            return self.files[who]
        return calendar.attachment(event, method=self.method, attendee=who)


def _confirmed_people(event, *, good_standing_only=False):
    """(email, name) of the event's confirmed participants (optionally only those in good standing)."""
    registrations = Registration.objects.confirmed().filter(event=event)
    if good_standing_only:
        registrations = in_good_standing(registrations)
    people = (_participant(registration) for registration in registrations.select_related("profile__user"))
    return [who for who in people if who is not None]


def _link(event, mailing, purpose):
    EventMailing.objects.create(event=event, mailing=mailing, purpose=purpose)
    return mailing


def _participant(registration):
    """(email, name) of whom a registration's mails go to: the member's account address, or a guest's own address
    once they confirmed it. None once the account is gone or the registration was anonymised, and for a guest
    who has not confirmed (they get the confirm-address mail and nothing else)."""
    profile = registration.profile
    if profile is None:
        if registration.email and not registration.is_pending:
            return registration.email, registration.name
        return None
    return profile.user.email, profile.full_name or registration.name


def in_good_standing(registrations):
    """Registrations of approved, active members now, and of guests: the meeting link and materials go to nobody
    else, however a member stood when they registered (the rule `events.view_participants` says the same)."""
    member = Q(profile__status=Profile.Status.APPROVED, profile__user__is_active=True)
    guest = Q(profile__isnull=True, email__gt="")
    return registrations.filter(member | guest)


def guest_url(registration: Registration, action: str = "") -> str:
    """A guest's own signed link: their registration (`action` ""), "cancel", or "confirm" (that one expires
    with the GUEST_CONFIRMATION_HOURS they have to confirm)."""
    if action == "confirm":
        token = signing.TimestampSigner(salt=GUEST_CONFIRM_SALT).sign(registration.token)
        return absolute_url(reverse("events:guest_confirm", kwargs={"token": token}))
    name = "events:guest_cancel" if action == "cancel" else "events:guest_registration"
    return absolute_url(reverse(name, kwargs={"token": _guest_token(registration)}))


def _guest_token(registration):
    """The signed secret of a guest's links that do not expire (their registration, cancelling, materials)."""
    return signing.Signer(salt=GUEST_SALT).sign(registration.token)


def read_guest_token(token: str, *, confirm: bool = False) -> Registration:
    """The guest registration a signed link names; EventError when the link is not genuine (or, to confirm, older
    than the time a guest has to confirm)."""
    try:
        if confirm:
            secret = signing.TimestampSigner(salt=GUEST_CONFIRM_SALT).unsign(
                token, max_age=timedelta(hours=GUEST_CONFIRMATION_HOURS)
            )
        else:
            secret = signing.Signer(salt=GUEST_SALT).unsign(token)
    except signing.SignatureExpired:
        raise EventError(
            _("This link has expired: the address was not confirmed within 48 hours. You can register again.")
        ) from None
    except signing.BadSignature:
        raise EventError(_("This link is not valid. Please use the link from the mail.")) from None
    registration = Registration.objects.select_related("event", "organisation").filter(token=secret).first()
    if registration is None or not registration.is_guest:
        raise EventError(_("This registration no longer exists."))
    return registration


def _recipient(registration, *, context=None):
    """The Recipient of a mail about `registration`, or None when it has no address (`_participant`). A guest's
    mail carries their own links whatever the mail (cancel, their registration: they have no account)."""
    who = _participant(registration)
    if who is None:
        return None
    email, name = who
    return Recipient(email=email, name=name, context={**_guest_links(registration), **(context or {})})


def _guest_links(registration):
    """What a guest's mail adds: their signed links (members cancel on My registrations)."""
    if registration.profile_id is not None or not registration.token:
        return {}
    return {"cancel_url": guest_url(registration, "cancel"), "registration_url": guest_url(registration)}


def guest_material_url(registration: Registration, material) -> str:
    """A material of the event through the guest's own signed link (they have no account to log in with)."""
    kwargs = {"token": _guest_token(registration), "pk": material.pk}
    return absolute_url(reverse("events:guest_material", kwargs=kwargs))


def _guest_materials_context(registration, materials):
    """What the materials mail says differently to a guest: the files and the feedback form by their own link."""
    if not _guest_links(registration):
        return {}
    return {
        "materials": [{"title": m.title, "url": guest_material_url(registration, m)} for m in materials],
        # Until the mail is sent (the check page, its test) the feedback link is the guest's own page's; at the
        # sending every participant gets their personal link to the feedback survey (send_materials).
        "feedback_url": absolute_url(reverse("events:guest_feedback", kwargs={"token": _guest_token(registration)})),
    }


def _guest_links_of(event):
    """{address: links} of the event's guests, for mass mails built from (email, name) pairs."""
    guests = Registration.objects.active().filter(event=event, profile__isnull=True, email__gt="")
    return {registration.email.lower(): _guest_links(registration) for registration in guests}


def _with_calendar(event, who, *, context=None):
    """A participant's recipient with the event's .ics (METHOD:REQUEST) for their calendar."""
    return Recipient(
        email=who[0],
        name=who[1],
        context=context or {},
        attachments=[calendar.attachment(event, method=calendar.REQUEST, attendee=who)],
    )


class _ParticipantMail:
    """One participant's mail about their registration, built as far as it can be before the event lock.

    The event's mail context, the recipient and the calendar file depend on the event and the person, not
    on the seat, so they are built from the event as read before the lock (the .ics is the costly part:
    milliseconds each). Under the lock `queue()` adds what the seat decides (template, meeting link,
    waiting-list position) and writes the outbox rows, in the caller's transaction. Had the event or the
    person changed in between, it builds the parts again from the locked rows: never a stale mail.
    """

    def __init__(self, event, who, *, calendar_method=None):
        self.event_state = _event_state(event)
        self.who = who
        self.context = event_context(event, private=True)
        self.calendars = {}
        if calendar_method:
            self.calendars[calendar_method] = calendar.attachment(event, method=calendar_method, attendee=who)

    def queue(self, registration, template, purpose, *, calendar_method=None, waiting_position=None, insert=False):
        """Put the mail in the outbox and link it to the event; None when the member's account is gone.

        With `insert` the registration is new and is inserted by the same statement as its mail.
        """
        who = _participant(registration)
        if who is None:
            if insert:
                _insert_rows(registration=registration)
            return None
        event = registration.event
        if who != self.who or _event_state(event) != self.event_state:
            self.__init__(event, who)
        attachments = []
        if calendar_method:
            if calendar_method not in self.calendars:
                self.calendars[calendar_method] = calendar.attachment(event, method=calendar_method, attendee=who)
            attachments.append(self.calendars[calendar_method])
        context = {**self.context, **_guest_links(registration)}
        if not registration.is_confirmed:
            context.pop("meeting_url", None)  # the meeting link is for confirmed participants only
        if registration.is_waiting:
            context["waiting_position"] = waiting_position or registration.waiting_position()
        # What queue_mailing would create for one recipient, written by one statement with the registration.
        mailing = Mailing(
            kind=Mailing.Kind.TRANSACTIONAL,
            template=f"events/{template}",
            context=context,
            description=f"{event.title}: {EventMailing.Purpose(purpose).label}",
            state=Mailing.State.QUEUED,
            queued_at=timezone.now(),
        )
        delivery = Delivery(address=who[0].strip(), name=who[1], attachments=attachments, message_id=new_message_id())
        link = EventMailing(event=event, purpose=purpose)
        _insert_rows(registration=registration if insert else None, mail=(mailing, delivery, link))
        enqueue_after_commit(SEND_MAILING_TASK, mailing.pk)
        return mailing


# The outbox's task that sends a queued mailing (what coalition.mail.queue_mailing enqueues after commit).
SEND_MAILING_TASK = "coalition.tasks.send_mailing"


def _new_row(obj, **db_values):
    """{column: database value} of an unsaved model instance, as its INSERT would write every field but the id.

    Each value goes through the field's own conversion (pre_save, get_db_prep_save), so a field added to the
    model is written too; `db_values` give columns whose value is SQL, not a parameter.
    """
    row = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.column in db_values:
            continue
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression"):
            continue  # an expression (a field's db_default): left to the database
        row[field.column] = field.get_db_prep_save(value, connection)
    return row


def _insert_sql(model, row, sql_values, *, returning=False):
    """INSERT of one row of `model`: `row` as parameters, `sql_values` as SQL (a subquery of the same statement)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in [*sql_values, *row])
    values = ", ".join([*sql_values.values(), *["%s"] * len(row)])
    # Identifiers from the model's metadata, quoted; every value is a parameter or a fixed subquery.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql, list(row.values())


def _insert_rows(*, registration=None, mail=None):
    """Insert a new registration and/or a participant's mail (mailing, delivery, link to the event): on PostgreSQL
    with one statement, elsewhere with one INSERT each. Sets the new rows' ids.

    Called under the event lock: the rows were built by then, and one round trip replaces four ORM INSERTs
    (composing them cost the ORM about as much CPU as the rest of the lock's work).
    """
    if connection.vendor != "postgresql":
        if registration is not None:
            registration.save()
        if mail is not None:
            mailing, delivery, link = mail
            mailing.save()
            delivery.mailing = link.mailing = mailing
            delivery.save()
            link.save()
        return
    quote = connection.ops.quote_name
    parts, params, results = [], [], []
    if registration is not None:
        sql, values = _insert_sql(Registration, _new_row(registration), {}, returning=True)
        parts.append(f"registration AS ({sql})")
        params += values
        results.append(("registration", registration))
    if mail is not None:
        mailing, delivery, link = mail
        new_mailing = f"(SELECT {quote(Mailing._meta.pk.column)} FROM mailing)"  # noqa: S608 — a quoted column
        sql, values = _insert_sql(Mailing, _new_row(mailing), {}, returning=True)
        parts.append(f"mailing AS ({sql})")
        params += values
        for name, obj in (("delivery", delivery), ("link", link)):
            mailing_column = obj._meta.get_field("mailing").column
            sql, values = _insert_sql(
                type(obj), _new_row(obj, **{mailing_column: new_mailing}), {mailing_column: new_mailing}
            )
            parts.append(f"{name} AS ({sql})")
            params += values
        results.append(("mailing", mailing))
    selected = ", ".join(f"{name}.{quote(obj._meta.pk.column)}" for name, obj in results)
    sources = ", ".join(name for name, _obj in results)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {selected} FROM {sources}", params)  # noqa: S608 — as above
        ids = cursor.fetchone()
    for (_name, obj), pk in zip(results, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    if mail is not None:
        mailing, delivery, link = mail
        delivery.mailing = link.mailing = mailing


def _prepare_promotions(event, *, seats):
    """Before the lock: the mails of the first `seats` people on the waiting list, who will most likely move up."""
    if seats <= 0:
        return {}
    mails = {}
    for registration in Registration.objects.filter(event=event).waiting().select_related("profile__user")[:seats]:
        who = _participant(registration)
        if who is not None:
            mails[registration.pk] = _ParticipantMail(event, who, calendar_method=calendar.REQUEST)
    return mails


def opt_out_url(email: str) -> str:
    """The unsubscribe link event mails carried before the per-topic opt-outs. Mails no longer get it (they carry
    checkstep.unsubscribe_url of their topic), but links already sent keep working: see `opt_out`."""
    token = signing.dumps(email.lower(), salt=OPT_OUT_SALT)
    return absolute_url(reverse("events:opt_out", kwargs={"token": token}))


def _opted_out(topic):
    """The addresses unsubscribed from `topic` (stored lower-case)."""
    return set(OptOut.objects.filter(topic=topic).values_list("address", flat=True))


# --- Registering and cancelling -----------------------------------------------------------------


def checked_answers(event: Event, answers: dict[str, Any] | None) -> dict[str, Any]:
    """`answers` (question id → answer) checked against the event's intake questions, as the registration form
    checks them, so that no caller (an admin action, a task, an invitation's form) stores what the form would
    refuse: unknown questions, the wrong type, a choice not offered, a required question left open."""
    try:
        return clean_answers(event.intake_questions.all(), answers)
    except ValidationError as error:
        raise EventError(" ".join(error.messages)) from None


@transaction.atomic
def register(
    event: Event,
    user: User,
    *,
    answers: dict[str, Any] | None = None,
    consent_to_list: bool = False,
    session: Session | None = None,
    now: datetime | None = None,
) -> Registration:
    """Confirm a seat while one is left, otherwise put the member on the waiting list.

    `session` is the breakout session chosen: a confirmed seat takes a seat in it too (`SessionFull` when it has
    none left); on the waiting list it is kept as a wish, granted on promotion if the session still has room.

    Everything that does not depend on the seat is done before the event lock: the member's profile and
    organisation, a first look at the seats and their own registration, the mail's context and calendar file,
    the invitation's answer. Under the lock: one query for the seats, the registration and its mail.
    """
    if not is_approved_member(user):
        raise EventError(_("Only approved members of the network can register."))
    if not user.has_perm("events.register", event):
        raise EventError(_("This meeting is for the members of its group."))
    profile = _registrant_profile(user)
    if profile is None:
        raise EventError(_("You need a member profile to register."))
    seen = _seat_tally(event, profile=profile, now=timezone.now())
    if seen["mine_active"]:
        raise AlreadyRegistered
    answers = checked_answers(event, answers)
    coalition = coalition_of(profile, prefer=event.coalition_id)
    organisation = profile.organisation
    mail = _registration_mail(event, (user.email, profile.full_name or user.email), seen)
    # Rolled back with the rest when the registration is refused. Taken before the event lock, in the order
    # answer_invitation takes them (invitation, then event), so the two cannot deadlock.
    Invitation.objects.filter(event=event, profile=profile).update(
        answer=Invitation.Answer.COMING, answered_at=now or timezone.now()
    )

    event = _lock(event)
    # Unless the caller fixed it, the time is read once the lock is granted: the waiting list then runs in the
    # order seats were decided, so the position a member is mailed is the one they hold.
    now = now or timezone.now()
    _ensure_open_for_registration(event, now=now)
    limit_per_organisation = event.max_per_organisation if organisation else None
    tally = _seat_tally(event, profile=profile, organisation=organisation if limit_per_organisation else None, now=now)
    existing = None
    if seen["mine"] or tally["mine"]:
        # A registration of this member exists (cancelled when counted above, or made since): read it locked.
        existing = Registration.objects.select_for_update().filter(event=event, profile=profile).first()
        if existing and not existing.is_cancelled:
            raise AlreadyRegistered
    _ensure_organisation_limit(event, tally)
    has_seat = _has_free_seat(event, tally)
    _ensure_session_room(event, session, has_seat=has_seat)
    registration = existing or Registration(event=event, profile=profile)
    registration.name = profile.full_name or user.email
    registration.organisation = organisation
    registration.organisation_name = organisation.name if organisation else ""
    registration.discipline = profile.discipline
    registration.coalition = coalition
    registration.coalition_phase = coalition.phase if coalition else ""
    registration.answers = answers
    registration.consent_to_list = consent_to_list
    registration.session = session
    registration.registered_at = now
    registration.cancelled_at = None
    registration.cancel_reason = Registration.CancelReason.NONE
    registration.reminded_at = None
    registration.checked_in = False
    registration.checked_in_at = None
    registration.event = event
    _settle_seat(registration, has_seat=has_seat, tally=tally, now=now, mail=mail)
    return registration


def _registrant_profile(user):
    """The member's profile with their organisation (which the registration records), in one query; the profile
    already in memory when there is one."""
    profile_relation = User._meta.get_field("profile")
    if profile_relation.is_cached(user):
        return profile_relation.get_cached_value(user)
    profile = Profile.objects.select_related("organisation").filter(user=user).first()
    if profile is not None:
        profile_relation.set_cached_value(user, profile)
        Profile._meta.get_field("user").set_cached_value(profile, user)  # the mail's address: no query back
    return profile


def _ensure_session_room(event, session, *, has_seat):
    """Under the event lock: the breakout session chosen is this event's and, for someone who gets a seat, has one
    left too (`SessionFull`); on the waiting list the choice is kept as a wish."""
    if session is None:
        return
    if session.event_id != event.pk:
        raise EventError(_("Choose a breakout session of this event."))
    if has_seat and not _session_has_room(session):
        raise SessionFull


def _registration_mail(event, who, seen):
    """Before the lock: the mail of a registration whose seat is about to be decided.

    The calendar file goes only with a seat; built here while seats seem left (or the event has no limit), under
    the lock in the rare case a seat came free in between.
    """
    seats_seem_left = _has_free_seat(event, seen)
    return _ParticipantMail(event, who, calendar_method=calendar.REQUEST if seats_seem_left else None)


def _ensure_open_for_registration(event, *, now):
    """Under the event lock: the event takes registrations now, or EventError says why not."""
    if event.is_cancelled:
        raise EventError(_("This event has been cancelled."))
    if not event.is_published:
        raise EventError(_("This event is not open for registration."))
    if event.registration_opens_at and event.registration_opens_at > now:
        raise EventError(_("Registration opens on %(date)s.") % {"date": _format(event.registration_opens_at)})
    if event.starts_at <= now or (event.registration_closes_at and event.registration_closes_at <= now):
        raise EventError(_("Registration for this event is closed."))


def _ensure_organisation_limit(event, tally):
    """The per-organisation maximum, counted by `_seat_tally` for the registrant's organisation."""
    limit = event.max_per_organisation
    if limit and tally["organisation"] >= limit:
        raise EventError(
            _("Your organisation already has %(count)d registrations, the maximum for this event.")
            % {"count": tally["organisation"]}
        )


def _has_free_seat(event, tally):
    return event.capacity is None or tally["taken"] < event.capacity


def _settle_seat(registration, *, has_seat, tally, now, mail):
    """The seat decision, one step for members and guests, under the event lock: a confirmed seat, or the end of
    the waiting list. Saves the registration (a new one in the same statement as its mail) and queues the mail
    that says which: confirmed with the calendar file, or the waiting-list position."""
    insert = registration.pk is None
    registration.holds_seat = False
    if has_seat:
        registration.state = Registration.State.CONFIRMED
        registration.confirmed_at = now
        registration.waiting_since = None
    else:
        registration.state = Registration.State.WAITING
        registration.confirmed_at = None
        registration.waiting_since = now
    if not insert:
        registration.save()
    if has_seat:
        purpose = EventMailing.Purpose.CONFIRMATION
        mail.queue(registration, "registered", purpose, calendar_method=calendar.REQUEST, insert=insert)
        return
    if insert:
        # A new row comes after every row on the list (its id is the highest): the waiting who are not later than
        # it, plus itself. Read by registration.waiting_position(), so the view asks no query.
        registration.queue_position = tally["ahead"] + 1
    mail.queue(
        registration,
        "waiting",
        EventMailing.Purpose.WAITING,
        waiting_position=registration.waiting_position(),
        insert=insert,
    )


# In one statement: the seats taken (confirmed, and held by guests until they confirm their address), how many wait
# since `now` or earlier, the registrant's own registrations (and the active ones) by member or by a guest's address,
# and their organisation's active ones (by the organisation, else by its name as typed). Asked before the event lock
# for a first look and under it for the decision. Written as SQL because it runs under the lock: the ORM spent ten
# times longer composing this aggregate than PostgreSQL spent running it (1.8 against 0.16 ms of CPU).
SEAT_TALLY_SQL = """
    SELECT count(*) FILTER (WHERE state = %(confirmed)s OR (state = %(pending)s AND holds_seat)),
           count(*) FILTER (WHERE state = %(waiting)s AND waiting_since <= %(now)s),
           count(*) FILTER (WHERE profile_id = %(profile)s OR lower(email) = %(email)s),
           count(*) FILTER (WHERE (profile_id = %(profile)s OR lower(email) = %(email)s) AND state <> %(cancelled)s),
           count(*) FILTER (
               WHERE (organisation_id = %(organisation)s OR lower(organisation_name) = %(organisation_name)s)
               AND state <> %(cancelled)s
           )
    FROM {table} WHERE event_id = %(event)s
"""


def _seat_tally(event, *, profile=None, email="", organisation=None, organisation_name="", now):
    """What `SEAT_TALLY_SQL` counts, by name: taken, ahead, mine, mine_active, organisation (0 without one).

    A member is `profile`; a guest is `email`. Their organisation is counted by `organisation`, or for a guest whose
    organisation is not in the portal by `organisation_name`, in any case.
    """
    params = {
        "confirmed": Registration.State.CONFIRMED.value,
        "pending": Registration.State.PENDING.value,
        "waiting": Registration.State.WAITING.value,
        "cancelled": Registration.State.CANCELLED.value,
        "now": connection.ops.adapt_datetimefield_value(now),
        "profile": profile.pk if profile else None,
        "email": email.strip().lower() or None,
        "organisation": organisation.pk if organisation else None,
        "organisation_name": organisation_name.strip().lower() or None if organisation is None else None,
        "event": event.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(SEAT_TALLY_SQL.format(table=connection.ops.quote_name(Registration._meta.db_table)), params)
        row = cursor.fetchone()
    return dict(zip(("taken", "ahead", "mine", "mine_active", "organisation"), row, strict=True))


# --- Guests ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guest:
    """Who a guest says they are (the guest form, an invitation, a walk-in at the door)."""

    name: str
    email: str
    function: str = ""
    organisation: Organisation | None = None
    organisation_name: str = ""

    def resolved(self) -> "Guest":
        """Stripped, and a typed organisation name that is an organisation of the portal counts as it."""
        organisation, name = self.organisation, self.organisation_name.strip()
        if organisation is None and name:
            organisation = Organisation.objects.filter(name__iexact=name).first()
        return replace(
            self,
            name=" ".join(self.name.split()),
            email=self.email.strip(),
            function=self.function.strip(),
            organisation=organisation,
            organisation_name=organisation.name if organisation else name,
        )


def _is_member_address(email):
    return User.objects.filter(email__iexact=email.strip()).exists()


def _limit_guest_form(email, client):
    """Per address (the form mails it) and per client: refused with the same message either way."""
    per_address = ratelimits.allow(
        "events.guest-address", email.strip().lower(), limit=GUEST_MAILS_PER_ADDRESS_PER_HOUR, seconds=60 * 60
    )
    per_client = client is None or ratelimits.allow(
        "events.guest-client", client, limit=GUEST_REGISTRATIONS_PER_CLIENT_PER_HOUR, seconds=60 * 60
    )
    if not (per_address and per_client):
        raise TooManyRequests(
            _(
                "This form was sent many times in a short while. "
                "What you typed is still here: please try again in an hour."
            )
        )


def _mail_guest(event, registration_or_guest, template, context):
    """One mail to a guest that is not about a seat (the confirm-address mail and its kin), linked to the event."""
    mailing = queue_mailing(
        template=f"events/{template}",
        recipients=[Recipient(email=registration_or_guest.email, name=registration_or_guest.name, context=context)],
        context=event_context(event),
        description=f"{event.title}: {EventMailing.Purpose.GUEST_ADDRESS.label}",
    )
    return _link(event, mailing, EventMailing.Purpose.GUEST_ADDRESS)


@transaction.atomic
def register_guest(
    event: Event,
    guest: Guest,
    *,
    answers: dict[str, Any] | None = None,
    consent_to_list: bool = False,
    session: Session | None = None,
    invitation: Invitation | None = None,
    client: str | None = None,
    now: datetime | None = None,
) -> Registration | None:
    """A guest's registration: pending until they confirm their address from the mail, holding the seat that is
    free now (or none: confirming then puts them on the waiting list).

    With `invitation` (a visitor's answer link, which proves the address) the seat is decided at once, as for a
    member, and the event need not be open to guests: the invitation is the admission.

    What the page says must not tell a stranger whether an address has an account or is registered already:
    for an address of a member account, or one already registered, no registration is made (None), and the mail
    to that address says what to do (log in; or the link to their registration).
    """
    guest = guest.resolved()
    answers = checked_answers(event, answers)
    coalition = coalition_of(None, organisation=guest.organisation, prefer=event.coalition_id)
    if invitation is None:
        if not event.open_to_guests:
            raise EventError(_("This event is not open to guests."))
        _limit_guest_form(guest.email, client)
    elif guest.email.lower() != invitation.email.lower():
        raise EventError(_("Register with the address the invitation was sent to."))
    if _is_member_address(guest.email):
        if invitation is not None:
            raise EventError(_("This address belongs to a member account: log in and register as a member."))
        _mail_guest(event, guest, "guest_member_address", {"login_url": absolute_url(reverse("account_login"))})
        return None
    seen = _seat_tally(event, email=guest.email, now=timezone.now())
    if seen["mine_active"]:
        if invitation is not None:
            raise EventError(_("This address is already registered for this event."))
        _remind_guest_of_registration(event, guest.email)
        return None
    mail = _registration_mail(event, (guest.email, guest.name), seen) if invitation else None
    Invitation.objects.filter(event=event, email=guest.email.lower()).update(
        answer=Invitation.Answer.COMING, answered_at=now or timezone.now()
    )

    event = _lock(event)
    now = now or timezone.now()
    _ensure_open_for_registration(event, now=now)
    tally = _seat_tally(
        event, email=guest.email, organisation=guest.organisation, organisation_name=guest.organisation_name, now=now
    )
    if tally["mine_active"]:
        raise EventError(_("This address is already registered for this event."))
    _ensure_organisation_limit(event, tally)
    has_seat = _has_free_seat(event, tally)
    _ensure_session_room(event, session, has_seat=has_seat)
    registration = Registration(
        event=event,
        session=session,
        name=guest.name,
        email=guest.email,
        function=guest.function,
        organisation=guest.organisation,
        organisation_name=guest.organisation_name,
        coalition=coalition,
        coalition_phase=coalition.phase if coalition else "",
        answers=answers,
        consent_to_list=consent_to_list,
        registered_at=now,
        token=new_token(),
    )
    if invitation is not None:
        registration.address_confirmed_at = now
        _settle_seat(registration, has_seat=has_seat, tally=tally, now=now, mail=mail)
        return registration
    registration.state = Registration.State.PENDING
    registration.holds_seat = has_seat
    registration.save()
    _mail_guest(
        event,
        registration,
        "guest_confirm",
        {
            "confirm_url": guest_url(registration, "confirm"),
            "confirm_by": _format(registration.confirm_by),
            "holds_seat": registration.holds_seat,
        },
    )
    return registration


def _remind_guest_of_registration(event, email):
    """The address registered already: its mail repeats the way in (a pending guest gets a new confirm link)."""
    registration = (
        Registration.objects.active().filter(event=event, profile__isnull=True, email__iexact=email.strip()).first()
    )
    if registration is None:  # a member's registration by this address: the member-account mail says what to do
        return
    if registration.is_pending:
        context = {
            "confirm_url": guest_url(registration, "confirm"),
            "confirm_by": _format(registration.confirm_by),
            "holds_seat": registration.holds_seat,
        }
        _mail_guest(event, registration, "guest_confirm", context)
    else:
        _mail_guest(event, registration, "guest_already_registered", _guest_links(registration))


@transaction.atomic
def confirm_guest(registration: Registration, *, now: datetime | None = None) -> Registration:
    """A guest confirmed their address: under the event lock their seat decision becomes final, as a member's is
    (the seat they held, else a free one, else the waiting list). Confirming twice changes nothing."""
    current = Registration.objects.select_related("event").get(pk=registration.pk)
    mail = None
    if current.is_pending:
        seen = {"taken": 0} if current.holds_seat else _seat_tally(current.event, now=timezone.now())
        mail = _registration_mail(current.event, (current.email, current.name), seen)
    event = _lock(current.event)
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    registration.event = event
    now = now or timezone.now()
    if registration.is_cancelled:
        raise EventError(_("This registration was cancelled or has expired. You can register again."))
    if not registration.is_pending:
        return registration
    if now >= registration.confirm_by:
        raise EventError(
            _("This link has expired: the address was not confirmed within 48 hours. You can register again.")
        )
    if event.is_cancelled:
        raise EventError(_("This event has been cancelled."))
    if event.starts_at <= now:
        raise EventError(_("This event has already started."))
    tally = _seat_tally(event, now=now)
    registration.address_confirmed_at = now
    has_seat = registration.holds_seat or _has_free_seat(event, tally)
    if has_seat and registration.session_id and not _session_has_room(registration.session):
        registration.session = None  # their breakout filled meanwhile: the coordinator assigns them (sessions page)
    _settle_seat(registration, has_seat=has_seat, tally=tally, now=now, mail=mail)
    return registration


def expire_unconfirmed_guests(*, now: datetime | None = None) -> int:
    """Cancel the registrations of guests who did not confirm their address within GUEST_CONFIRMATION_HOURS; the
    seats they held go to the waiting list. Returns how many expired. Safe to run twice (the second finds none)."""
    now = now or timezone.now()
    before = now - timedelta(hours=GUEST_CONFIRMATION_HOURS)
    event_ids = set(Registration.objects.unconfirmed_guests(before=before).values_list("event_id", flat=True))
    return sum(_expire_unconfirmed_guests(event_id, before=before, now=now) for event_id in sorted(event_ids))


@transaction.atomic
def _expire_unconfirmed_guests(event_id, *, before, now):
    event = _lock(Event(pk=event_id))
    stale = Registration.objects.unconfirmed_guests(before=before).filter(event=event)
    freed = stale.filter(holds_seat=True).count()
    expired = stale.update(
        state=Registration.State.CANCELLED,
        cancelled_at=now,
        holds_seat=False,
        cancel_reason=Registration.CancelReason.UNCONFIRMED,
    )
    if freed and not event.is_cancelled and event.starts_at > now:
        _promote_waiting(event, now=now)
    return expired


def _promote_waiting(event, *, now, mails=None):
    """Fill free seats from the waiting list, first come first served; the caller holds the event lock.

    `mails` are those `_prepare_promotions` built before the lock, by registration id; anyone else's is built here.
    """
    mails = mails or {}
    promoted = []
    confirmed = Registration.objects.taking_seats().filter(event=event).count()
    while event.capacity is None or confirmed < event.capacity:
        first = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("profile__user")
            .filter(event=event)
            .waiting()
            .first()
        )
        if first is None:
            break
        first.state = Registration.State.CONFIRMED
        first.confirmed_at = now
        if first.session_id and not _session_has_room(first.session):
            first.session = None  # their wish is full: the coordinator assigns them (the sessions page)
        first.save(update_fields=["state", "confirmed_at", "session"])
        first.event = event
        mail = mails.get(first.pk)
        if mail is None:
            who = _participant(first)
            mail = _ParticipantMail(event, who, calendar_method=calendar.REQUEST) if who else None
        if mail is not None:
            mail.queue(first, "promoted", EventMailing.Purpose.PROMOTED, calendar_method=calendar.REQUEST)
        promoted.append(first)
        confirmed += 1
    return promoted


@transaction.atomic
def cancel(registration: Registration, *, by: User, now: datetime | None = None) -> Registration:
    """Cancel a registration: the member until the deadline, whoever manages the event any time. Frees the seat.

    The mails (to this member, and to whoever will most likely move up) are built before the event lock.
    """

    def permit(registration, event, now):
        ensure_permitted(by, "events.cancel_registration", registration)
        if now >= event.cancellation_closes_at and not by.has_perm("events.manage_event", event):
            raise _cancellation_closed(event)

    return _cancel(registration, now=now or timezone.now(), permit=permit)


@transaction.atomic
def cancel_guest(registration: Registration, *, now: datetime | None = None) -> Registration:
    """A guest cancels from the signed link in their mails (the link is the permission), until the deadline that
    holds for members. Frees the seat as `cancel` does."""

    def permit(registration, event, now):
        if not registration.is_guest:
            raise EventError(_("This registration no longer exists."))
        if now >= event.cancellation_closes_at:
            raise _cancellation_closed(event)

    return _cancel(registration, now=now or timezone.now(), permit=permit)


def _cancellation_closed(event):
    return EventError(
        _("Cancelling was possible until %(date)s. Please contact the coordinator.")
        % {"date": _format(event.cancellation_closes_at)}
    )


def _cancel(registration, *, now, permit):
    """Cancel under the event lock once `permit(registration, event, now)` did not refuse; the seat it took (a
    confirmed one, or one a guest held until confirming) goes to the first on the waiting list."""
    current = Registration.objects.select_related("event", "profile__user").get(pk=registration.pk)
    who = _participant(current)
    was_confirmed = current.is_confirmed
    mail = (
        _ParticipantMail(current.event, who, calendar_method=calendar.CANCEL if was_confirmed else None)
        if who
        else None
    )
    promotions = _prepare_promotions(current.event, seats=1) if was_confirmed or current.holds_seat else {}

    event = _lock(current.event)
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("profile__user").get(pk=registration.pk)
    )
    registration.event = event
    permit(registration, event, now)
    if registration.is_cancelled:
        raise EventError(_("This registration was already cancelled."))
    was_confirmed = registration.is_confirmed
    took_seat = was_confirmed or (registration.is_pending and registration.holds_seat)
    registration.state = Registration.State.CANCELLED
    registration.cancelled_at = now
    registration.holds_seat = False
    registration.cancel_reason = Registration.CancelReason.NONE
    registration.save(update_fields=["state", "cancelled_at", "holds_seat", "cancel_reason"])
    # A guest who never confirmed their address gets no mail but the confirm-address one.
    if not current.is_pending and (who := _participant(registration)):
        mail = mail or _ParticipantMail(event, who)
        mail.queue(
            registration,
            "registration_cancelled",
            EventMailing.Purpose.CANCELLED_REGISTRATION,
            calendar_method=calendar.CANCEL if was_confirmed else None,
        )
    if took_seat and not event.is_cancelled and event.starts_at > now:
        _promote_waiting(event, now=now, mails=promotions)
    return registration


@transaction.atomic
def change_capacity(
    event: Event, *, capacity: int | None, now: datetime | None = None
) -> tuple[Event, list[Registration]]:
    """Set the number of seats; raising it moves people up from the waiting list at once.

    It acts for no one: `update_event` checks who changes the event before it calls this.
    """
    now = now or timezone.now()
    if capacity is None:
        free = Registration.objects.filter(event=event).waiting().count()
    else:
        free = capacity - Registration.objects.taking_seats().filter(event=event).count()
    promotions = _prepare_promotions(event, seats=free)
    event = _lock(event)
    event.capacity = capacity
    event.save(update_fields=["capacity", "updated_at"])
    promoted = []
    if not event.is_cancelled and event.starts_at > now:
        promoted = _promote_waiting(event, now=now, mails=promotions)
    return event, promoted


SCHEDULE_FIELDS = ("starts_at", "ends_at", "venue", "address", "meeting_url")


def normalise_schedule(values: dict[str, Any]) -> dict[str, Any]:
    """The schedule fields of `values` in their canonical form, every other key as it is.

    Browsers post a textarea's line breaks as CRLF and keep stray spaces; the time widgets drop the
    microseconds. Stored and compared in this form, saving an event unchanged is no change.
    """
    canonical = dict(values)
    for field in SCHEDULE_FIELDS:
        value = canonical.get(field)
        if isinstance(value, str):
            lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            canonical[field] = "\n".join(line.rstrip() for line in lines).strip()
        elif isinstance(value, datetime):
            canonical[field] = value.replace(microsecond=0)
    return canonical


@dataclass(frozen=True)
class EventUpdate:
    """What `update_event` did: the event as saved, who was mailed, and why nobody was when nobody was."""

    event: Event
    schedule_changed: bool
    mailed: int
    promoted: list[Registration]
    # A translated sentence; empty when the change of time or place was mailed.
    no_mail_reason: str = ""


def _schedule(event):
    return normalise_schedule({field: getattr(event, field) for field in SCHEDULE_FIELDS})


@transaction.atomic
def create_event(event: Event, *, by: User) -> Event:
    """Save a new event with its time and place in canonical form; nobody is registered yet, so nobody is mailed."""
    ensure_permitted(by, "events.add_event")
    return _save_new_event(event)


def _save_new_event(event):
    """What every new event goes through, whoever may make it (create_event, plan_group_meeting)."""
    for field, value in _schedule(event).items():
        setattr(event, field, value)
    event.save()
    return event


@transaction.atomic
def update_event(event: Event, *, by: User, now: datetime | None = None, **changes: Any) -> EventUpdate:
    """Save changed fields; a real change of time or place mails confirmed participants an updated .ics.

    Values are compared in canonical form (`normalise_schedule`), so a form posted back unchanged
    mails nobody. An event that is over never mails a change: its participants have nothing to update.
    """
    now = now or timezone.now()
    changes = normalise_schedule(changes)
    files = _prepare_schedule_change(event, by=by, changes=changes, now=now)
    locked = _lock(event)
    ensure_permitted(by, "events.change_event", locked)
    was_over = locked.ends_at < now
    before = _schedule(locked)
    capacity_changed = "capacity" in changes and changes["capacity"] != locked.capacity
    new_capacity = changes.pop("capacity", locked.capacity)
    for field, value in changes.items():
        setattr(locked, field, value)
    schedule_changed = _schedule(locked) != before
    if schedule_changed:
        locked.sequence += 1
    locked.save()
    mailed, reason = 0, ""
    if not schedule_changed:
        reason = _("Nobody was mailed: the time and place did not change.")
    elif was_over:
        reason = _("Nobody was mailed: the event is over.")
    elif not locked.is_published:
        reason = _("Nobody was mailed: the event is not published.")
    else:
        mailed = _mail_schedule_change(locked, by=by, files=files)
        if not mailed:
            reason = _("Nobody was mailed: the event has no confirmed participants.")
    promoted = []
    if capacity_changed:
        locked, promoted = change_capacity(locked, capacity=new_capacity, now=now)
    return EventUpdate(
        event=locked, schedule_changed=schedule_changed, mailed=mailed, promoted=promoted, no_mail_reason=reason
    )


def _prepare_schedule_change(event, *, by, changes, now):
    """Before the lock: the updated .ics of each confirmed participant, when the changes will be mailed."""
    preview = Event.objects.get(pk=event.pk)
    ensure_permitted(by, "events.change_event", preview)
    was_over = preview.ends_at < now
    before = _schedule(preview)
    for field, value in changes.items():
        if field != "capacity":
            setattr(preview, field, value)
    if _schedule(preview) == before or was_over or not preview.is_published:
        return None
    preview.sequence += 1
    return _CalendarFiles(preview, calendar.REQUEST, _confirmed_people(preview, good_standing_only=True))


def _mail_schedule_change(event, *, by, files=None):
    """Mail every confirmed participant the new time or place with an updated .ics; returns how many.

    `files` are the calendar files `_prepare_schedule_change` built before the lock.
    """
    files = files or _CalendarFiles(event, calendar.REQUEST, [])
    guest_links = _guest_links_of(event)
    recipients = []
    for who in _confirmed_people(event, good_standing_only=True):
        context = guest_links.get(who[0].lower(), {})
        recipients.append(Recipient(email=who[0], name=who[1], context=context, attachments=[files.get(event, who)]))
    if recipients:
        mailing = queue_mailing(
            template="events/updated",
            recipients=recipients,
            context=event_context(event, private=True),
            description=f"{event.title}: {_('changed time or place')}",
            created_by=by,
        )
        _link(event, mailing, EventMailing.Purpose.UPDATE)
    return len(recipients)


def people_to_tell_of_cancellation(event: Event, *, now: datetime | None = None) -> list[Recipient]:
    """Everyone registered (confirmed or waiting) whose account still exists, as the cancellation reaches them:
    confirmed participants with the calendar cancellation (METHOD:CANCEL) that takes the event out of their
    agenda, built from the event as it will be once cancelled (`event`, as read, is what they were built from:
    `cancel_event` uses them while the locked row still matches it)."""
    preview = Event.objects.get(pk=event.pk)
    preview.state, preview.cancelled_at, preview.sequence = (
        Event.State.CANCELLED,
        now or timezone.now(),
        preview.sequence + 1,
    )
    recipients = []
    registrations = Registration.objects.active().filter(event=event).select_related("profile__user")
    for registration in registrations.order_by("registered_at", "pk"):
        recipient = _recipient(registration)
        if recipient is None:
            continue
        if registration.is_confirmed:
            attendee = (recipient.email, recipient.name)
            recipient.attachments.append(calendar.attachment(preview, method=calendar.CANCEL, attendee=attendee))
        recipients.append(recipient)
    return recipients


def cancellation_context(event: Event, *, reason: str = "") -> dict[str, str]:
    return {**event_context(event), "reason": reason}


@transaction.atomic
def mailable_of_cancellation(event: Event) -> int:
    """How many of those registered the cancellation could reach: their addresses, less those that bounced
    (coalition.models.Suppression). Registrations but none mailable: the event is cancelled without mail."""
    addresses = {
        who[0].strip().lower()
        for who in map(_participant, Registration.objects.active().filter(event=event).select_related("profile__user"))
        if who is not None
    }
    bounced = set(Suppression.objects.active().filter(address__in=addresses).values_list("address", flat=True))
    return len(addresses - bounced)


def cancel_event(
    event: Event,
    *,
    by: User,
    reason: str = "",
    now: datetime | None = None,
    audience: "checkstep.Audience | None" = None,
    check: MailCheck | None = None,
    built_from: Event | None = None,
) -> Event:
    """Cancel the whole event. Everyone registered hears it, confirmed participants get METHOD:CANCEL: that mail
    is an event message and passes the check step, so `audience` and `check` come from the kind
    "events.cancellation" (events/mailings.py). Without them the event is cancelled only while nobody would be
    told (nobody registered, or every address of those registered bounced); otherwise EventError says to cancel
    it on its page."""
    now = now or timezone.now()
    event = _lock(event)
    ensure_permitted(by, "events.manage_event", event)
    if event.is_cancelled:
        raise EventError(_("This event was already cancelled."))
    # The calendar files of the audience were built before the lock from `built_from`: still right while the row
    # is unchanged (they cost milliseconds each, and registrations wait for the lock).
    files_still_right = built_from is not None and _event_state(built_from) == _event_state(event)
    registered = {
        who[0].strip().lower()
        for who in map(_participant, Registration.objects.active().filter(event=event).select_related("profile__user"))
        if who is not None
    }
    bounced = set(Suppression.objects.active().filter(address__in=registered).values_list("address", flat=True))
    if check is None and registered - bounced:
        raise EventError(
            _(
                "People are registered for this event and must be told: cancel it with “Cancel this event”, "
                "which shows the mail before it goes out."
            )
        )
    event.state = Event.State.CANCELLED
    event.cancelled_at = now
    event.sequence += 1
    event.save(update_fields=["state", "cancelled_at", "sequence", "updated_at"])
    if check is None:
        return event
    told = [*audience.recipients, *audience.suppressed]
    if {recipient.email.strip().lower() for recipient in told} != registered:
        # Someone registered or cancelled between the recount and this lock: the mail would miss or add a person.
        raise checkstep.CheckError(
            _("Someone registered or cancelled just now. Nothing was sent and the event is not cancelled: look again.")
        )
    recipients = told
    if not files_still_right:
        recipients = [
            replace(
                recipient,
                # Rebuilt from the event as it is now cancelled (the same sequence the check page's files had).
                attachments=[
                    calendar.attachment(event, method=calendar.CANCEL, attendee=(recipient.email, recipient.name))
                ]
                if recipient.attachments
                else [],
            )
            for recipient in told
        ]
    mailing = queue_mailing(
        template="events/event_cancelled",
        recipients=recipients,
        context=cancellation_context(event, reason=reason),
        kind=Mailing.Kind.EVENT_MESSAGE,
        description=f"{event.title}: {_('event cancelled')}",
        created_by=by,
        check=check,
    )
    _link(event, mailing, EventMailing.Purpose.EVENT_CANCELLED)
    return event


@transaction.atomic
def check_in(
    registration: Registration, *, by: User, checked_in: bool = True, now: datetime | None = None
) -> Registration:
    """Tick a confirmed participant off on the check-in list (or untick them)."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related("event").get(pk=registration.pk)
    ensure_permitted(by, "events.manage_event", registration.event)
    if not registration.is_confirmed:
        raise EventError(_("Only confirmed participants can be checked in."))
    registration.checked_in = checked_in
    registration.checked_in_at = (now or timezone.now()) if checked_in else None
    registration.save(update_fields=["checked_in", "checked_in_at"])
    return registration


@transaction.atomic
def walk_in(event: Event, profile: Profile, *, by: User, now: datetime | None = None) -> Registration:
    """Check in an approved member who comes to the event without a confirmed registration ("walk-in").

    Under the event lock: a member with a registration (confirmed, waiting or cancelled) has it confirmed and
    checked in; anyone else gets a new confirmed, checked-in registration. Capacity is deliberately not a reason
    to refuse: the person is standing at the door and the coordinator lets them in, so the event may end up
    over its seat limit. No mail is sent. A member already checked in is refused with a message.
    """
    ensure_permitted(by, "events.manage_event", event)
    if not profile.is_approved or not profile.user.is_active:
        raise EventError(_("Only approved members of the network can be checked in as a walk-in."))
    event = _lock(event)
    now = now or timezone.now()
    if event.is_cancelled:
        raise EventError(_("This event has been cancelled."))
    registration = Registration.objects.select_for_update().filter(event=event, profile=profile).first()
    if registration is not None and registration.is_confirmed and registration.checked_in:
        raise EventError(
            _("%(name)s is already checked in.")
            % {"name": registration.name or profile.full_name or profile.user.email}
        )
    if registration is None or not registration.is_confirmed:
        registration = registration or Registration(event=event, profile=profile, registered_at=now)
        organisation = profile.organisation
        registration.name = profile.full_name or profile.user.email
        registration.organisation = organisation
        registration.organisation_name = organisation.name if organisation else ""
        registration.discipline = profile.discipline
        coalition = coalition_of(profile, prefer=event.coalition_id)
        registration.coalition = coalition
        registration.coalition_phase = coalition.phase if coalition else ""
        registration.state = Registration.State.CONFIRMED
        registration.confirmed_at = now
        registration.waiting_since = None
        registration.cancelled_at = None
    registration.checked_in = True
    registration.checked_in_at = now
    registration.save()
    return registration


@transaction.atomic
def walk_in_guest(event: Event, guest: Guest, *, by: User, now: datetime | None = None) -> Registration:
    """Check in a guest (no member account) who comes without a confirmed registration, as `walk_in` does a member:
    their registration by this address (pending, waiting or none) becomes confirmed and checked in, over the seat
    limit if need be. No mail is sent. An address of a member account is refused: find the member by name."""
    ensure_permitted(by, "events.manage_event", event)
    guest = guest.resolved()
    if _is_member_address(guest.email):
        raise EventError(_("This address belongs to a member account: find the member by name to check them in."))
    event = _lock(event)
    now = now or timezone.now()
    if event.is_cancelled:
        raise EventError(_("This event has been cancelled."))
    registration = (
        Registration.objects.select_for_update()
        .active()
        .filter(event=event, profile__isnull=True, email__iexact=guest.email)
        .first()
    )
    if registration is not None and registration.is_confirmed and registration.checked_in:
        raise EventError(_("%(name)s is already checked in.") % {"name": registration.name})
    if registration is None:
        registration = Registration(event=event, registered_at=now, token=new_token())
        registration.email = guest.email
    if not registration.is_confirmed or registration.pk is None:
        registration.name = guest.name
        registration.function = guest.function
        registration.organisation = guest.organisation
        registration.organisation_name = guest.organisation_name
        coalition = coalition_of(None, organisation=guest.organisation, prefer=event.coalition_id)
        registration.coalition = coalition
        registration.coalition_phase = coalition.phase if coalition else ""
        registration.state = Registration.State.CONFIRMED
        registration.holds_seat = False
        registration.confirmed_at = now
        registration.waiting_since = None
        registration.cancelled_at = None
    registration.checked_in = True
    registration.checked_in_at = now
    registration.save()
    return registration


# --- The personal calendar feed -------------------------------------------------------------------


@transaction.atomic
def renew_calendar_feed(profile: Profile) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(profile=profile)
    if not _created:
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


# --- Invitations ----------------------------------------------------------------------------------


def invitation_subscribers() -> list[Person]:
    """The journal's subscribers who asked for event invitations, each with the journal's own unsubscribe link
    (their "no more invitations" ends that subscription): a group for segments (events/apps.py)."""
    return [
        Person(email=s.email.lower(), name=s.name, unsubscribe_url=s.unsubscribe_url(INVITATIONS))
        for s in Subscriber.objects.receiving(INVITATIONS)
    ]


def answer_url(invitation: Invitation, answer: Invitation.Answer | str) -> str:
    token = signing.dumps([invitation.token, answer], salt=INVITATION_SALT)
    return absolute_url(reverse("events:invitation_answer", kwargs={"token": token}))


def invitation_unsubscribe_url(email: str, subscriber_links: dict[str, str] | None = None) -> str:
    """A subscriber who asked the journal for invitations stops them there; anyone else through the topic."""
    return (subscriber_links or {}).get(email.lower()) or checkstep.unsubscribe_url(email, TOPIC_INVITATIONS)


def subscriber_invitation_links() -> dict[str, str]:
    return {person.email: person.unsubscribe_url for person in invitation_subscribers()}


def _invitation_recipient(invitation, unsubscribe_url):
    return Recipient(
        email=invitation.email,
        name=invitation.name,
        context={
            "coming_url": answer_url(invitation, Invitation.Answer.COMING),
            "not_coming_url": answer_url(invitation, Invitation.Answer.NOT_COMING),
            "unsubscribe_url": unsubscribe_url,
        },
    )


def ensure_open_for_invitations(event: Event, *, now: datetime | None = None) -> None:
    if not event.is_published:
        raise EventError(_("Publish the event before inviting people."))
    if event.starts_at <= (now or timezone.now()):
        raise EventError(_("This event has already started."))


def invitation_context(event: Event, *, message: str = "") -> dict[str, str]:
    return {**event_context(event), "message": message}


@transaction.atomic
def send_invitations(
    event: Event,
    *,
    invitees: Iterable[Person],
    by: User,
    check: MailCheck,
    message: str = "",
    skipped: Iterable[Recipient] = (),
    now: datetime | None = None,
) -> Mailing:
    """Invite each of `invitees` not invited yet: an Invitation row each and the mail with its answer links,
    through the outbox. The kind "events.invitation" calls this at confirm, with the people its check counted;
    `skipped` are those whose address bounced (a skipped delivery each, no invitation)."""
    now = now or timezone.now()
    event = _lock(event)
    ensure_permitted(by, "events.send_invitations", event)
    ensure_open_for_invitations(event, now=now)
    already = set(Invitation.objects.filter(event=event).addresses())
    invitations, unsubscribe_urls = [], []
    for invitee in invitees:
        email = invitee.email.strip().lower()
        if email in already:
            continue
        already.add(email)
        invitations.append(
            Invitation(
                event=event,
                profile_id=invitee.profile_id,
                email=email,
                name=invitee.name,
                invited_by=by,
                invited_at=now,
            )
        )
        unsubscribe_urls.append(invitee.unsubscribe_url or checkstep.unsubscribe_url(email, TOPIC_INVITATIONS))
    if not invitations:
        raise EventError(_("Everyone in this audience has already been invited."))
    # One INSERT per batch, not per person: an audience can be the whole network.
    Invitation.objects.bulk_create(invitations, batch_size=500)
    recipients = [
        _invitation_recipient(invitation, url) for invitation, url in zip(invitations, unsubscribe_urls, strict=True)
    ]
    mailing = queue_mailing(
        template="events/invitation",
        recipients=[*recipients, *skipped],
        context=invitation_context(event, message=message),
        kind=Mailing.Kind.INVITATION,
        description=f"{event.title}: {_('invitation')}",
        created_by=by,
        check=check,
    )
    _link(event, mailing, EventMailing.Purpose.INVITATION)
    return mailing


def invitations_to_remind(event: Event) -> list[Recipient]:
    """Those invited who did not answer and were never reminded, with their own answer links."""
    subscriber_links = subscriber_invitation_links()
    return [
        _invitation_recipient(invitation, invitation_unsubscribe_url(invitation.email, subscriber_links))
        for invitation in Invitation.objects.filter(event=event).remindable().order_by("name", "email", "pk")
    ]


@transaction.atomic
def remind_invitations(
    event: Event, *, recipients: Iterable[Recipient], by: User, check: MailCheck, now: datetime | None = None
) -> Mailing:
    """Remind those of `recipients` (the check's count of `invitations_to_remind`, bounced ones included as
    skipped) who still did not answer, once each: under the event lock, the UPDATE claims only rows never
    reminded, so a second confirm (or a second check) reminds nobody twice."""
    now = now or timezone.now()
    event = _lock(event)
    ensure_permitted(by, "events.send_invitations", event)
    if not event.is_published or event.starts_at <= now:
        raise EventError(_("This event is no longer open."))
    recipients = list(recipients)
    addresses = {recipient.email.lower() for recipient in recipients}
    claimable = Invitation.objects.filter(event=event, email__in=addresses).remindable()
    claimed = set(claimable.values_list("email", flat=True))
    Invitation.objects.filter(event=event, email__in=claimed).update(reminded_at=now)
    recipients = [recipient for recipient in recipients if recipient.email.lower() in claimed]
    if not recipients:
        raise EventError(_("There is nobody left to remind."))
    mailing = queue_mailing(
        template="events/invitation_reminder",
        recipients=recipients,
        context=event_context(event),
        kind=Mailing.Kind.INVITATION,
        description=f"{event.title}: {_('invitation reminder')}",
        created_by=by,
        check=check,
    )
    _link(event, mailing, EventMailing.Purpose.INVITATION_REMINDER)
    return mailing


def read_answer_token(token: str) -> tuple[Invitation, str]:
    """(invitation, answer) from a signed one-click link; raises EventError when it is not genuine."""
    try:
        invitation_token, answer = signing.loads(token, salt=INVITATION_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise EventError(_("This link is not valid. Please use the link from the invitation mail.")) from None
    if answer not in (Invitation.Answer.COMING, Invitation.Answer.NOT_COMING):
        raise EventError(_("This link is not valid. Please use the link from the invitation mail."))
    invitation = Invitation.objects.select_related("event", "profile__user").filter(token=invitation_token).first()
    if invitation is None:
        raise EventError(_("This invitation no longer exists."))
    return invitation, answer


@transaction.atomic
def answer_invitation(
    invitation: Invitation,
    *,
    answer: Invitation.Answer | str,
    now: datetime | None = None,
    guest: Guest | None = None,
    answers: dict[str, Any] | None = None,
    consent_to_list: bool = False,
    session: Session | None = None,
) -> Registration | None:
    """Record the answer from a one-click link; "not coming" frees the person's seat.

    "Coming" registers with what the registration form gave (the intake answers and the consent): a member of the
    network as a member, a visitor as a guest (`guest`: their name, organisation and function) whose address the
    link proves, so no confirm-address step follows, whether or not the event is open to guests. Returns the
    registration when there is one. Using a link twice changes nothing.
    """
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("event", "profile__user")
        .get(pk=invitation.pk)
    )
    event = invitation.event
    if event.is_cancelled:
        raise EventError(_("This event has been cancelled."))
    profile = invitation.profile
    registration = invitation_registration(invitation)
    details = {"answers": answers, "consent_to_list": consent_to_list, "session": session}
    if answer == Invitation.Answer.COMING:
        if registration is not None:
            pass  # registered already (this link, the event page or the guest form): nothing changes
        elif profile is not None and is_approved_member(profile.user):
            registration = register(event, profile.user, now=now, **details)
        elif profile is None and guest is not None:
            guest = replace(guest, email=invitation.email)
            registration = register_guest(event, guest, invitation=invitation, now=now, **details)
        elif event.starts_at <= now:
            raise EventError(_("This event has already started."))
    elif registration is not None:
        if registration.is_guest:
            registration = cancel_guest(registration, now=now)
        else:
            registration = cancel(registration, by=profile.user, now=now)
    if invitation.answer != answer:
        invitation.answer = answer
        invitation.answered_at = now
        invitation.save(update_fields=["answer", "answered_at"])
    return registration


def invitation_registration(invitation: Invitation) -> Registration | None:
    """The active registration of the person invited: the member's, or a visitor's guest registration by the
    invited address."""
    registrations = Registration.objects.active().filter(event_id=invitation.event_id)
    if invitation.profile_id is not None:
        return registrations.filter(profile_id=invitation.profile_id).first()
    return registrations.filter(profile__isnull=True, email__iexact=invitation.email).first()


class InvitationStanding:
    """Where an invited person stands: their answer, and for "coming" the registration it led to ("coming" is a
    confirmed seat; waiting and a guest's unconfirmed address are shown as such)."""

    STANDINGS = ("coming", "waiting", "pending", "coming_unregistered", "not_coming", "no_answer")
    LABELS = {
        "coming": gettext_lazy("Coming (confirmed)"),
        "waiting": gettext_lazy("On the waiting list"),
        "pending": gettext_lazy("Address not confirmed yet"),
        "coming_unregistered": gettext_lazy("Said coming, not registered"),
        "not_coming": gettext_lazy("Not coming"),
        "no_answer": gettext_lazy("No answer"),
    }

    @staticmethod
    def of(invitation, registration):
        if registration is not None:
            if registration.is_confirmed:
                return "coming"
            return "waiting" if registration.is_waiting else "pending"
        if invitation.answer == Invitation.Answer.COMING:
            return "coming_unregistered"
        return "not_coming" if invitation.answer == Invitation.Answer.NOT_COMING else "no_answer"


def invitations_with_standing(event: Event) -> tuple[list[Invitation], list[tuple[str, int]]]:
    """The event's invitations, each with its `standing` and `standing_label` (the registration it led to, read
    for all in one query), and the (label, count) of every standing, so the totals agree with the rows."""
    rows = list(Invitation.objects.filter(event=event).order_by("answer", "name", "email"))
    registrations = Registration.objects.active().filter(event=event).only("state", "profile_id", "email")
    by_profile = {r.profile_id: r for r in registrations if r.profile_id}
    by_address = {r.email.lower(): r for r in registrations if r.profile_id is None and r.email}
    totals = dict.fromkeys(InvitationStanding.STANDINGS, 0)
    for invitation in rows:
        registration = by_profile.get(invitation.profile_id) or by_address.get(invitation.email.lower())
        invitation.standing = InvitationStanding.of(invitation, registration)
        invitation.standing_label = InvitationStanding.LABELS[invitation.standing]
        totals[invitation.standing] += 1
    return rows, [(InvitationStanding.LABELS[key], totals[key]) for key in InvitationStanding.STANDINGS]


@transaction.atomic
def opt_out(token: str) -> str:
    """The unsubscribe link of event mails sent before the per-topic opt-outs (`opt_out_url`): the address gets
    no more invitations nor event reminders and materials, as that link promised. Returns the address."""
    try:
        email = signing.loads(token, salt=OPT_OUT_SALT)
    except (signing.BadSignature, TypeError):
        raise EventError(_("This link is not valid.")) from None
    for topic in (TOPIC_INVITATIONS, TOPIC_EVENTS):
        checkstep.unsubscribe(email, topic)
    return email


# --- Breakout sessions ----------------------------------------------------------------------------


def _session_has_room(session, *, besides=None):
    """Whether `session` has a seat for one more confirmed participant (not counting `besides`, who moves).

    Read under the event lock, which every change of a session's participants takes: its capacity as it is now,
    and who holds its seats, in one query.
    """
    confirmed = Q(registrations__state=Registration.State.CONFIRMED)
    if besides is not None:
        confirmed &= ~Q(registrations__pk=besides.pk)
    row = (
        Session.objects.filter(pk=session.pk)
        .annotate(taken=Count("registrations", filter=confirmed))
        .values_list("capacity", "taken")
        .first()
    )
    if row is None:
        raise EventError(_("This breakout session no longer exists."))
    capacity, taken = row
    return capacity is None or taken < capacity


@transaction.atomic
def choose_session(
    registration: Registration, session: Session | None, *, by: User, now: datetime | None = None
) -> Registration:
    """Move a registration to breakout `session` (None: no session, the coordinator assigns one).

    The member until the event starts, whoever manages the event any time. A confirmed participant needs a seat
    in the session (`SessionFull`); someone on the waiting list only states a wish.
    """
    now = now or timezone.now()
    current = Registration.objects.select_related("event", "profile").get(pk=registration.pk)
    ensure_permitted(by, "events.choose_session", current)
    event = _lock(current.event)
    current = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    current.event = event
    if current.is_cancelled:
        raise EventError(_("This registration is cancelled."))
    if session is not None and session.event_id != event.pk:
        raise EventError(_("Choose a breakout session of this event."))
    if event.starts_at <= now and not by.has_perm("events.manage_event", event):
        raise EventError(_("The event has started: ask the coordinator to change your breakout session."))
    if current.session_id == (session.pk if session else None):
        return current
    if session is not None and current.is_confirmed and not _session_has_room(session, besides=current):
        raise SessionFull
    current.session = session
    current.save(update_fields=["session"])
    return current


@dataclass(frozen=True)
class Assignment:
    """What `assign_sessions` did: how many got a session, and how many found every session full."""

    assigned: int
    left: int


class Placing:
    """How `assign_sessions` places people: colleagues spread over the sessions (the default), people of the same
    coalition phase together, or by their answer to one of the event's one-choice intake questions."""

    MIX = "mix"
    PHASE = "phase"
    ANSWER = "answer"


@transaction.atomic
def assign_sessions(
    event: Event, *, by: User, placing: str = Placing.MIX, question: IntakeQuestion | None = None
) -> Assignment:
    """Give every confirmed participant without a breakout session one, within the sessions' seats.

    `Placing.MIX` spreads colleagues: each goes to the session with the fewest people of their organisation so
    far, then to the emptiest (by share of its seats), so every group mixes organisations. `Placing.PHASE` puts
    people whose coalition is in the same phase together (the session with the most of their phase, then the
    emptiest). `Placing.ANSWER` follows `question`, a one-choice intake question: the n-th choice goes to the n-th
    session, as the field report's subgroups by topic did; a full session or no answer falls back to the same
    phase. Someone on the waiting list keeps their wish and is placed on promotion.
    """
    ensure_permitted(by, "events.manage_event", event)
    if placing == Placing.ANSWER and (
        question is None or question.event_id != event.pk or question.kind != IntakeQuestion.Kind.ONE_CHOICE
    ):
        raise EventError(_("Choose one of this event's one-choice questions to place people by."))
    event = _lock(event)
    sessions = list(Session.objects.filter(event=event).with_taken())
    if not sessions:
        raise EventError(_("This event has no breakout sessions."))
    confirmed = Registration.objects.confirmed().filter(event=event)
    taken = {session.pk: session.taken for session in sessions}
    total = confirmed.count() or 1

    def colleague(registration):
        return registration.organisation_id or registration.organisation_name.lower() or f"#{registration.pk}"

    def phase(registration):
        return registration.coalition_phase or "-"

    key = colleague if placing == Placing.MIX else phase
    together = placing != Placing.MIX
    # Who is in each session by the key, counted from those placed already.
    placed = Counter()
    for registration in confirmed.filter(session__isnull=False).only(
        "session_id", "organisation_id", "organisation_name", "coalition_phase", "pk"
    ):
        placed[(registration.session_id, key(registration))] += 1
    unassigned = list(
        confirmed.filter(session__isnull=True)
        .select_for_update(of=("self",))
        .order_by("organisation_name", "name", "pk")
    )
    # The largest groups first: they have the most people to spread (or to keep together).
    sizes = Counter(key(registration) for registration in unassigned)
    unassigned.sort(key=lambda registration: (-sizes[key(registration)], str(key(registration))))
    wanted = {}
    if placing == Placing.ANSWER:
        by_choice = {choice: sessions[index] for index, choice in enumerate(question.choices[: len(sessions)])}
        wanted = {
            registration.pk: by_choice.get((registration.answers or {}).get(str(question.pk)))
            for registration in unassigned
        }
    chosen = defaultdict(list)
    left = 0
    for registration in unassigned:
        open_sessions = [s for s in sessions if s.capacity is None or taken[s.pk] < s.capacity]
        if not open_sessions:
            left += 1
            continue
        group = key(registration)
        best = wanted.get(registration.pk)
        if best is None or best not in open_sessions:
            sign = -1 if together else 1
            best = min(
                open_sessions,
                key=lambda s: (sign * placed[(s.pk, group)], taken[s.pk] / (s.capacity or total), s.position, s.pk),
            )
        chosen[best.pk].append(registration.pk)
        taken[best.pk] += 1
        placed[(best.pk, group)] += 1
    for session_id, registration_ids in chosen.items():
        Registration.objects.filter(pk__in=registration_ids).update(session_id=session_id)
    return Assignment(assigned=sum(len(ids) for ids in chosen.values()), left=left)


def _session_context(registration):
    """A participant's own breakout session for their mails: its link goes to its participants only."""
    session = registration.session if registration.is_confirmed else None
    if session is None:
        return {}
    return {"session_title": session.title, "session_room": session.room, "session_url": session.meeting_url}


def programme_lines(event: Event) -> list[dict[str, str]]:
    """The event's programme for a mail (JSON-serialisable): times, title, speakers, where."""
    items = event.programme.select_related("session").prefetch_related("speakers__organisation")
    lines = []
    for item in items:
        speakers = [
            f"{profile.full_name} ({profile.organisation.name})" if profile.organisation else profile.full_name
            for profile in item.speakers.all()
        ]
        speakers += item.guest_speaker_lines()
        lines.append(
            {
                "when": "{}–{}".format(
                    formats.time_format(timezone.localtime(item.starts_at), "H:i"),
                    formats.time_format(timezone.localtime(item.ends_at), "H:i"),
                ),
                "title": item.title,
                "description": item.description,
                "speakers": "; ".join(speakers),
                "where": item.session.title if item.session else item.room,
            }
        )
    return lines


def participant_overview(event: Event) -> list[dict[str, str]]:
    """The confirmed participants who agreed to be listed, with organisation, coalition and its phase."""
    registrations = (
        Registration.objects.listed()
        .filter(event=event)
        .select_related("organisation", "session", "coalition")
        .order_by(*name_order("profile__"), "name", "pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        return [
            {
                "name": registration.name,
                "organisation": registration.organisation_name,
                **_coalition_of(registration),
                "session": registration.session.title if registration.session else "",
            }
            for registration in registrations
        ]


def _coalition_of(registration):
    """The coalition and phase recorded with the registration (empty for someone outside every coalition)."""
    coalition = registration.coalition
    if coalition is None:
        return {"coalition": "", "phase": ""}
    return {"coalition": coalition.name, "phase": str(registration.get_coalition_phase_display())}


def overview_context(event: Event) -> dict[str, Any]:
    """What the programme and participant overview shares: the event (with its meeting link: it goes to confirmed
    participants only), the programme and the list; each recipient's own breakout session is added per person."""
    return {
        **event_context(event, private=True),
        "programme": programme_lines(event),
        "participants": participant_overview(event),
    }


def participants_for_overview(event: Event) -> list[Recipient]:
    """The confirmed participants in good standing, each with their own breakout session and its link (and a guest
    with their own links, as in every mail to a guest)."""
    registrations = in_good_standing(Registration.objects.confirmed().filter(event=event))
    recipients = []
    for registration in registrations.select_related("profile__user", "session").order_by("name", "pk"):
        if recipient := _recipient(registration, context=_session_context(registration)):
            recipients.append(recipient)
    return recipients


def send_overview(
    event: Event, *, recipients: Iterable[Recipient], context: dict[str, Any], by: User, check: MailCheck
) -> Mailing:
    """Mail the programme and the participant overview to the confirmed participants, as the check showed it."""
    return _mail_participants(
        event,
        template="events/overview",
        recipients=recipients,
        context=context,
        description=f"{event.title}: {_('programme and participants')}",
        purpose=EventMailing.Purpose.OVERVIEW,
        by=by,
        check=check,
    )


@transaction.atomic
def _mail_participants(event, *, template, recipients, context, description, purpose, by, check):
    """A coordinator's mail to those registered for a coming event (the overview, a message), as the check showed
    it: under the event lock, by someone who manages the event, never for a cancelled one."""
    event = _lock(event)
    ensure_permitted(by, "events.manage_event", event)
    if event.is_cancelled:
        raise EventError(_("This event has been cancelled."))
    mailing = queue_mailing(
        template=template,
        recipients=recipients,
        context=context,
        kind=Mailing.Kind.EVENT_MESSAGE,
        description=description,
        created_by=by,
        check=check,
    )
    _link(event, mailing, purpose)
    return mailing


# --- Reminders, materials, feedback, retention -------------------------------------------------------


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Mail each confirmed participant once, EVENT_REMINDER_DAYS before the event. Safe to run twice."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.EVENT_REMINDER_DAYS)
    events = Event.objects.published().filter(starts_at__gt=now, starts_at__lte=horizon)
    sent = 0
    for event in events:
        sent += _remind_participants(event, now=now)
    return sent


@transaction.atomic
def _remind_participants(event, *, now):
    due = list(
        in_good_standing(Registration.objects.confirmed())
        .filter(event=event, reminded_at__isnull=True)
        .values_list("pk", flat=True)
    )
    # Claim row by row with UPDATE ... WHERE reminded_at IS NULL: a second run (or worker) gets 0 rows.
    claimed = [pk for pk in due if Registration.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now)]
    opted_out = _opted_out(TOPIC_EVENTS)
    recipients = []
    for registration in Registration.objects.filter(pk__in=claimed).select_related("profile__user", "session"):
        who = _participant(registration)
        if who is None or who[0].lower() in opted_out:
            continue
        unsubscribe = checkstep.unsubscribe_url(who[0], TOPIC_EVENTS)
        context = {"unsubscribe_url": unsubscribe, **_guest_links(registration), **_session_context(registration)}
        recipients.append(_with_calendar(event, who, context=context))
    if recipients:
        mailing = queue_mailing(
            template="events/reminder",
            recipients=recipients,
            context=event_context(event, private=True),
            kind=Mailing.Kind.REMINDER,
            description=f"{event.title}: {_('reminder')}",
        )
        _link(event, mailing, EventMailing.Purpose.REMINDER)
    return len(recipients)


def participants_for_materials(event: Event, *, only_checked_in: bool = False) -> list[Recipient]:
    """The confirmed participants in good standing (optionally only those checked in), each with the "events"
    topic's unsubscribe link."""
    registrations = in_good_standing(Registration.objects.confirmed().filter(event=event))
    if only_checked_in:
        registrations = registrations.filter(checked_in=True)
    recipients = []
    materials = list(event.materials.order_by("pk"))
    for registration in registrations.select_related("profile__user").order_by("name", "pk"):
        if recipient := _recipient(registration, context=_guest_materials_context(registration, materials)):
            recipient.context["unsubscribe_url"] = checkstep.unsubscribe_url(recipient.email, TOPIC_EVENTS)
            recipients.append(recipient)
    return recipients


def materials_context(event: Event) -> dict[str, Any]:
    context = event_context(event)
    context["materials"] = [
        {"title": m.title, "url": absolute_url(m.get_absolute_url())} for m in event.materials.order_by("pk")
    ]
    context["feedback_url"] = absolute_url(reverse("events:feedback", kwargs={"slug": event.slug}))
    return context


@transaction.atomic
def send_materials(
    event: Event,
    *,
    recipients: Iterable[Recipient],
    by: User,
    check: MailCheck,
    skipped: Iterable[Recipient] = (),
    now: datetime | None = None,
) -> Mailing:
    """Mail the materials with a feedback request to `recipients` (the check's count of
    `participants_for_materials`) and note when they were sent.

    Each recipient's feedback link is their own link to the event's feedback survey (made now when there is none):
    it opens their form without logging in, a guest's as a member's. `skipped` (bounced addresses) get a skipped
    delivery and no place in the survey."""
    now = now or timezone.now()
    event = _lock(event)
    ensure_permitted(by, "events.manage_event", event)
    recipients = list(recipients)
    survey = _ensure_feedback_survey(event)
    registrations = {}
    for registration in (
        Registration.objects.confirmed().filter(event=event).select_related("profile__user").order_by("pk")
    ):
        if who := _participant(registration):
            registrations.setdefault(who[0].lower(), registration)
    wanted = [registrations[r.email.lower()] for r in recipients if r.email.lower() in registrations]
    places = _feedback_participants(survey, wanted, invited_at=now)
    answer = link_maker("surveys:answer_by_link")
    personal = []
    for recipient in recipients:
        registration = registrations.get(recipient.email.lower())
        context = dict(recipient.context)
        if registration is not None:
            context["feedback_url"] = answer(places[registration.pk].token)
        personal.append(replace(recipient, context=context))
    mailing = queue_mailing(
        template="events/materials",
        recipients=[*personal, *skipped],
        context=materials_context(event),
        kind=Mailing.Kind.MATERIALS,
        description=f"{event.title}: {_('materials')}",
        created_by=by,
        check=check,
    )
    _link(event, mailing, EventMailing.Purpose.MATERIALS)
    event.materials_sent_at = now
    event.save(update_fields=["materials_sent_at", "updated_at"])
    return mailing


def people_registered(event: Event, *, confirmed: bool = True, waiting: bool = False) -> list[Recipient]:
    """Those registered for the event (confirmed and/or on the waiting list) whose account still exists."""
    states = [
        state
        for state, wanted in ((Registration.State.CONFIRMED, confirmed), (Registration.State.WAITING, waiting))
        if wanted
    ]
    registrations = Registration.objects.filter(event=event, state__in=states).select_related("profile__user")
    recipients = []
    for registration in registrations.order_by("name", "pk"):
        if recipient := _recipient(registration):
            recipients.append(recipient)
    return recipients


def message_participants(
    event: Event, *, recipients: Iterable[Recipient], context: dict[str, Any], by: User, check: MailCheck
) -> Mailing:
    """A coordinator's own message to those registered (a room change, parking), as the check showed it."""
    return _mail_participants(
        event,
        template="events/message",
        recipients=recipients,
        context=context,
        description=f"{event.title}: {context['subject']}",
        purpose=EventMailing.Purpose.MESSAGE,
        by=by,
        check=check,
    )


# --- The event's surveys: its feedback and the needs inventory before it -----------------------------------------

# How long after its end an event's feedback survey takes answers.
FEEDBACK_OPEN_AFTER_END = timedelta(days=30)

# Rows are data in the portal's language, not gettext's (as the network pulse's questions): Dutch. The migration
# events/0011 keeps its own copy of these, as they were when it turned the old feedback into surveys.
FEEDBACK_TITLE = "Feedback: {title}"
FEEDBACK_INTRODUCTION = (
    "Hoe was {title}? Drie korte vragen; je antwoorden helpen de volgende bijeenkomst beter te maken."
)
FEEDBACK_QUESTIONS = (
    # A scale, not a choice of "1".."5": one tap on a phone, and the results give its average beside the counts, as
    # the old feedback's score did.
    {
        "label": "Hoe waardeer je deze bijeenkomst?",
        "help_text": "Van 1 (slecht) tot 5 (uitstekend).",
        "kind": SurveyQuestion.Kind.SCALE,
        "required": True,
        "min_value": 1,
        "max_value": 5,
    },
    {"label": "Wat was het waardevolst?", "kind": SurveyQuestion.Kind.LONG_TEXT},
    {"label": "Wat kan beter?", "kind": SurveyQuestion.Kind.LONG_TEXT},
)
NEEDS_TITLE = "Wat wil je leren? {title}"
NEEDS_INTRODUCTION = (
    "We bereiden {title} voor en horen graag wat jij er wilt leren en bespreken. Het kost je een minuut."
)
NEEDS_QUESTIONS = (
    {"label": "Wat wil je op deze bijeenkomst leren?", "kind": SurveyQuestion.Kind.LONG_TEXT, "required": True},
    {"label": "Welke vraag of casus wil je bespreken?", "kind": SurveyQuestion.Kind.LONG_TEXT},
)
# A needs inventory for an event that has started (or is about to) stays open this long.
NEEDS_OPEN_AT_LEAST = timedelta(days=7)


def _free_survey_slug(base: str) -> str:
    base = base[:190]
    slug, n = base, 2
    while Survey.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _new_event_survey(event, *, kind, title, introduction, questions, opens_at, closes_at, by=None) -> Survey:
    survey = Survey.objects.create(
        title=title.format(title=event.title)[:200],
        slug=_free_survey_slug(f"{kind}-{event.slug}"),
        kind=kind,
        introduction=introduction.format(title=event.title),
        coalition=event.coalition,
        state=Survey.State.PUBLISHED,
        opens_at=opens_at,
        closes_at=closes_at,
        is_anonymous=False,
        results_for=Survey.ResultsFor.COALITION,
        open_on_site=False,
        created_by=by,
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, position=position, **question)
        for position, question in enumerate(questions, start=1)
    )
    return survey


def feedback_survey_of(event: Event) -> Survey | None:
    """The event's feedback survey, or None when nobody needed it yet (no materials sent, nobody opened it)."""
    return event.feedback_survey


def _ensure_feedback_survey(locked):
    if locked.feedback_survey_id is None:
        survey = _new_event_survey(
            locked,
            kind=Survey.Kind.FEEDBACK,
            title=FEEDBACK_TITLE,
            introduction=FEEDBACK_INTRODUCTION,
            questions=FEEDBACK_QUESTIONS,
            opens_at=locked.starts_at,
            closes_at=locked.ends_at + FEEDBACK_OPEN_AFTER_END,
        )
        Event.objects.filter(pk=locked.pk).update(feedback_survey=survey)
        locked.feedback_survey = survey
    return locked.feedback_survey


@transaction.atomic
def ensure_feedback_survey(event: Event) -> Survey:
    """The event's feedback survey, made with the default questions when it has none yet.

    Named (the coalition's coordinators see who said what, by coalition, phase and discipline), of the event's
    coalition (regional for a regional event), open from the start until FEEDBACK_OPEN_AFTER_END after the end,
    answered only through each participant's personal link (not open on the site). The event row is locked, so
    two participants opening their form at once make one survey.
    """
    locked = _lock(event)
    survey = _ensure_feedback_survey(locked)
    event.feedback_survey = survey
    return survey


def _feedback_participants(survey, registrations, *, invited_at=None) -> dict[int, SurveyParticipant]:
    """{registration id: its place in `survey`} (surveys.services.place_people: a member by their profile, a guest
    by address; made when missing). A registration whose mails have no address has none."""
    people = {registration.pk: _participant(registration) for registration in registrations}
    persons = [
        Person(email=who[0], name=who[1], profile_id=registration.profile_id)
        for registration in registrations
        if (who := people[registration.pk])
    ]
    places = place_people(survey, persons, invited_at=invited_at)
    return {pk: places[who[0].strip().lower()] for pk, who in people.items() if who}


@transaction.atomic
def feedback_participant(registration: Registration) -> SurveyParticipant:
    """The participant's own place in their event's feedback survey (survey and place made when first needed),
    whose link (`surveys:answer_by_link`) opens their feedback form. Only for a confirmed participant (a member or a
    guest who confirmed their address) once the event has started: the rule `events.give_feedback`."""
    registration = Registration.objects.select_related("event", "profile__user").get(pk=registration.pk)
    if not registration.is_confirmed or _participant(registration) is None:
        raise EventError(_("Only participants can give feedback."))
    if not registration.event.has_started:
        raise EventError(_("Feedback opens when the event has started."))
    survey = ensure_feedback_survey(registration.event)
    return _feedback_participants(survey, [registration])[registration.pk]


@dataclass(frozen=True)
class FeedbackSummary:
    """What the event's results page says of its feedback: how many answered, the average score and its spread."""

    survey: Survey | None
    count: int = 0
    average: Decimal | None = None
    distribution: tuple[tuple[int, int], ...] = ()  # (score, how many), 5 down to 1


def _as_number(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def feedback_summary(event: Event) -> FeedbackSummary:
    """The feedback survey's count and, of its score question (the first scale or number), the average and how
    many gave each whole score. Three queries however many answered (the survey, its question, the answers)."""
    survey = event.feedback_survey
    if survey is None:
        return FeedbackSummary(survey=None)
    kinds = (SurveyQuestion.Kind.SCALE, SurveyQuestion.Kind.NUMBER)
    question = survey.questions.filter(kind__in=kinds).order_by("position", "pk").first()
    count, scores = 0, []
    for answers in survey.responses.values_list("answers", flat=True).iterator(chunk_size=2000):
        count += 1
        if question is not None:
            given = (answers or {}).get(str(question.pk))
            if given is not None and (score := _as_number(given)) is not None:
                scores.append(score)
    spread = Counter(int(score) for score in scores if score == score.to_integral_value())
    average = (sum(scores) / len(scores)).quantize(Decimal("0.1")) if scores else None
    return FeedbackSummary(
        survey=survey,
        count=count,
        average=average,
        distribution=tuple((score, spread.get(score, 0)) for score in range(5, 0, -1)),
    )


def needs_survey_of(event: Event) -> Survey | None:
    return event.needs_survey


@transaction.atomic
def ask_needs(event: Event, *, by: User, now: datetime | None = None) -> Survey:
    """ "Ask the participants-to-be what they want to learn": the event's needs inventory, a survey with a default
    open question or two, made once (asking again gives the same survey). It is sent afterwards, to an audience the
    coordinator chooses, through the surveys' send page and its check step.

    Named, of the event's coalition, its results for the coalition's coordinators; it takes answers from now until
    the event starts (at least NEEDS_OPEN_AT_LEAST, for an event that is close or under way)."""
    now = now or timezone.now()
    ensure_permitted(by, "events.manage_event", event)
    locked = _lock(event)
    if locked.is_cancelled:
        raise EventError(_("This event has been cancelled."))
    if locked.needs_survey_id is None:
        survey = _new_event_survey(
            locked,
            kind=Survey.Kind.NEEDS,
            title=NEEDS_TITLE,
            introduction=NEEDS_INTRODUCTION,
            questions=NEEDS_QUESTIONS,
            opens_at=now,
            closes_at=max(locked.starts_at, now + NEEDS_OPEN_AT_LEAST),
            by=by,
        )
        Event.objects.filter(pk=locked.pk).update(needs_survey=survey)
        locked.needs_survey = survey
    event.needs_survey = locked.needs_survey
    return locked.needs_survey


@transaction.atomic
def detach_personal_data(*, now: datetime | None = None) -> int:
    """After EVENT_RETENTION_MONTHS, cut answers and feedback loose from the person; counts stay."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(settings.EVENT_RETENTION_MONTHS * 365.25 / 12))
    old = Registration.objects.filter(event__ends_at__lt=cutoff, anonymised_at__isnull=True)
    ids = list(old.values_list("pk", flat=True))
    # The feedback of those events goes with them (the surveys' own retention would wait for its close).
    forget_participants(SurveyParticipant.objects.filter(survey__feedback_event__ends_at__lt=cutoff), now=now)
    count = Registration.objects.filter(pk__in=ids).update(
        profile=None,
        name="",
        email="",
        function="",
        token=None,
        answers={},
        consent_to_list=False,
        anonymised_at=now,
    )
    stale = Invitation.objects.filter(event__ends_at__lt=cutoff).exclude(email__endswith=ANONYMOUS_DOMAIN)
    for pk in stale.values_list("pk", flat=True):
        # The address is unique per event, so each anonymous one is made distinct with the row's id.
        Invitation.objects.filter(pk=pk).update(profile=None, name="", email=f"{pk}{ANONYMOUS_DOMAIN}")
    return count


@transaction.atomic
def forget_account(user: User) -> None:
    """Scrub the copies of a person's data before their account goes; the rows stay for the counts."""
    # The feedback (a survey) is cut loose from the account by surveys.services.forget_account.
    registrations = Registration.objects.filter(profile__user=user)
    registrations.update(name="", answers={}, consent_to_list=False, anonymised_at=timezone.now())
    for pk in Invitation.objects.filter(profile__user=user).values_list("pk", flat=True):
        Invitation.objects.filter(pk=pk).update(profile=None, name="", email=f"{pk}{ANONYMOUS_DOMAIN}")
    CalendarFeed.objects.filter(profile__user=user).delete()


def export_cases(user: User) -> list[dict[str, Any]]:
    """The cases the person put to a case consultation and that still name them (retention detaches them)."""
    cases = Case.objects.filter(submitted_by__user=user).select_related("event").order_by("submitted_at", "pk")
    return [
        {
            "event": case.event.title,
            "theme": case.theme,
            "question": case.question,
            "advice": case.advice,
            "submitted_at": case.submitted_at.isoformat(),
        }
        for case in cases
    ]


def export_registrations(user: User) -> list[dict[str, Any]]:
    """The person's event registrations, with their answers (question → answer as shown); their feedback is a
    survey's answer and in the surveys' part of the download (surveys.services.export_surveys)."""
    registrations = (
        Registration.objects.filter(profile__user=user)
        .select_related("event", "coalition")
        .prefetch_related("event__intake_questions")
        .order_by("registered_at", "pk")
    )
    rows = []
    for registration in registrations:
        rows.append(
            {
                "event": registration.event.title,
                "state": registration.state,
                "registered_at": registration.registered_at.isoformat(),
                "name": registration.name,
                "organisation": registration.organisation_name,
                "coalition": registration.coalition.name if registration.coalition else "",
                "coalition_phase": registration.get_coalition_phase_display(),
                "answers": {
                    question.label: answer
                    for question, answer in registration.answers_in_order(registration.event.intake_questions.all())
                    if answer
                },
                "appears_on_participant_list": registration.consent_to_list,
                "checked_in": registration.checked_in,
            }
        )
    return rows


# Fields a copy takes over unchanged; the times move along with the start, the rest starts afresh.
_COPIED_FIELDS = (
    "title", "kind", "edition", "coalition", "host", "co_host", "venue", "address", "meeting_url", "capacity",
    "max_per_organisation", "description", "accreditation_points", "accreditation_registry", "group", "group_only",
)  # fmt: skip
# What a copy takes over of what hangs on the event: its intake questions, as they are.
_COPIED_QUESTION_FIELDS = ("label", "help_text", "kind", "required", "choices", "min_value", "max_value", "position")
_SHIFTED_FIELDS = ("ends_at", "registration_opens_at", "registration_closes_at", "cancellation_deadline")


def _free_slug(base):
    base = base[:180]
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def copy_event(event: Event, *, starts_at: datetime, by: User) -> Event:
    """A new draft date of `event`: everything the organiser set, with every time moved along with the start.

    The breakout sessions and the programme come along; nothing that belongs to people does (registrations,
    invitations, materials, mailings, feedback).
    An event without a series gets one, named after it, so the two dates belong together.
    """
    ensure_permitted(by, "events.add_event")
    ensure_permitted(by, "events.change_event", event)
    shift = starts_at - event.starts_at
    copy = Event(starts_at=starts_at, state=Event.State.DRAFT)
    for field in _COPIED_FIELDS:
        setattr(copy, field, getattr(event, field))
    for field in _SHIFTED_FIELDS:
        value = getattr(event, field)
        setattr(copy, field, value + shift if value else value)
    if event.series_id is None:
        event.series = Series.objects.create(
            title=event.title, slug=_free_slug(event.slug), description=event.description, coalition=event.coalition
        )
        event.save(update_fields=["series", "updated_at"])
    copy.series = event.series
    copy.slug = _free_slug(f"{event.series.slug}-{timezone.localdate(starts_at):%Y-%m-%d}")
    copy.validate_constraints()
    copy = create_event(copy, by=by)
    copy.themes.set(event.themes.all())
    IntakeQuestion.objects.bulk_create(
        IntakeQuestion(event=copy, **{field: getattr(question, field) for field in _COPIED_QUESTION_FIELDS})
        for question in event.intake_questions.all()
    )
    _copy_programme(event, copy, shift=shift)
    return copy


def _copy_programme(event, copy, *, shift):
    """The breakout sessions and the programme of `event` on its new date `copy`, every time moved by `shift`."""
    sessions = {}
    for session in event.sessions.all():
        sessions[session.pk] = Session.objects.create(
            event=copy,
            title=session.title,
            description=session.description,
            capacity=session.capacity,
            room=session.room,
            meeting_url=session.meeting_url,
            position=session.position,
        )
    for item in event.programme.prefetch_related("speakers"):
        new = ProgrammeItem.objects.create(
            event=copy,
            starts_at=item.starts_at + shift,
            ends_at=item.ends_at + shift,
            title=item.title,
            description=item.description,
            guest_speakers=item.guest_speakers,
            room=item.room,
            session=sessions.get(item.session_id),
        )
        new.speakers.set(item.speakers.all())


# --- Certificates of attendance ---------------------------------------------------------------------------


@transaction.atomic
def issue_certificate(registration: Registration) -> Registration:
    """Give an attended registration its certificate code, once; the code is what makes a certificate "issued"
    (the verification page knows it from then on). Called when a certificate is first made, whoever asks for it:
    issuing again returns the same code. Refused when there is no certificate to issue (`has_certificate`) or
    the personal data is gone."""
    if not registration.has_certificate or registration.is_anonymised:
        raise EventError(_("A certificate of attendance is only for participants who were checked in."))
    if registration.certificate_code:
        return registration
    while True:
        try:
            with transaction.atomic():
                Registration.objects.filter(pk=registration.pk, certificate_code__isnull=True).update(
                    certificate_code=certificates.new_code()
                )
        except IntegrityError:  # the same random code twice: 1 in 2**60 per pair; draw again
            continue
        break
    # Whoever came first (a second request at the same moment) gave the code that counts.
    registration.certificate_code = Registration.objects.values_list("certificate_code", flat=True).get(
        pk=registration.pk
    )
    return registration


def certificate_recipients(event: Event) -> list[Recipient]:
    """Those with a certificate of `event` (checked in, registration not cancelled) whose address is known, each
    with their own signed certificate link and the "events" topic's unsubscribe link. Not checked in is not in
    this list at all: the check step counts only whom a mail could reach."""
    if not event.gives_certificates:
        return []
    registrations = (
        Registration.objects.filter(event=event, checked_in=True, anonymised_at__isnull=True)
        .exclude(state=Registration.State.CANCELLED)
        .select_related("profile__user")
        .order_by("name", "pk")
    )
    recipients = []
    for registration in registrations:
        email, name = _certificate_holder(registration)
        if not email:
            # Counted by the check step as "no e-mail address"; their certificate is still in the verification.
            recipients.append(Recipient(email="", name=name))
            continue
        context = {
            "certificate_url": certificates.signed_url(registration),
            "unsubscribe_url": checkstep.unsubscribe_url(email, TOPIC_EVENTS),
        }
        recipients.append(Recipient(email=email, name=name, context=context))
    return recipients


def _certificate_holder(registration: Registration) -> tuple[str, str]:
    """(address, name) of whoever holds the registration's certificate, a member or a guest; ("", name) when no
    address is known (an account since deleted)."""
    return _participant(registration) or ("", certificates.holder_name(registration))


def certificates_context(event: Event) -> dict[str, Any]:
    context = event_context(event)
    with translation.override(settings.LANGUAGE_CODE):
        context["event_duration"] = certificates.duration_text(event.starts_at, event.ends_at)
        context["accreditation_points"] = certificates.points_text(event.accreditation_points)
    context["accreditation_registry"] = event.accreditation_registry
    return context


@transaction.atomic
def send_certificates(event: Event, *, recipients: Iterable[Recipient], by: User, check: MailCheck) -> Mailing:
    """Mail each participant who was checked in their own certificate link (the check's count of
    `certificate_recipients`). The code is given when a certificate is first opened (`issue_certificate`)."""
    event = _lock(event)
    ensure_permitted(by, "events.manage_event", event)
    if not event.gives_certificates:
        raise EventError(_("Certificates can be sent once the event has taken place."))
    mailing = queue_mailing(
        template="events/certificates",
        recipients=recipients,
        context=certificates_context(event),
        kind=Mailing.Kind.MATERIALS,
        description=f"{event.title}: {_('certificates of attendance')}",
        created_by=by,
        check=check,
    )
    _link(event, mailing, EventMailing.Purpose.CERTIFICATES)
    return mailing


# --- Groups' meetings, their notes and the cases of a case consultation (issue 18) ------------------------------------
#
# A group's meeting is an event with `group` set, so registering, the calendar, reminders and check-in are the
# events' own. Its notes link the group's actions (groups.Action) rather than retyping them and go to the group
# through the check step (events.mailings.GroupNotesMail). The cases of a case consultation hold no client data:
# their fields are checked by groups.privacy, and they are detached from the submitter after CASE_RETENTION_MONTHS.


@transaction.atomic
def plan_group_meeting(
    group: Group,
    *,
    by: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    address: str = "",
    meeting_url: str = "",
    capacity: int | None = None,
    description: str = "",
    group_only: bool = True,
) -> Event:
    """A published meeting of `group`: its members register for it as for any event (calendar, reminders and
    check-in come with it); a group-only meeting is seen only by those who see inside the group."""
    ensure_permitted(by, "events.plan_group_meeting", group)
    if group.is_archived:
        raise EventError(_("This group is archived: it plans no more meetings."))
    event = Event(
        title=title,
        slug=_free_slug(slugify(f"{group.slug}-{title}")[:150] or group.slug),
        kind=Event.Kind.GROUP_MEETING,
        coalition_id=group.coalition_id,
        group=group,
        group_only=group_only,
        state=Event.State.PUBLISHED,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        address=address,
        meeting_url=meeting_url,
        capacity=capacity,
        description=description,
    )
    event.validate_constraints()
    with transaction.atomic():
        event = _save_new_event(event)
        # The members hear of it (each as they chose: a mail, the digest, or nothing), so nobody has to look.
        members = Profile.objects.filter(
            group_memberships__group=group, group_memberships__state=Membership.State.ACTIVE
        ).exclude(user=by)
        text = groups_services.in_portal_language(
            lambda: (
                _("New meeting of %(group)s on %(date)s: %(title)s")
                % {"group": group.name, "date": _format(event.starts_at), "title": event.title}
            )
        )
        groups_services.notify(members, group=group, kind=Notice.Kind.MEETING, text=text, url=event.get_absolute_url())
    return event


def _group_actions(event, actions):
    """The actions chosen, refused unless every one belongs to the meeting's group (linked, never another's)."""
    actions = list(actions or ())
    if any(action.group_id != event.group_id for action in actions):
        raise EventError(_("Choose only actions of this group."))
    return actions


@transaction.atomic
def write_notes(
    event: Event,
    *,
    by: User,
    decisions: str,
    summary: str = "",
    actions_created: Iterable[Action] = (),
    actions_closed: Iterable[Action] = (),
) -> MeetingNotes:
    """Write (or rewrite) the notes of a group's meeting: its decisions, other notes, and the group's actions it
    created and closed, linked. Sending them to the group is a separate step, through the check step."""
    ensure_permitted(by, "events.write_notes", event)
    created = _group_actions(event, actions_created)
    closed = _group_actions(event, actions_closed)
    if not decisions.strip():
        raise EventError(_("Write down what the meeting decided."))
    notes, made = MeetingNotes.objects.get_or_create(
        event=event, defaults={"decisions": decisions, "summary": summary, "written_by": by}
    )
    if not made:
        notes.decisions, notes.summary, notes.written_by = decisions, summary, by
        notes.save(update_fields=["decisions", "summary", "written_by", "updated_at"])
    notes.actions_created.set(created)
    notes.actions_closed.set(closed)
    return notes


def notes_of(event: Event) -> MeetingNotes | None:
    """The meeting's notes with their linked actions and the actions' owners, in a fixed number of queries."""
    owners = Prefetch("owners", queryset=Profile.objects.order_by(*name_order()))
    actions = Action.objects.select_related("group").order_by("due_on", "pk").prefetch_related(owners)
    return (
        MeetingNotes.objects.filter(event=event)
        .prefetch_related(Prefetch("actions_created", queryset=actions), Prefetch("actions_closed", queryset=actions))
        .first()
    )


def _action_line(action):
    """An action as the notes show it and mail it: plain data (the mail's context is stored as JSON)."""
    return {
        "title": action.title,
        "owners": ", ".join(owner.full_name for owner in action.owners.all()),
        "status": action.get_status_display(),
        "due": formats.date_format(action.due_on, "DATE_FORMAT") if action.due_on else "",
        "url": absolute_url(action.get_absolute_url()),
    }


def notes_context(notes: MeetingNotes) -> dict[str, Any]:
    """What the notes' mail shows every member: the meeting, the decisions and other notes (rendered from
    Markdown by the one sanitiser), and the linked actions with who, status, due date and link."""
    event = notes.event
    return {
        "group_name": event.group.name,
        "meeting_title": event.title,
        "meeting_when": _format(event.starts_at),
        "decisions": notes.decisions,
        "decisions_html": render_markdown(notes.decisions),
        "summary": notes.summary,
        "summary_html": render_markdown(notes.summary),
        "actions_created": [_action_line(action) for action in notes.actions_created.all()],
        "actions_closed": [_action_line(action) for action in notes.actions_closed.all()],
        "notes_url": absolute_url(reverse("events:meeting_notes", kwargs={"slug": event.slug})),
    }


# Why a member of the group does not get its notes (beside the check step's own reasons).
GROUP_MAILS_OFF = "group_mails_off"
checkstep.LeftOut.LABELS.setdefault(GROUP_MAILS_OFF, gettext_lazy("switched off the mails of this group"))


def notes_audience(event: Event) -> checkstep.Audience:
    """The group's active members who are approved members, each with the link that stops this group's mails;
    those who switched the group's mails off are counted as left out."""
    memberships = (
        Membership.objects.active()
        .filter(group_id=event.group_id, profile__in=Profile.objects.approved())
        .select_related("profile__user")
        .order_by(*name_order("profile__"), "pk")
    )
    left_out = Counter()
    candidates = []
    for membership in memberships:
        if membership.notifications == Membership.Notifications.OFF:
            left_out[GROUP_MAILS_OFF] += 1
            continue
        profile = membership.profile
        candidates.append(
            Recipient(
                email=profile.user.email,
                name=profile.full_name,
                context={"unsubscribe_url": groups_services.stop_url(membership.profile_id, [membership.group_id])},
            )
        )
    return checkstep.screen(candidates, topic=None, left_out=left_out)


@transaction.atomic
def mark_notes_sent(notes: MeetingNotes, *, now: datetime | None = None) -> None:
    """Called by the notes' mass mail at confirm, in its transaction: the notes say when they went out."""
    MeetingNotes.objects.filter(pk=notes.pk).update(sent_at=now or timezone.now())


@transaction.atomic
def submit_case(event: Event, *, by: User, theme: str, question: str) -> Case:
    """Put a case to a coming meeting of a case consultation: a theme and a question, never client data (every
    field is checked for obvious identifiers; a ValidationError names the field)."""
    ensure_permitted(by, "events.submit_case", event)
    case = Case(event=event, theme=theme, question=question, submitted_by=by.profile)
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def record_advice(case: Case, *, by: User, advice: str) -> Case:
    """Record what the consultation advised on a case (checked for identifiers as the case's other fields)."""
    ensure_permitted(by, "events.record_advice", case)
    case.advice = advice
    case.full_clean()
    case.save(update_fields=["advice"])
    return case


def detach_old_cases(*, now: datetime | None = None) -> int:
    """After CASE_RETENTION_MONTHS from its meeting, a case no longer says who submitted it; safe to run twice
    (a detached case is not touched again)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(settings.CASE_RETENTION_MONTHS * 365.25 / 12))
    return Case.objects.filter(event__ends_at__lt=cutoff, detached_at__isnull=True).update(
        submitted_by=None, detached_at=now
    )
