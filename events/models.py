"""Mini-events, registrations, the waiting list, invitations and materials (their feedback is a survey)."""

import secrets
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from coalition.models import ConstraintErrorsAtFields, Delivery
from coalition.rules import is_coordinator
from coalition.storage import PrivateStorage, validate_document
from groups.models import Membership
from groups.privacy import validate_no_identifiers
from groups.rules import group_roles
from network.models import Phase
from network.rules import coordinated_coalition_ids
from surveys.models import Question

_material_storage = PrivateStorage("event-materials")


def material_storage():
    return _material_storage


def new_token():
    return secrets.token_urlsafe(32)


def _reaching(user):
    """The events `user` may see as far as groups go: all but the group-only meetings of groups they do not see
    inside (its active members, and the coordinators of its coalition; regional coordinators see everything)."""
    reach = Q(group__isnull=True) | Q(group_only=False)
    seen = [group_id for group_id, (state, _role) in group_roles(user).items() if state == Membership.State.ACTIVE]
    if seen:
        reach |= Q(group_id__in=seen)
    coalitions = coordinated_coalition_ids(user)
    if coalitions:
        reach |= Q(group__coalition_id__in=coalitions)
    return reach


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Event.State.PUBLISHED)

    def visible_to(self, user):
        """Drafts only for coordinators; a cancelled event stays visible so people see it was cancelled; a group's
        own meeting (group_only) only for those who see inside the group (groups.view_inside).

        The rule `events.view_event_page` says the same of one event.
        """
        if is_coordinator(user):
            return self
        return self.filter(state__in=[Event.State.PUBLISHED, Event.State.CANCELLED]).filter(_reaching(user))

    def listed(self):
        """What lists for everyone show (the public feed, a coalition's page, the home page, the journal's mail):
        without the meetings a group keeps to itself."""
        return self.exclude(group__isnull=False, group_only=True)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")

    def with_counts(self):
        return self.annotate(
            confirmed_count=Count("registrations", filter=Q(registrations__state=Registration.State.CONFIRMED)),
            waiting_count=Count("registrations", filter=Q(registrations__state=Registration.State.WAITING)),
            # Guests waiting for their address to be confirmed who hold a seat (Registration.holds_seat).
            held_count=Count(
                "registrations",
                filter=Q(registrations__state=Registration.State.PENDING, registrations__holds_seat=True),
            ),
        )


