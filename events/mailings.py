"""The mass mails of the events, as kinds of the check step (coalition.checkstep): invitations and their reminder,
materials, certificates of attendance, a message to participants, the programme and participant overview and the
cancellation of an event.

A coordinator composes one on the event's page for it; the view calls `checkstep.open_check(key, params, by=…)`
and the check page shows the count, who is left out and why, and the mail of the first recipient. What sending
does besides mailing (inviting, claiming the reminder, noting the materials, cancelling) happens in `send()`, at
confirm, through the services, which are the only callers of queue_mailing for these kinds. Imported from
EventsConfig.ready(), which registers the kinds, the topics and the segment sources below.
"""

from datetime import timedelta
from functools import cached_property
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition import checkstep
from coalition.mail import Recipient, absolute_url
from coalition.models import Mailing
from members.forms import LongSelectMultiple
from network.audiences import Person, Segment, Source, add_source, people_of

from . import services
from .models import Event, Invitation, Registration

checkstep.add_topic(
    services.TOPIC_INVITATIONS,
    gettext_lazy("Event invitations"),
    gettext_lazy("Invitations to workshops, work visits and meetings of the network."),
)
checkstep.add_topic(
    services.TOPIC_EVENTS,
    gettext_lazy("Event reminders and materials"),
    gettext_lazy("The reminder before an event you registered for, and its materials afterwards."),
)

# Why someone chosen for an invitation does not get it (beside the check step's own reasons).
ALREADY_INVITED = "already_invited"
checkstep.LeftOut.LABELS.setdefault(ALREADY_INVITED, gettext_lazy("already invited to this event"))


class EventMail(checkstep.MassMail):
    """What every event mail shares: `params["event"]` is the event's id; the coordinator's tools' rule."""

    permission = "events.manage_event"
    purpose_text: str  # the mailing's name after the event's title

    @cached_property
    def event(self) -> Event:
        event = Event.objects.filter(pk=self.params.get("event")).first()
        if event is None:
            raise checkstep.CheckError(_("This event no longer exists."))
        return event

    def target(self):
        return self.event

    def description(self) -> str:
        return f"{self.event.title}: {self.purpose_text}"

    def done_url(self, mailing: Mailing) -> str:
        return reverse("events:mailings", kwargs={"slug": self.event.slug})


def _screen_errors(callable_, *args, **kwargs):
    """A service's EventError (the event is not open, …) as the check step's own refusal."""
    try:
        return callable_(*args, **kwargs)
    except services.EventError as refusal:
        raise checkstep.CheckError(str(refusal)) from None


def _harmless_answer_links(mass: EventMail, recipient: Recipient) -> Recipient:
    """The recipient's mail with both answer buttons leading to the event's page: a click in a preview or a test
    answers for nobody."""
    context = dict(recipient.context)
    event_url = absolute_url(mass.event.get_absolute_url())
    context["coming_url"] = context["not_coming_url"] = event_url
    return Recipient(email=recipient.email, name=recipient.name, context=context, attachments=recipient.attachments)


@checkstep.register
class InvitationMail(EventMail):
    """An invitation to a segment of the network (network.audiences), without those already invited. The
    Invitation rows, with their answer links, are made at confirm; until then the buttons lead to the event."""

    key = "events.invitation"
    label = gettext_lazy("Invitation")
    mailing_kind = Mailing.Kind.INVITATION
    template = "events/invitation"
    topic = services.TOPIC_INVITATIONS
    permission = "events.send_invitations"

    @property
    def purpose_text(self):
        return _("invitation")

    def audience(self) -> checkstep.Audience:
        _screen_errors(services.ensure_open_for_invitations, self.event)
        people, left_out = people_of(Segment.from_params(self.params.get("segment", {})))
        invited = set(Invitation.objects.filter(event=self.event).addresses())
        self.people: dict[str, Person] = {}
        candidates = []
        event_url = absolute_url(self.event.get_absolute_url())
        for person in people:
            if person.email in invited:
                left_out[ALREADY_INVITED] += 1
                continue
            self.people[person.email] = person
            unsubscribe = person.unsubscribe_url or checkstep.unsubscribe_url(person.email, self.topic)
            context = {"coming_url": event_url, "not_coming_url": event_url, "unsubscribe_url": unsubscribe}
            candidates.append(Recipient(email=person.email, name=person.name, context=context))
        return checkstep.screen(candidates, topic=self.topic, left_out=left_out)

    def context(self) -> dict[str, Any]:
        return services.invitation_context(self.event, message=self.params.get("message", ""))

    def change_url(self) -> str:
        return reverse("events:invite", kwargs={"slug": self.event.slug}) + checkstep.AGAIN

    def done_url(self, mailing: Mailing) -> str:
        return reverse("events:invitations", kwargs={"slug": self.event.slug})

    def done_message(self, count: int) -> str:
        return _("%(count)d invitations are on their way.") % {"count": count}

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        return _harmless_answer_links(self, super().for_tester(recipient, tester))

    def send(self, audience, *, by, check):
        return _screen_errors(
            services.send_invitations,
            self.event,
            invitees=[self.people[recipient.email.lower()] for recipient in audience.recipients],
            skipped=audience.suppressed,
            by=by,
            check=check,
            message=self.params.get("message", ""),
        )


