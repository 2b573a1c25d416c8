"""Cross-cutting records: the mail outbox (Mailing and its Deliveries), the check step every mass mail passes
(MailCheck), the addresses that bounce (Suppression) and what people unsubscribed from (OptOut); where constraint
errors are shown."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def account_field(verbose_name):
    """The account that recorded or decided something; the record outlives the account (SET_NULL)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class ConstraintErrorsAtFields:
    """Model mixin: a violated database constraint is reported at the field a person changes to put it right.

    Django reports a check constraint, and a unique constraint over several fields, as an error of the whole form,
    away from every field, and by default in words that name the constraint ("Constraint “event_ends_after_start”
    is violated."). So every constraint of every model has a `violation_error_message` of its own and a
    `violation_error_code` that the model's `constraint_error_fields` maps to a field: {code: field name}. Model
    forms (the portal's and the admin's) then show the message at that field. coalition/tests/test_form_errors.py
    checks every constraint of every model.
    """

    constraint_error_fields = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = {}
            for name, messages in error.error_dict.items():
                for message in messages:
                    field = self.constraint_error_fields.get(message.code) if name == NON_FIELD_ERRORS else None
                    # A field the form does not have (excluded) cannot show it: then it stays the form's.
                    errors.setdefault(field if field and field not in (exclude or ()) else name, []).append(message)
            raise ValidationError(errors) from error


class MailingQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate delivery counts per state in one query (the admin changelist's columns)."""
        states = Delivery.State
        return self.annotate(
            total_count=Count("deliveries"),
            sent_count=Count("deliveries", filter=Q(deliveries__state=states.SENT)),
            pending_count=Count("deliveries", filter=Q(deliveries__state=states.PENDING)),
            failed_count=Count("deliveries", filter=Q(deliveries__state=states.FAILED)),
            skipped_count=Count("deliveries", filter=Q(deliveries__state=states.SKIPPED)),
        )


class Mailing(models.Model):
    """One mail sent to one or more recipients; the database is the source of truth."""

    class Kind(models.TextChoices):
        TRANSACTIONAL = "transactional", _("Transactional")
        JOURNAL = "journal", _("Journal edition")
        INVITATION = "invitation", _("Event invitation")
        REMINDER = "reminder", _("Event reminder")
        MATERIALS = "materials", _("Event materials")
        ANNOUNCEMENT = "announcement", _("Announcement")
        # A coordinator's message to those registered for an event (a room change, a cancellation): it
        # concerns a registration the person made, so it has no unsubscribe link, but it passes the check step.
        EVENT_MESSAGE = "event_message", _("Message to participants")
        SURVEY = "survey", _("Survey")
        GROUP_NOTES = "group_notes", _("Group notes")
        # One member's own news of a group (an action assigned to them, due, their daily digest): sent by a service
        # or the beat for one person; it says how to stop it and carries List-Unsubscribe for that group.
        GROUP_NOTICE = "group_notice", _("Group notification")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SENT_WITH_FAILURES = "failed", _("Sent with failures")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TRANSACTIONAL)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    template = models.CharField(_("template"), max_length=200, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Pre-rendered content, for mails rendered elsewhere (allauth's); used when template is empty.
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = MailingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        indexes = [models.Index(fields=["state", "queued_at"])]

    def __str__(self):
        # Never the template's name: this is what the admin's lists and headings call the mailing.
        return self.description or self.subject or str(_("Mail without a description"))

    @property
    def is_mass(self):
        """Sent to a list: carries an unsubscribe link and List-Unsubscribe (RFC 8058)."""
        return self.kind not in UNLISTED_KINDS

    @property
    def needs_check(self):
        """Composed by a coordinator for many people: queued only through a confirmed MailCheck."""
        return self.kind in CHECKED_KINDS

    @property
    def is_finished(self):
        return self.state in {self.State.SENT, self.State.SENT_WITH_FAILURES}


# Mails that concern one person's own business (a confirmation, a password) or an event they registered for: no
# unsubscribe link. Every other kind is a list mail.
UNLISTED_KINDS = frozenset({Mailing.Kind.TRANSACTIONAL, Mailing.Kind.EVENT_MESSAGE})
# The kinds a coordinator composes for many people at once: coalition.checkstep is the only way to queue them.
# Reminders are not among them: each is due for one registration, sent by the beat, with nobody to ask.
CHECKED_KINDS = frozenset(
    {
        Mailing.Kind.JOURNAL,
        Mailing.Kind.INVITATION,
        Mailing.Kind.MATERIALS,
        Mailing.Kind.ANNOUNCEMENT,
        Mailing.Kind.EVENT_MESSAGE,
        Mailing.Kind.SURVEY,
        Mailing.Kind.GROUP_NOTES,
    }
)


class Delivery(ConstraintErrorsAtFields, models.Model):
    """One recipient address of a mailing; claimed in batches, sent and marked one at a time."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("mailing"))
    address = models.EmailField(_("address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Fixed when the row is created, so a mail sent again after a crash (see coalition.outbox)
    # carries the same Message-ID and the receiving side can recognise the duplicate.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # A transient SMTP error postpones the next try until then (backoff); empty means now.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A worker claims a batch of pending rows at once (coalition.outbox): the process id of the
    # database session that claimed them, and when (the database's clock). The claim ends when the
    # row is marked, when the worker lets it go, or when that session is gone (a dead worker).
    claimed_by = models.PositiveIntegerField(_("claimed by"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    constraint_error_fields = {"address_in_mailing": "address"}

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "address"],
                name="delivery_unique_per_mailing",
                violation_error_code="address_in_mailing",
                violation_error_message=_("This mailing already goes to this address."),
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "state"]),
            # The workers' queue: the next pending row of a mailing, in order, without a sort. The literal is
            # State.PENDING, which Meta cannot name (a nested class does not see its model's namespace).
            models.Index(fields=["mailing", "id"], condition=Q(state="pending"), name="delivery_pending_queue"),
        ]

    def __str__(self):
        return self.address


def _normal_address(address: str) -> str:
    return address.strip().lower()


class SuppressionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cleared_at__isnull=True)

    def of(self, addresses):
        """The active suppressions of these addresses (any case)."""
        return self.active().filter(address__in=[_normal_address(a) for a in addresses])


class Suppression(models.Model):
    """An address mail cannot reach (a permanent failure): later mailings skip it until it is cleared.

    One row per address (stored lower-case); clearing keeps the row with `cleared_at`, so the history stays.
    """

    class Source(models.TextChoices):
        SMTP = "smtp", _("Refused when sending")
        DSN = "dsn", _("Bounce message")
        WEBHOOK = "webhook", _("Reported by the mail provider")
        MANUAL = "manual", _("Added by a coordinator")

    address = models.EmailField(_("e-mail address"), unique=True)
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.SMTP)
    created_at = models.DateTimeField(_("suppressed at"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cleared by"),
    )

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self):
        return self.address

    @property
    def is_active(self):
        return self.cleared_at is None


class OptOut(ConstraintErrorsAtFields, models.Model):
    """An address that unsubscribed from one topic of list mail (announcements, invitations, …).

    The topics are those of coalition.checkstep.TOPICS. The journal is different: it is subscribed to
    (journal.Subscriber), so its "unsubscribe" ends a subscription rather than adding a row here.
    """

    address = models.EmailField(_("e-mail address"))
    topic = models.CharField(_("topic"), max_length=24)
    created_at = models.DateTimeField(_("unsubscribed at"), default=timezone.now)

    constraint_error_fields = {"opt_out_once": "topic"}

    class Meta:
        ordering = ["address", "topic"]
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["address", "topic"],
                name="opt_out_unique_per_topic",
                violation_error_code="opt_out_once",
                violation_error_message=_("This address has already unsubscribed from this."),
            )
        ]

    def __str__(self):
        return f"{self.address} ({self.topic})"


class MailCheck(models.Model):
    """One pass of the check step (coalition.checkstep): a mass mail as composed, counted and previewed.

    `kind` names a registered MassMail and `params` what it was composed from (ids and typed text, JSON). The
    fingerprint is of the addresses counted; a confirm whose fresh count differs is sent back to be checked again.
    """

    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("composed from"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    counted_at = models.DateTimeField(_("counted at"), default=timezone.now)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    left_out = models.JSONField(_("left out"), default=dict, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    tested_at = models.DateTimeField(_("test sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    mailing = models.OneToOneField(
        Mailing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_check",
        verbose_name=_("mailing"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mail check")
        verbose_name_plural = _("mail checks")

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self):
        return reverse("mail_check", kwargs={"pk": self.pk})

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None
