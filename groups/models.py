"""Groups that work between meetings: working groups, sounding-board groups and case consultations (MDO), their
members, their action list with its history, their documents and the notifications they send."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coalition.models import ConstraintErrorsAtFields, account_field
from coalition.storage import PrivateStorage, validate_document
from members.models import Profile, Theme
from network.models import Coalition

_document_storage = PrivateStorage("group-documents")

# /groups/<slug>/ may not take these: a page of groups lives there (groups/urls.py).
RESERVED_SLUGS = {"report", "mail"}


def validate_group_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This web address is reserved for a page of the portal; choose another."))


def document_storage():
    return _document_storage


def document_path(instance, filename):
    return f"{instance.group_id}/{filename}"


class GroupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def of_coalition(self, coalition):
        """The groups of one coalition; `None` for the regional groups."""
        return self.filter(coalition=coalition) if coalition is not None else self.filter(coalition__isnull=True)


class Group(models.Model):
    """A working group on a focus point, a sounding-board group or a case consultation (MDO), of one coalition
    or of the region."""

    class Kind(models.TextChoices):
        WORKING_GROUP = "working_group", _("Working group")
        SOUNDING_BOARD = "sounding_board", _("Sounding-board group")
        CASE_CONSULTATION = "case_consultation", _("Case consultation (MDO)")

    class Joining(models.TextChoices):
        OPEN = "open", _("Open: every member can join")
        ON_REQUEST = "on_request", _("On request: a group coordinator accepts")
        BY_INVITATION = "by_invitation", _("By invitation only")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("web address"),
        max_length=100,
        unique=True,
        validators=[validate_group_slug],
        help_text=_("The last part of the group's page address: lower-case letters, digits and hyphens."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKING_GROUP)
    coalition = models.ForeignKey(
        Coalition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("coalition"),
        help_text=_("Empty for a regional group."),
    )
    purpose = models.TextField(
        _("purpose"), max_length=2000, help_text=_("What the group works on and what it wants to have achieved.")
    )
    focus_points = models.ManyToManyField(Theme, blank=True, related_name="groups", verbose_name=_("focus points"))
    joining = models.CharField(_("how one joins"), max_length=16, choices=Joining.choices, default=Joining.ON_REQUEST)
    archived_at = models.DateTimeField(
        _("archived at"), null=True, blank=True, help_text=_("An archived group keeps its record but takes no work.")
    )
    created_by = account_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups:group_detail", kwargs={"slug": self.slug})

    @property
    def is_case_consultation(self):
        return self.kind == self.Kind.CASE_CONSULTATION

    @property
    def is_archived(self):
        return self.archived_at is not None


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=Membership.State.ACTIVE)

    def coordinators(self):
        return self.active().filter(role=Membership.Role.COORDINATOR)


class Membership(ConstraintErrorsAtFields, models.Model):
    """A member's place in a group: asked for, invited to, or held (as a member or a group coordinator)."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        COORDINATOR = "coordinator", _("Group coordinator")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Asked to join")
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Member")

    class Notifications(models.TextChoices):
        EACH = "each", _("A mail for each new thing")
        DIGEST = "digest", _("One daily digest")
        OFF = "off", _("No mails")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group"))
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="group_memberships", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    notifications = models.CharField(
        _("mails about this group"), max_length=8, choices=Notifications.choices, default=Notifications.EACH
    )
    message = models.CharField(
        _("message"), max_length=500, blank=True, help_text=_("Why you want to join, or why you are invited.")
    )
    invited_by = account_field(_("invited by"))
    decided_by = account_field(_("accepted by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    constraint_error_fields = {"membership_twice": "profile"}

    class Meta:
        ordering = ["group", "profile__sort_surname", "profile__sort_first_name", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "profile"],
                name="group_membership_once",
                violation_error_code="membership_twice",
                violation_error_message=_("This person is already in this group, or has asked or been invited."),
            ),
        ]
        indexes = [models.Index(fields=["profile", "state"])]

    def __str__(self):
        return f"{self.profile} – {self.group}"

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE

    @property
    def is_coordinator(self):
        return self.is_active and self.role == self.Role.COORDINATOR


class ActionQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=Action.UNFINISHED)

    def overdue(self, today=None):
        return self.unfinished().filter(due_on__lt=today or timezone.localdate())

    def of_profile(self, profile):
        return self.filter(owners=profile)


class Action(ConstraintErrorsAtFields, models.Model):
    """What a group agreed to do: who does it, by when, how far it is, and what came of it."""

    class Status(models.TextChoices):
        # In their own context: "In progress" of an action is not the journal edition's ("In de maak").
        OPEN = "open", pgettext_lazy("action status", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
        DONE = "done", pgettext_lazy("action status", "Done")
        DROPPED = "dropped", pgettext_lazy("action status", "Dropped")

    UNFINISHED = (Status.OPEN, Status.IN_PROGRESS)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="actions", verbose_name=_("group"))
    title = models.CharField(_("what"), max_length=300)
    description = models.TextField(_("explanation"), max_length=4000, blank=True)
    owners = models.ManyToManyField(Profile, related_name="group_actions", verbose_name=_("who"))
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    progress_note = models.CharField(_("progress"), max_length=500, blank=True)
    result_url = models.URLField(_("result (link)"), max_length=500, blank=True)
    result_document = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="results_of",
        verbose_name=_("result (document)"),
    )
    # When the owners were last reminded that it is due (groups.tasks sends one reminder per due date).
    reminded_for = models.DateField(_("reminded for the due date"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    created_by = account_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["group", "status", "due_on"]), models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("groups:action_detail", kwargs={"slug": self.group.slug, "pk": self.pk})

    @property
    def is_finished(self):
        return self.status not in self.UNFINISHED

    @property
    def is_overdue(self):
        return not self.is_finished and self.due_on is not None and self.due_on < timezone.localdate()


class ActionChange(models.Model):
    """One step in an action's history: who changed what, when, from which value to which."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes", verbose_name=_("action"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = account_field(_("by"))
    # {field name: [old, new]} as shown to people (names, dates, statuses' values); filled by groups.services.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("change of an action")
        verbose_name_plural = _("changes of actions")

    def __str__(self):
        return f"{self.action} – {self.at:%Y-%m-%d %H:%M}"


class Document(models.Model):
    """A file of a group, served only to those who may see inside the group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="documents", verbose_name=_("group"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to=document_path,
        storage=document_storage,
        max_length=300,
        validators=[validate_document],
        help_text=_("PDF, Office and OpenDocument files, images and text; at most 25 MB."),
    )
    uploaded_by = account_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("groups:document_download", kwargs={"slug": self.group.slug, "pk": self.pk})


class Notice(models.Model):
    """Something a member is told about a group (an action assigned, due, a new document), kept until it is mailed
    on its own or in the member's daily digest."""

    class Kind(models.TextChoices):
        ACTION_ASSIGNED = "action_assigned", _("Action assigned to you")
        ACTION_DUE = "action_due", _("Action almost due")
        JOIN_REQUEST = "join_request", _("Request to join")
        INVITATION = "invitation", _("Invitation to join")
        ACCEPTED = "accepted", _("Request accepted")
        DOCUMENT = "document", _("New document")
        MEETING = "meeting", _("New meeting")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="group_notices", verbose_name=_("for"))
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="notices", verbose_name=_("group"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["mailed_at", "profile"], condition=Q(mailed_at__isnull=True), name="notice_unmailed")
        ]

    def __str__(self):
        return self.text


def validate_not_in_past(value):
    """A due date a person types: today or later."""
    if value is not None and value < timezone.localdate():
        raise ValidationError(_("The due date is in the past: choose today or a later date."), code="past")