@checkstep.register
class InvitationReminderMail(EventMail):
    """A reminder to those invited who did not answer, once each."""

    key = "events.invitation_reminder"
    label = gettext_lazy("Invitation reminder")
    mailing_kind = Mailing.Kind.INVITATION
    template = "events/invitation_reminder"
    topic = services.TOPIC_INVITATIONS
    permission = "events.send_invitations"

    @property
    def purpose_text(self):
        return _("invitation reminder")

    def audience(self) -> checkstep.Audience:
        if not self.event.is_published or self.event.starts_at <= timezone.now():
            raise checkstep.CheckError(_("This event is no longer open."))
        return checkstep.screen(services.invitations_to_remind(self.event), topic=self.topic)

    def context(self) -> dict[str, Any]:
        return services.event_context(self.event)

    def change_url(self) -> str:
        return reverse("events:invitations", kwargs={"slug": self.event.slug})

    def done_url(self, mailing: Mailing) -> str:
        return self.change_url()

    def done_message(self, count: int) -> str:
        return _("%(count)d reminders are on their way.") % {"count": count}

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        # The reminder's buttons are the invitation's real answer links: in a test they lead to the event instead.
        return _harmless_answer_links(self, super().for_tester(recipient, tester))

    def send(self, audience, *, by, check):
        return _screen_errors(
            services.remind_invitations,
            self.event,
            recipients=[*audience.recipients, *audience.suppressed],
            by=by,
            check=check,
        )


@checkstep.register
class MaterialsMail(EventMail):
    """The materials and a feedback request, to the confirmed participants (or only those checked in)."""

    key = "events.materials"
    label = gettext_lazy("Materials and feedback request")
    mailing_kind = Mailing.Kind.MATERIALS
    template = "events/materials"
    topic = services.TOPIC_EVENTS

    @property
    def purpose_text(self):
        return _("materials")

    def audience(self) -> checkstep.Audience:
        only_checked_in = bool(self.params.get("only_checked_in"))
        people = services.participants_for_materials(self.event, only_checked_in=only_checked_in)
        return checkstep.screen(people, topic=self.topic)

    def context(self) -> dict[str, Any]:
        return services.materials_context(self.event)

    def change_url(self) -> str:
        return reverse("events:send_materials", kwargs={"slug": self.event.slug}) + checkstep.AGAIN

    def done_message(self, count: int) -> str:
        return _("The materials are on their way to %(count)d participants.") % {"count": count}

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        # Each participant's feedback link answers the feedback survey as them: the test's leads to the event.
        tested = super().for_tester(recipient, tester)
        context = {**tested.context, "feedback_url": absolute_url(self.event.get_absolute_url())}
        return Recipient(email=tested.email, name=tested.name, context=context, attachments=tested.attachments)

    def send(self, audience, *, by, check):
        # The personal feedback links are made here, at confirm, for those the mail goes to (services.send_materials).
        return services.send_materials(
            self.event, recipients=audience.recipients, skipped=audience.suppressed, by=by, check=check
        )


@checkstep.register
class CertificatesMail(EventMail):
    """Each participant who was checked in gets their own certificate link, after the event.

    A link, not the PDF attached: the outbox stores attachments as text in each delivery's JSON (made for
    calendar files), so a PDF would go in as base64, a copy per recipient in the database and a change to the
    shared outbox; and an attached file cannot be withdrawn, while the link stops working when someone is
    un-checked-in or their data is anonymised. The link needs no login (guests), the PDF is made when opened.
    """

    key = "events.certificates"
    label = gettext_lazy("Certificates of attendance")
    mailing_kind = Mailing.Kind.MATERIALS
    template = "events/certificates"
    topic = services.TOPIC_EVENTS

    @property
    def purpose_text(self):
        return _("certificates of attendance")

    def audience(self) -> checkstep.Audience:
        if not self.event.gives_certificates:
            raise checkstep.CheckError(_("Certificates can be sent once the event has taken place."))
        return checkstep.screen(services.certificate_recipients(self.event), topic=self.topic)

    def context(self) -> dict[str, Any]:
        return services.certificates_context(self.event)

    def change_url(self) -> str:
        return reverse("events:send_certificates", kwargs={"slug": self.event.slug})

    def done_message(self, count: int) -> str:
        return _("The certificates are on their way to %(count)d participants.") % {"count": count}

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        # The first recipient's link opens their certificate, with their name: the test's leads to the event.
        tested = super().for_tester(recipient, tester)
        context = {**tested.context, "certificate_url": absolute_url(self.event.get_absolute_url())}
        return Recipient(email=tested.email, name=tested.name, context=context, attachments=tested.attachments)

    def send(self, audience, *, by, check):
        return _screen_errors(
            services.send_certificates,
            self.event,
            recipients=[*audience.recipients, *audience.suppressed],
            by=by,
            check=check,
        )