class Series(models.Model):
    """Dates of one recurring event: the half-yearly partner meeting, a learning track."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    coalition = models.ForeignKey(
        "network.Coalition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_series",
        verbose_name=_("coalition"),
        help_text=_("Empty for a regional event."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:series_detail", kwargs={"slug": self.slug})


class Event(ConstraintErrorsAtFields, models.Model):
    """A workshop, presentation, work visit, serious game or meeting that members register for."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        PRESENTATION = "presentation", _("Presentation")
        WORK_VISIT = "work_visit", _("Work visit")
        SERIOUS_GAME = "serious_game", _("Serious game")
        ONLINE_MEETING = "online_meeting", _("Online regional meeting")
        PARTNER_MEETING = "partner_meeting", _("Half-yearly partner meeting")
        GROUP_MEETING = "group_meeting", _("Group meeting")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    edition = models.ForeignKey(
        "journal.Edition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("journal edition"),
    )
    coalition = models.ForeignKey(
        "network.Coalition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("coalition"),
        help_text=_("Empty for a regional event."),
    )
    host = models.ForeignKey(
        "members.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("host organisation"),
    )
    co_host = models.ForeignKey(
        "members.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="co_hosted_events",
        verbose_name=_("co-host organisation"),
    )
    themes = models.ManyToManyField(
        "members.Theme",
        blank=True,
        related_name="events",
        verbose_name=_("themes"),
        help_text=_("The focus points this event is about."),
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("series"),
    )
    # A meeting of a working group, sounding-board group or case consultation (issue 18): registration, calendar,
    # reminders and check-in as for any event; its notes and cases are MeetingNotes and Case below.
    group = models.ForeignKey(
        "groups.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("group"),
        help_text=_("For a meeting of a group: its notes are sent to the group's members."),
    )
    group_only = models.BooleanField(
        _("only for the group's members"),
        default=True,
        help_text=_("A group's meeting is seen and attended by its members only, unless this is switched off."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True, help_text=_("For example: Wijkcentrum De Brug"))
    address = models.TextField(_("address"), blank=True)
    meeting_url = models.URLField(
        _("online meeting link"),
        blank=True,
        help_text=_("Shown only to confirmed participants and in their reminder."),
    )
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty means unlimited."))
    max_per_organisation = models.PositiveIntegerField(
        _("maximum per organisation"), null=True, blank=True, help_text=_("Empty means no maximum.")
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens at"), null=True, blank=True, help_text=_("Empty means as soon as it is published.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes at"), null=True, blank=True, help_text=_("Empty means when the event starts.")
    )
    cancellation_deadline = models.DateTimeField(
        _("members can cancel until"), null=True, blank=True, help_text=_("Empty means until the event starts.")
    )
    description = models.TextField(_("description"), blank=True)
    # On the certificate of attendance (events/certificates.py); a registry awards the points, not the portal.
    accreditation_points = models.DecimalField(
        _("accreditation points"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The points a participant earns, printed on the certificate of attendance. Empty means none."),
    )
    accreditation_registry = models.CharField(
        _("accreditation registry"),
        max_length=200,
        blank=True,
        help_text=_("Where the points count, e.g. Kwaliteitsregister V&VN."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    open_to_guests = models.BooleanField(
        _("open to guests"),
        default=False,
        help_text=_(
            "Guests are people without a member account (ministry staff, speakers, new partners). They register "
            "with their name, e-mail address, organisation and function and confirm their address from a mail."
        ),
    )
    # The calendar identity of the event: the UID never changes, SEQUENCE rises with every change mailed.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    materials_sent_at = models.DateTimeField(_("materials sent at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    # The event's surveys (issue 17), made by a service when first needed (events.services.feedback_survey_of,
    # ask_needs): the feedback asked with the materials, and the needs inventory before the event.
    feedback_survey = models.OneToOneField(
        "surveys.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_event",
        verbose_name=_("feedback survey"),
        editable=False,
    )
    needs_survey = models.OneToOneField(
        "surveys.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs_event",
        verbose_name=_("needs inventory"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()
    constraint_error_fields = {"ends_before_start": "ends_at", "series_date_taken": "starts_at"}

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        permissions = [("send_invitations", _("Can send event invitations"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message=_("The end is before the start."),
            ),
            models.UniqueConstraint(
                fields=["series", "starts_at"],
                name="event_series_date_once",
                violation_error_code="series_date_taken",
                violation_error_message=_("Another date of this series starts at this moment."),
            ),
        ]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    def get_registration_url(self):
        """Used by the journal's edition mail for its "register" link."""
        return reverse("events:register", kwargs={"slug": self.slug})

    @property
    def is_online(self):
        return bool(self.meeting_url) and not self.address

    @property
    def is_cancelled(self):
        return self.state == self.State.CANCELLED

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED

    @property
    def is_draft(self):
        return self.state == self.State.DRAFT

    @property
    def has_started(self):
        return self.starts_at <= timezone.now()

    @property
    def cancellation_closes_at(self):
        return self.cancellation_deadline or self.starts_at

    @property
    def registration_closes(self):
        return self.registration_closes_at or self.starts_at

    def is_open_for_registration(self, now=None):
        now = now or timezone.now()
        return (
            self.state == self.State.PUBLISHED
            and self.starts_at > now
            and (self.registration_opens_at is None or self.registration_opens_at <= now)
            and (self.registration_closes_at is None or self.registration_closes_at > now)
        )

    @cached_property
    def confirmed_total(self):
        """Confirmed participants; uses the with_counts() annotation when the queryset has it."""
        if hasattr(self, "confirmed_count"):
            return self.confirmed_count
        return self.registrations.filter(state=Registration.State.CONFIRMED).count()

    @cached_property
    def held_total(self):
        """Seats held by guests whose address is not confirmed yet; uses the with_counts() annotation if there."""
        if hasattr(self, "held_count"):
            return self.held_count
        return self.registrations.filter(state=Registration.State.PENDING, holds_seat=True).count()

    @property
    def seats_left(self):
        """None when the event has no seat limit. A seat held by a guest who has not confirmed is not free."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_total - self.held_total, 0)

    @property
    def is_full(self):
        return self.capacity is not None and self.seats_left == 0

    def clean(self):
        super().clean()
        if self.accreditation_points is not None and not self.accreditation_registry.strip():
            raise ValidationError(
                {"accreditation_registry": _("Say which registry awards the points, or leave the points empty.")}
            )

    @property
    def gives_certificates(self):
        """Certificates of attendance exist once the event has started, unless it was cancelled."""
        return not self.is_cancelled and self.has_started


class IntakeQuestion(Question):
    """A question an event asks those who register, of any type of `surveys.models.Question`, in its order."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="intake_questions", verbose_name=_("event"))

    class Meta(Question.Meta):
        verbose_name = _("intake question")
        verbose_name_plural = _("intake questions")


class SessionQuerySet(models.QuerySet):
    def with_taken(self):
        """Annotate `taken`: the confirmed participants each session holds, in the same query."""
        return self.annotate(taken=Count("registrations", filter=Q(registrations__state=Registration.State.CONFIRMED)))


class Session(ConstraintErrorsAtFields, models.Model):
    """A breakout session (deelsessie) of an event: its own seats, room and online link, its own participants."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty means unlimited."))
    room = models.CharField(_("room"), max_length=200, blank=True)
    meeting_url = models.URLField(
        _("online link"), blank=True, help_text=_("Shown only to the participants of this session.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = SessionQuerySet.as_manager()
    constraint_error_fields = {"session_title_taken": "title"}

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("breakout session")
        verbose_name_plural = _("breakout sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "title"],
                name="session_title_once_per_event",
                violation_error_code="session_title_taken",
                violation_error_message=_("This event already has a breakout session with this title."),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def seats_left(self):
        """None when the session has no seat limit; reads the `with_taken()` annotation."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.taken, 0)

    @property
    def is_full(self):
        return self.capacity is not None and self.seats_left == 0


class ProgrammeItem(models.Model):
    """One line of an event's programme: a time, a title, speakers, and a room or a breakout session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="programme", verbose_name=_("event"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    speakers = models.ManyToManyField(
        "members.Profile",
        blank=True,
        related_name="programme_items",
        verbose_name=_("speakers (members)"),
    )
    guest_speakers = models.TextField(
        _("guest speakers"),
        blank=True,
        help_text=_("Speakers without a member account, one per line: name, organisation."),
    )
    room = models.CharField(_("room"), max_length=200, blank=True)
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_items",
        verbose_name=_("breakout session"),
        help_text=_("For an item that takes place in breakout sessions: the session it belongs to."),
    )

    class Meta:
        ordering = ["starts_at", "ends_at", "pk"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        try:
            event = self.event  # in the admin: the event as edited on the same page, saved or not
        except Event.DoesNotExist:
            event = None
        if event is not None and event.starts_at and event.ends_at:
            window = {
                "start": formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT"),
                "end": formats.time_format(timezone.localtime(event.ends_at), "TIME_FORMAT"),
            }
            message = _("The programme must lie within the event: %(start)s–%(end)s.") % window
            if self.starts_at and not event.starts_at <= self.starts_at <= event.ends_at:
                errors["starts_at"] = message
            if self.ends_at and not event.starts_at <= self.ends_at <= event.ends_at and "ends_at" not in errors:
                errors["ends_at"] = message
        if self.session_id and event is not None and event.pk and self.session.event_id != event.pk:
            errors["session"] = _("Choose a breakout session of this event.")
        if errors:
            raise ValidationError(errors)

    def guest_speaker_lines(self):
        """The guest speakers, one per line as typed, empty lines left out."""
        return [line.strip() for line in self.guest_speakers.splitlines() if line.strip()]


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(state=Registration.State.CANCELLED)

    def taking_seats(self):
        """Those who count against the capacity: confirmed, and guests holding a seat until they confirm."""
        return self.filter(Q(state=Registration.State.CONFIRMED) | Q(state=Registration.State.PENDING, holds_seat=True))

    def unconfirmed_guests(self, *, before):
        """Guests who registered before `before` and never confirmed their address."""
        return self.filter(state=Registration.State.PENDING, registered_at__lt=before)

    def next_of(self, user):
        """`user`'s next event: their confirmed or waiting registration for the published event, not yet ended,
        that starts first (None when there is none)."""
        return (
            self.active()
            .filter(profile__user=user, event__state=Event.State.PUBLISHED, event__ends_at__gte=timezone.now())
            .select_related("event")
            .order_by("event__starts_at", "event__pk")
            .first()
        )

    def confirmed(self):
        return self.filter(state=Registration.State.CONFIRMED)

    def waiting(self):
        return self.filter(state=Registration.State.WAITING).order_by("waiting_since", "pk")

    def listed(self):
        """Who may appear on the participant list: confirmed and consented."""
        return self.confirmed().filter(Q(profile__isnull=False) | Q(email__gt=""), consent_to_list=True)

    def with_waiting_position(self):
        """Annotate `queue_position`: 1 for the first on the event's waiting list, None when not waiting.

        One subquery in the same SELECT, so a list of registrations costs one query whatever its length;
        `Registration.waiting_position()` reads it.
        """
        waiting = Registration.State.WAITING
        ahead_or_same = (
            Registration.objects.filter(event_id=OuterRef("event_id"), state=waiting)
            .filter(
                Q(waiting_since__lt=OuterRef("waiting_since"))
                | Q(waiting_since=OuterRef("waiting_since"), pk__lte=OuterRef("pk"))
            )
            .order_by()
            .values("event_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        position = Coalesce(Subquery(ahead_or_same, output_field=IntegerField()), 0)
        return self.annotate(
            queue_position=models.Case(models.When(state=waiting, then=position), output_field=IntegerField())
        )


# How long a guest has to confirm their address; after that the seat they held goes to the waiting list.
GUEST_CONFIRMATION_HOURS = 48


class Registration(ConstraintErrorsAtFields, models.Model):
    """A member's or a guest's place at an event: confirmed, on the waiting list, or cancelled.

    A guest (no member account: `profile` is empty, `email` is set) is PENDING until they confirm their address
    from the mail; meanwhile they hold the seat that was free when they registered (`holds_seat`).
    """

    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        PENDING = "pending", _("Address not confirmed yet")
        CANCELLED = "cancelled", _("Cancelled")

    class CancelReason(models.TextChoices):
        NONE = "", _("Cancelled by the person or a coordinator")
        UNCONFIRMED = "unconfirmed", _("Address not confirmed within 48 hours")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    # SET_NULL: deleting an account anonymises the registration, the counts stay.
    profile = models.ForeignKey(
        "members.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("member"),
    )
    # What the registration looked like when it was made, so lists and counts survive later changes.
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    discipline = models.CharField(_("discipline"), max_length=32, blank=True)
    # A guest's own details; a member's address is their account's.
    email = models.EmailField(_("e-mail address"), blank=True, help_text=_("Guests only."))
    function = models.CharField(_("function"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.CONFIRMED)
    holds_seat = models.BooleanField(
        _("holds a seat until the address is confirmed"),
        default=False,
        help_text=_("A guest who registered while a seat was free keeps it for 48 hours."),
    )
    address_confirmed_at = models.DateTimeField(_("address confirmed at"), null=True, blank=True)
    # A guest's secret: their mails' links carry it, signed (services.guest_url); members have none.
    token = models.CharField(_("token"), max_length=64, unique=True, null=True, blank=True, editable=False)
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=16, choices=CancelReason.choices, default=CancelReason.NONE, blank=True
    )
    # The registrant's coalition and its phase when they registered (network.models.coalition_of): the participant
    # list and the overview show how far each is, without asking everyone; a later phase change leaves it as it was.
    coalition = models.ForeignKey(
        "network.Coalition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coalition"),
    )
    coalition_phase = models.CharField(_("phase of the coalition"), max_length=16, choices=Phase.choices, blank=True)
    # Keyed by the id of the event's IntakeQuestion (as a string), each answer a JSON value of its question's type.
    answers = models.JSONField(_("answers to the intake questions"), default=dict, blank=True)
    # The breakout session chosen or assigned; a member on the waiting list keeps their wish.
    session = models.ForeignKey(
        "events.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("breakout session"),
    )
    consent_to_list = models.BooleanField(_("appears on the participant list"), default=False)
    checked_in = models.BooleanField(_("checked in"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # The code printed on the certificate of attendance, given when it is first made (services.issue_certificate):
    # random and stored, not derived from the id, so a printed certificate stays verifiable whatever happens to
    # the secret key, and unguessable (60 bits). It outlives anonymisation: the certificate was issued.
    certificate_code = models.CharField(
        _("certificate code"), max_length=12, unique=True, null=True, blank=True, editable=False
    )

    objects = RegistrationQuerySet.as_manager()
    constraint_error_fields = {"registered_twice": "profile", "guest_registered_twice": "email"}

    class Meta:
        ordering = ["registered_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "profile"],
                name="registration_once_per_member",
                violation_error_code="registered_twice",
                violation_error_message=_("This person is already registered for this event."),
            ),
            models.UniqueConstraint(
                "event",
                Lower("email"),
                condition=Q(email__gt="") & ~Q(state="cancelled"),
                name="registration_once_per_guest_address",
                violation_error_code="guest_registered_twice",
                violation_error_message=_("This address is already registered for this event."),
            ),
        ]
        indexes = [models.Index(fields=["event", "state", "waiting_since"])]

    def __str__(self):
        return f"{self.name or _('(anonymised)')} – {self.event}"

    @property
    def is_confirmed(self):
        return self.state == self.State.CONFIRMED

    @property
    def is_waiting(self):
        return self.state == self.State.WAITING

    @property
    def is_cancelled(self):
        return self.state == self.State.CANCELLED

    @property
    def is_pending(self):
        return self.state == self.State.PENDING

    @property
    def is_guest(self):
        """Registered without a member account (an anonymised registration is nobody's: not a guest)."""
        return self.profile_id is None and bool(self.email)

    @property
    def confirm_by(self):
        """Until when a pending guest can confirm their address."""
        return self.registered_at + timedelta(hours=GUEST_CONFIRMATION_HOURS)

    def waiting_position(self):
        """1 for the first on the waiting list; None when not waiting.

        Read from `with_waiting_position()` when the registration came from it, else one query.
        """
        if not self.is_waiting:
            return None
        if getattr(self, "queue_position", None) is not None:
            return self.queue_position
        positions = Registration.objects.filter(pk=self.pk).with_waiting_position()
        return positions.values_list("queue_position", flat=True)[0]

    @property
    def has_certificate(self):
        """A certificate of attendance: checked in at an event that took place (started, not cancelled), and the
        registration not cancelled since. Un-checking someone in withdraws it."""
        return self.checked_in and not self.is_cancelled and self.event.gives_certificates

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    def can_be_cancelled_by_member(self, now=None):
        return not self.is_cancelled and (now or timezone.now()) < self.event.cancellation_closes_at

    def answers_in_order(self, questions):
        """(question, readable answer) for each of `questions` (the event's, in order; prefetch them for a list)."""
        answers = self.answers or {}
        return [(question, question.display(answers.get(str(question.pk)))) for question in questions]


class InvitationQuerySet(models.QuerySet):
    def addresses(self):
        """The invited addresses (stored lower-case), e.g. to leave them out of a new audience."""
        return self.values_list("email", flat=True)

    def remindable(self):
        """Invitations without an answer that were never reminded: a reminder goes once."""
        return self.filter(answer=Invitation.Answer.NO_ANSWER, reminded_at__isnull=True)


class Invitation(ConstraintErrorsAtFields, models.Model):
    """One person invited to an event, with their answer from the one-click links."""

    class Answer(models.TextChoices):
        NO_ANSWER = "none", _("No answer")
        COMING = "coming", _("Coming")
        NOT_COMING = "not_coming", _("Not coming")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("event"))
    profile = models.ForeignKey(
        "members.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_invitations",
        verbose_name=_("member"),
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token, editable=False)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, default=Answer.NO_ANSWER)
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    constraint_error_fields = {"invited_twice": "email"}

    class Meta:
        ordering = ["invited_at", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                name="invitation_once_per_address",
                violation_error_code="invited_twice",
                violation_error_message=_("This address is already invited to this event."),
            )
        ]

    def __str__(self):
        return f"{self.email} – {self.event}"


def material_path(instance, filename):
    return f"{instance.event_id}/{filename}"


class Material(models.Model):
    """A presentation or document for the participants, downloadable only through a checked view."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials", verbose_name=_("event"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_path, storage=material_storage, max_length=300)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:material_download", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        if self.file:
            try:
                validate_document(self.file)
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from error

    @property
    def filename(self):
        return Path(self.file.name).name


class CalendarFeed(models.Model):
    """The secret address of a member's personal calendar feed; a new token revokes the old one."""

    profile = models.OneToOneField(
        "members.Profile", on_delete=models.CASCADE, related_name="event_calendar_feed", verbose_name=_("member")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.profile)

    def get_absolute_url(self):
        return reverse("events:calendar_feed", kwargs={"token": self.token})


class EventMailingQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate each mailing's recipients (`total_count`) and how many were sent or failed, in one query."""
        states = Delivery.State
        return self.select_related("mailing").annotate(
            total_count=Count("mailing__deliveries"),
            sent_count=Count("mailing__deliveries", filter=Q(mailing__deliveries__state=states.SENT)),
            failed_count=Count("mailing__deliveries", filter=Q(mailing__deliveries__state=states.FAILED)),
        )


class EventMailing(models.Model):
    """Ties an outbox mailing to the event it was about, so the admin shows each mailing's state."""

    class Purpose(models.TextChoices):
        CONFIRMATION = "confirmation", _("Registration confirmed")
        WAITING = "waiting", _("Waiting list")
        PROMOTED = "promoted", _("Moved up from the waiting list")
        CANCELLED_REGISTRATION = "registration_cancelled", _("Registration cancelled")
        UPDATE = "update", _("Changed time or place")
        EVENT_CANCELLED = "event_cancelled", _("Event cancelled")
        INVITATION = "invitation", _("Invitation")
        INVITATION_REMINDER = "invitation_reminder", _("Invitation reminder")
        REMINDER = "reminder", _("Reminder before the event")
        MATERIALS = "materials", _("Materials and feedback request")
        MESSAGE = "message", _("Message to participants")
        CERTIFICATES = "certificates", _("Certificates of attendance")
        GUEST_ADDRESS = "guest_address", _("Guest: confirm the address")
        OVERVIEW = "overview", _("Programme and participant overview")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_mailings", verbose_name=_("event"))
    mailing = models.OneToOneField(
        "coalition.Mailing", on_delete=models.CASCADE, related_name="event_link", verbose_name=_("mailing")
    )
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)

    objects = EventMailingQuerySet.as_manager()

    class Meta:
        ordering = ["-mailing__created_at", "-pk"]
        verbose_name = _("event mailing")
        verbose_name_plural = _("event mailings")

    def __str__(self):
        return f"{self.event}: {self.get_purpose_display()}"


class MeetingNotes(models.Model):
    """What a group's meeting decided, written by a group coordinator afterwards and sent to the group."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="notes", verbose_name=_("meeting"))
    decisions = models.TextField(
        _("decisions"), max_length=10000, help_text=_("Markdown: **bold**, *italic*, lists and links.")
    )
    summary = models.TextField(
        _("other notes"), max_length=10000, blank=True, help_text=_("Markdown: **bold**, *italic*, lists and links.")
    )
    # Linked, not retyped: the group's actions this meeting created and those it closed.
    actions_created = models.ManyToManyField(
        "groups.Action", blank=True, related_name="created_in_notes", verbose_name=_("actions created")
    )
    actions_closed = models.ManyToManyField(
        "groups.Action", blank=True, related_name="closed_in_notes", verbose_name=_("actions closed")
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("meeting notes")
        verbose_name_plural = _("meeting notes")

    def __str__(self):
        return str(self.event)


class Case(models.Model):
    """A case put to a case consultation (MDO) meeting: a theme and a question, never anything about the client.

    The professional keeps consent and the case's details in their own system. The text fields are checked for
    obvious identifiers (groups.privacy); after the retention period the case is detached from who submitted it.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cases", verbose_name=_("meeting"))
    theme = models.CharField(
        _("theme"),
        max_length=200,
        validators=[validate_no_identifiers],
        help_text=_("For example: money worries around a birth."),
    )
    question = models.TextField(
        _("question for the consultation"),
        max_length=2000,
        validators=[validate_no_identifiers],
        help_text=_("What you would like the others to think about."),
    )
    advice = models.TextField(
        _("what the consultation advised"), max_length=4000, blank=True, validators=[validate_no_identifiers]
    )
    submitted_by = models.ForeignKey(
        "members.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_cases",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    detached_at = models.DateTimeField(_("detached from the submitter at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self):
        return self.theme