class To:
    """Whom a message to participants goes to (`params["to"]`)."""

    CONFIRMED = "confirmed"
    WAITING = "waiting"
    BOTH = "both"

    CHOICES = (
        (CONFIRMED, gettext_lazy("Confirmed participants")),
        (WAITING, gettext_lazy("Those on the waiting list")),
        (BOTH, gettext_lazy("Both")),
    )


@checkstep.register
class MessageMail(EventMail):
    """A coordinator's own message to those registered (a room change, parking): it concerns their registration,
    so it has no unsubscribe link."""

    key = "events.message"
    label = gettext_lazy("Message to participants")
    mailing_kind = Mailing.Kind.EVENT_MESSAGE
    template = "events/message"
    topic = None

    def description(self) -> str:
        return f"{self.event.title}: {self.params.get('subject', '')}"

    def audience(self) -> checkstep.Audience:
        if self.event.is_cancelled:
            raise checkstep.CheckError(_("This event has been cancelled."))
        to = self.params.get("to", To.CONFIRMED)
        people = services.people_registered(
            self.event, confirmed=to in (To.CONFIRMED, To.BOTH), waiting=to in (To.WAITING, To.BOTH)
        )
        return checkstep.screen(people, topic=None)

    def context(self) -> dict[str, Any]:
        return {
            **services.event_context(self.event),
            "subject": self.params.get("subject", ""),
            "message": self.params.get("message", ""),
        }

    def change_url(self) -> str:
        return reverse("events:message", kwargs={"slug": self.event.slug}) + checkstep.AGAIN

    def send(self, audience, *, by, check):
        return _screen_errors(
            services.message_participants,
            self.event,
            recipients=[*audience.recipients, *audience.suppressed],
            context=self.context(),
            by=by,
            check=check,
        )


@checkstep.register
class OverviewMail(EventMail):
    """The programme and the participant overview (those who agreed to be listed, with organisation, coalition and
    phase), to every confirmed participant, each with their own breakout session and its link. It concerns their
    registration, like a message, so it has no unsubscribe link."""

    key = "events.overview"
    label = gettext_lazy("Programme and participant overview")
    mailing_kind = Mailing.Kind.EVENT_MESSAGE
    template = "events/overview"
    topic = None

    @property
    def purpose_text(self):
        return _("programme and participants")

    def audience(self) -> checkstep.Audience:
        if self.event.is_cancelled:
            raise checkstep.CheckError(_("This event has been cancelled."))
        return checkstep.screen(services.participants_for_overview(self.event), topic=None)

    def context(self) -> dict[str, Any]:
        return services.overview_context(self.event)

    def change_url(self) -> str:
        return reverse("events:overview", kwargs={"slug": self.event.slug})

    def done_message(self, count: int) -> str:
        return _("The programme and the participant overview are on their way to %(count)d participants.") % {
            "count": count
        }

    def send(self, audience, *, by, check):
        return _screen_errors(
            services.send_overview,
            self.event,
            recipients=[*audience.recipients, *audience.suppressed],
            context=self.context(),
            by=by,
            check=check,
        )


@checkstep.register
class CancellationMail(EventMail):
    """Cancelling the event, at confirm, with the mail to everyone registered (confirmed participants get the
    calendar cancellation). An event nobody registered for, or whose registered people's addresses all bounced
    (services.mailable_of_cancellation), is cancelled on its page without mail and never comes here."""

    key = "events.cancellation"
    label = gettext_lazy("Event cancelled")
    mailing_kind = Mailing.Kind.EVENT_MESSAGE
    template = "events/event_cancelled"
    topic = None

    @property
    def purpose_text(self):
        return _("event cancelled")

    def audience(self) -> checkstep.Audience:
        if self.event.is_cancelled:
            raise checkstep.CheckError(_("This event was already cancelled."))
        return checkstep.screen(services.people_to_tell_of_cancellation(self.event), topic=None)

    def context(self) -> dict[str, Any]:
        return services.cancellation_context(self.event, reason=self.params.get("reason", ""))

    def change_url(self) -> str:
        return reverse("events:cancel_event", kwargs={"slug": self.event.slug}) + checkstep.AGAIN

    def done_url(self, mailing: Mailing) -> str:
        return self.event.get_absolute_url()

    def done_message(self, count: int) -> str:
        return _("The event is cancelled and %(count)d people registered are being told.") % {"count": count}

    def send(self, audience, *, by, check):
        services.cancel_event(
            self.event,
            by=by,
            reason=self.params.get("reason", ""),
            audience=audience,
            check=check,
            built_from=self.event,
        )
        return check.mailing


# --- A group's meeting notes (issue 18) -------------------------------------------------------------------------


@checkstep.register
class GroupNotesMail(EventMail):
    """The notes of a group's meeting to the group's active members, without those who switched the group's mails
    off (counted as left out); each member's mail carries the link that stops this group's mails. Confirming marks
    the notes sent."""

    key = "groups.notes"
    label = gettext_lazy("Meeting notes")
    mailing_kind = Mailing.Kind.GROUP_NOTES
    template = "groups/notes"
    permission = "events.write_notes"

    @property
    def purpose_text(self):
        return _("notes")

    @cached_property
    def notes(self):
        if self.event.group_id is None:
            raise checkstep.CheckError(_("This event is not a meeting of a group."))
        notes = services.notes_of(self.event)
        if notes is None:
            raise checkstep.CheckError(_("Write the notes before you send them."))
        return notes

    def audience(self) -> checkstep.Audience:
        self.notes  # noqa: B018 — refuses a meeting without notes before anyone is counted
        return services.notes_audience(self.event)

    def context(self) -> dict[str, Any]:
        return services.notes_context(self.notes)

    def change_url(self) -> str:
        return reverse("events:meeting_notes", kwargs={"slug": self.event.slug})

    def done_url(self, mailing: Mailing) -> str:
        return self.change_url()

    def done_message(self, count: int) -> str:
        return _("The notes are on their way to %(count)d members of the group.") % {"count": count}

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        # The stop link is the member's own: in a test it leads to the notes instead, so a click stops nobody's mail.
        context = {**recipient.context, "unsubscribe_url": absolute_url(self.change_url())}
        return Recipient(email=recipient.email, name=recipient.name, context=context, attachments=recipient.attachments)

    def send(self, audience, *, by, check):
        mailing = super().send(audience, by=by, check=check)
        services.mark_notes_sent(self.notes)
        return mailing


# --- Groups for segments (network.audiences) --------------------------------------------------------------

# Events whose participants may be chosen: published, from this long ago on, and every coming one.
RECENT_EVENTS = timedelta(days=180)


def _recent_and_coming_events():
    return Event.objects.published().filter(starts_at__gte=timezone.now() - RECENT_EVENTS).order_by("-starts_at")


def event_participants_field() -> forms.Field:
    return forms.ModelMultipleChoiceField(
        label=gettext_lazy("Participants of events"),
        queryset=_recent_and_coming_events(),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy("The confirmed participants of the events chosen (recent and coming)."),
    )


def event_participants(event_ids) -> list[Person]:
    """The confirmed participants of these events who are approved members or guests, each address once."""
    registrations = (
        services.in_good_standing(Registration.objects.confirmed())
        .filter(event__in=event_ids)
        .order_by("profile__last_name", "profile__first_name", "pk")
        .values_list("profile_id", "profile__user__email", "profile__first_name", "profile__last_name", "email", "name")
    )
    people = {}
    for profile_id, email, first_name, last_name, guest_email, guest_name in registrations:
        if email:
            address = email.lower()
            people.setdefault(
                address, Person(email=address, name=f"{first_name} {last_name}".strip(), profile_id=profile_id)
            )
        elif guest_email:  # a guest (issue 16): their own address, no account
            people.setdefault(guest_email.lower(), Person(email=guest_email.lower(), name=guest_name))
    return list(people.values())


def subscribers_field() -> forms.Field:
    return forms.BooleanField(label=gettext_lazy("All subscribers who want invitations"), required=False)


def register_sources() -> None:
    add_source(
        Source(
            key="events",
            field=event_participants_field,
            people=event_participants,
            to_params=lambda events: sorted(event.pk for event in events),
        )
    )
    add_source(
        Source(
            key="invitation_subscribers",
            field=subscribers_field,
            people=lambda _chosen: services.invitation_subscribers(),
        )
    )
