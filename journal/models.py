"""The community journal: editions, stories, tips, the editorial team, subscribers and preview links."""

import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.mail import absolute_url
from coalition.markdown import render_markdown
from coalition.models import ConstraintErrorsAtFields
from coalition.rules import is_editor
from coalition.storage import PrivateStorage, validate_pdf

# Slugs an edition may not take because /journal/<slug>/ would shadow a page of the journal.
RESERVED_SLUGS = {"feed", "tips", "subscribe", "confirm", "unsubscribe", "subscription", "preview", "desk", "team"}

MAGAZINE_MAX_BYTES = 25 * 1024 * 1024
PREVIEW_DEFAULT_DAYS = 14
UNSUBSCRIBE_SALT = "journal.unsubscribe"


# What XML 1.0 cannot carry: control characters other than tab, LF and CR (pasted from Word, they took the
# Atom feed down), lone surrogates, and U+FFFE/U+FFFF.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_xml_invalid(text):
    """`text` without the characters XML 1.0 (the feed) cannot carry; everything else as it was."""
    return _XML_INVALID.sub("", text) if text else text


def _strip_xml_invalid_fields(instance):
    """Clean every text field of a journal row before it is saved: the feed and the mails carry them."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, strip_xml_invalid(value))


def validate_edition_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This web address is reserved for a page of the journal; choose another."))


protected_storage = PrivateStorage("journal")


def validate_magazine(file):
    """A magazine is a PDF of at most MAGAZINE_MAX_BYTES (the field's validator; migrations name it)."""
    validate_pdf(file, max_bytes=MAGAZINE_MAX_BYTES)


# --- Films: only YouTube and Vimeo, embedded in their privacy-friendly modes -------------------

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{5,12}$")


def parse_video_url(url):
    """Return (provider, video id) for a YouTube or Vimeo address, or None for anything else."""
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return None
    if parsed.scheme not in {"http", "https"}:
        return None
    host = (parsed.hostname or "").lower()
    parts = [p for p in parsed.path.split("/") if p]
    if host in {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"}:
        if parts == ["watch"]:
            candidate = parse_qs(parsed.query).get("v", [""])[0]
        elif len(parts) == 2 and parts[0] in {"embed", "shorts", "live", "v"}:
            candidate = parts[1]
        else:
            return None
        return ("youtube", candidate) if _YOUTUBE_ID.match(candidate) else None
    if host == "youtu.be":
        return ("youtube", parts[0]) if len(parts) == 1 and _YOUTUBE_ID.match(parts[0]) else None
    if host in {"vimeo.com", "www.vimeo.com"}:
        return ("vimeo", parts[0]) if len(parts) == 1 and _VIMEO_ID.match(parts[0]) else None
    if host == "player.vimeo.com":
        return ("vimeo", parts[1]) if len(parts) == 2 and parts[0] == "video" and _VIMEO_ID.match(parts[1]) else None
    return None


def validate_video_url(value):
    if parse_video_url(value) is None:
        raise ValidationError(
            _(
                "Only films on YouTube or Vimeo can be shown. Paste the address of the film's page, "
                "such as https://www.youtube.com/watch?v=… or https://vimeo.com/…"
            ),
            code="video_host",
        )


class State(models.TextChoices):
    """The workflow of editions and stories: draft → review → approved → (scheduled →) published."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Ready for review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")


# --- Editions ------------------------------------------------------------------------------------


class EditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Edition.State.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user):
        """Editors and coordinators see every edition; everyone else the published ones (the `journal.read` rule)."""
        return self.all() if is_editor(user) else self.published()

    def due(self, now=None):
        """Scheduled editions whose publication time has come."""
        return self.filter(state=Edition.State.SCHEDULED, published_at__lte=now or timezone.now())


class Edition(models.Model):
    """One edition of the community journal."""

    State = State

    number = models.PositiveIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, validators=[validate_edition_slug])
    theme = models.ForeignKey(
        "members.Theme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="editions",
        verbose_name=_("theme"),
    )
    cover = models.ImageField(
        _("cover image"),
        upload_to="journal/covers/",
        blank=True,
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Location data and other metadata are removed."),
    )
    cover_alt = models.CharField(
        _("description of the cover image"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    introduction = models.TextField(_("introduction"), blank=True)
    # The coalitions the edition is about: its published stories appear on those coalitions' pages.
    coalitions = models.ManyToManyField(
        "network.Coalition", blank=True, related_name="editions", verbose_name=_("coalitions")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(
        _("publication date and time"),
        null=True,
        blank=True,
        help_text=_("For a scheduled edition: when it goes online and is mailed."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published or scheduled by"),
    )
    # The one mailing of this edition: a one-to-one, so an edition can never be mailed twice.
    mailing = models.OneToOneField(
        "coalition.Mailing",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="journal_edition",
        verbose_name=_("mailing"),
    )
    # A scheduled publish-and-mail: the check the coordinator confirmed for it. At the due time the mail goes,
    # through this check, to everyone subscribed at that moment (journal.services.publish_due_editions).
    scheduled_check = models.OneToOneField(
        "coalition.MailCheck",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="scheduled_edition",
        verbose_name=_("check of the scheduled mail"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        permissions = [("publish_edition", _("Can publish and mail an edition"))]
        indexes = [models.Index(fields=["state", "published_at"])]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def save(self, *args, **kwargs):
        _strip_xml_invalid_fields(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("journal:edition_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return (
            self.state == self.State.PUBLISHED and self.published_at is not None and self.published_at <= timezone.now()
        )

    def missing(self):
        """What still stands between this edition and a good publication, as readable sentences."""
        problems = []
        if not self.cover:
            problems.append(_("There is no cover image."))
        elif not self.cover_alt:
            problems.append(_("The cover image has no description for screen readers."))
        if not self.introduction.strip():
            problems.append(_("There is no introduction."))
        stories = list(self.stories.all())
        if not stories:
            problems.append(_("The edition has no stories yet."))
        for story in stories:
            if story.state in {State.DRAFT, State.REVIEW}:
                problems.append(
                    _("The story “%(title)s” is still “%(state)s”.")
                    % {"title": story.title, "state": story.get_state_display()}
                )
            problems.extend(story.missing())
        return problems


# --- Stories -------------------------------------------------------------------------------------


class StoryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            state=State.PUBLISHED,
            edition__state=State.PUBLISHED,
            edition__published_at__lte=timezone.now(),
        )

    def visible_to(self, user):
        """Editors and coordinators see every story; everyone else the published ones (the `journal.read` rule)."""
        return self.all() if is_editor(user) else self.published()


class Story(ConstraintErrorsAtFields, models.Model):
    """A piece of an edition: article, film, panel conversation, interview, practice example or magazine."""

    State = State

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        FILM = "film", _("Film")
        PANEL = "panel", _("Panel conversation")
        INTERVIEW = "interview", _("Interview")
        PRACTICE = "practice", _("Practice example")
        MAGAZINE = "magazine", _("Magazine (PDF)")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="stories", verbose_name=_("edition"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    lead = models.TextField(
        _("lead"), max_length=600, blank=True, help_text=_("One or two sentences that invite reading.")
    )
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_("Markdown: **bold**, *italic*, [link](https://…), lists and headings. HTML is cleaned."),
    )
    # The sanitised HTML of the body, rendered on save so pages never render Markdown per request.
    body_html = models.TextField(editable=False, blank=True)
    video_url = models.URLField(
        _("film address"),
        blank=True,
        validators=[validate_video_url],
        help_text=_("A film on YouTube or Vimeo; it is shown in privacy-friendly mode, only after a click."),
    )
    attachment = models.FileField(
        _("magazine (PDF)"),
        upload_to="magazines/",  # under PRIVATE_MEDIA_ROOT/journal/
        storage=protected_storage,
        blank=True,
        validators=[validate_magazine],
        help_text=_("A PDF of at most 25 MB."),
    )
    featured_people = models.ManyToManyField(
        "members.Profile", blank=True, related_name="featured_in_stories", verbose_name=_("people featured")
    )
    featured_organisations = models.ManyToManyField(
        "members.Organisation", blank=True, related_name="featured_in_stories", verbose_name=_("organisations featured")
    )
    authors = models.ManyToManyField(
        "members.Profile", blank=True, related_name="authored_stories", verbose_name=_("authors")
    )
    # The coalitions the story mentions: it appears on their pages once published.
    coalitions = models.ManyToManyField(
        "network.Coalition", blank=True, related_name="stories", verbose_name=_("coalitions")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StoryQuerySet.as_manager()
    constraint_error_fields = {"slug_taken": "slug"}

    class Meta:
        ordering = ["edition", "order", "pk"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "slug"],
                name="story_slug_unique_per_edition",
                violation_error_code="slug_taken",
                violation_error_message=_("Another story of this edition has this slug."),
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        _strip_xml_invalid_fields(self)
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("journal:story_detail", kwargs={"edition_slug": self.edition.slug, "slug": self.slug})

    def clean(self):
        if self.kind == self.Kind.FILM and not self.video_url:
            raise ValidationError({"video_url": _("A film needs the address of the film on YouTube or Vimeo.")})

    def get_attachment_url(self):
        return reverse("journal:story_attachment", kwargs={"edition_slug": self.edition.slug, "slug": self.slug})

    @property
    def is_published(self):
        return self.state == State.PUBLISHED and self.edition.is_published

    @property
    def is_in_progress(self):
        """Its own state is not published yet (draft, review, approved, scheduled): a preview says which."""
        return self.state != State.PUBLISHED

    @property
    def video(self):
        """How to show the film: the page to link to without JavaScript and the privacy-mode player."""
        parsed = parse_video_url(self.video_url) if self.video_url else None
        if parsed is None:
            return None
        provider, video_id = parsed
        if provider == "youtube":
            return {
                "provider": "YouTube",
                "page_url": f"https://www.youtube.com/watch?v={video_id}",
                "embed_url": f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1&rel=0",
            }
        return {
            "provider": "Vimeo",
            "page_url": f"https://vimeo.com/{video_id}",
            "embed_url": f"https://player.vimeo.com/video/{video_id}?dnt=1&autoplay=1",
        }

    def missing(self):
        problems = []
        if self.kind == self.Kind.FILM and not self.video_url:
            problems.append(_("The film “%(title)s” has no film address.") % {"title": self.title})
        if self.kind == self.Kind.MAGAZINE and not self.attachment:
            problems.append(_("The magazine “%(title)s” has no PDF.") % {"title": self.title})
        if not self.lead.strip():
            problems.append(_("The story “%(title)s” has no lead.") % {"title": self.title})
        return problems


# --- Tips ----------------------------------------------------------------------------------------


class TipQuerySet(models.QuerySet):
    def search(self, text):
        """Tips whose text, people involved or sender's name mention `text` (any case)."""
        return self.filter(Q(what__icontains=text) | Q(who__icontains=text) | Q(name__icontains=text))


class Tip(models.Model):
    """A lead for the editorial team, sent by a member or by an outside visitor."""

    class State(models.TextChoices):
        NEW = "new", _("New")
        CONSIDERING = "considering", _("Under consideration")
        ASSIGNED = "assigned", _("Assigned to an editor")
        USED = "used", _("Used in a story")
        DECLINED = "declined", _("Declined")

    what = models.TextField(_("what is the tip?"), max_length=3000)
    who = models.TextField(
        _("who is involved?"),
        max_length=1000,
        blank=True,
        help_text=_("People or organisations the story could be about."),
    )
    why_now = models.TextField(_("why now?"), max_length=1000, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="journal_tips",
        verbose_name=_("sent by member"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_journal_tips",
        verbose_name=_("editor"),
    )
    story = models.ForeignKey(
        Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="tips", verbose_name=_("story it became")
    )
    note = models.TextField(_("internal note"), blank=True)
    sender_notified_at = models.DateTimeField(_("sender told at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return self.what[:60]

    def clean(self):
        # An assigned tip names its editor, a used one its story: in the admin and on the site alike.
        errors = {}
        if self.state == self.State.ASSIGNED and not self.assigned_to_id:
            errors["assigned_to"] = _("Choose the editor the tip is assigned to.")
        if self.state == self.State.USED and not self.story_id:
            errors["story"] = _("Choose the story this tip became.")
        if errors:
            raise ValidationError(errors)

    @property
    def sender_name(self):
        if self.sender_id:
            return self.sender.get_full_name() or self.sender.email
        return self.name

    @property
    def sender_email(self):
        return self.sender.email if self.sender_id else self.email


# --- The editorial team --------------------------------------------------------------------------


class EditorialMembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        day = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)

    def tip_mail_of(self, user):
        """Whether `user` gets a mail for every new tip; None when they are not on the team now (nothing to switch)."""
        return (
            self.current()
            .filter(user=user)
            .values_list("notify_of_tips", flat=True)
            .order_by("-notify_of_tips")
            .first()
        )


class EditorialMembership(ConstraintErrorsAtFields, models.Model):
    """A period in which a member sits on the rotating editorial team."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="editorial_memberships",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=100, blank=True, help_text=_("For example: final editing, films."))
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    notify_of_tips = models.BooleanField(
        _("mail me when a tip comes in"),
        default=True,
        help_text=_("Untick to stop the mail about every new tip; the tips stay on the tip desk."),
    )

    objects = EditorialMembershipQuerySet.as_manager()
    constraint_error_fields = {"ends_before_start": "end_date"}

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("editorial team membership")
        verbose_name_plural = _("editorial team memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="editorial_membership_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.start_date:%d-%m-%Y})"


# --- Subscribers ---------------------------------------------------------------------------------


class SubscriberQuerySet(models.QuerySet):
    KINDS = {"journal": "wants_journal", "invitations": "wants_invitations"}

    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def receiving(self, kind):
        """Who gets mail of this kind ("journal" or "invitations"): confirmed and not unsubscribed from it."""
        try:
            field = self.KINDS[kind]
        except KeyError:
            raise ValueError(f"Unknown subscription kind {kind!r}; use one of {sorted(self.KINDS)}.") from None
        # A deactivated account gets nothing; visitors without an account keep their subscription.
        return self.confirmed().filter(**{field: True}).exclude(user__is_active=False)


class Subscriber(models.Model):
    """An address that receives the journal, event invitations, or both."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="journal_subscription",
        verbose_name=_("member account"),
    )
    wants_journal = models.BooleanField(_("receive the journal"), default=True)
    wants_invitations = models.BooleanField(_("receive event invitations"), default=True)
    # None chosen: the whole region. Chosen: the stories and events of these coalitions come first in the
    # edition mail (every subscriber still gets the whole edition).
    coalitions = models.ManyToManyField(
        "network.Coalition",
        blank=True,
        related_name="journal_followers",
        verbose_name=_("coalitions followed"),
        help_text=_("Leave empty to follow the whole region."),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    created_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    def unsubscribe_token(self, kind):
        if kind not in SubscriberQuerySet.KINDS:
            raise ValueError(f"Unknown subscription kind {kind!r}.")
        return signing.dumps({"s": self.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)

    def unsubscribe_url(self, kind):
        """An absolute one-click link that stops mail of this kind; it works without logging in."""
        return absolute_url(reverse("journal:unsubscribe", kwargs={"token": self.unsubscribe_token(kind)}))


# --- Preview links -------------------------------------------------------------------------------


def _default_preview_expiry():
    return timezone.now() + timedelta(days=PREVIEW_DEFAULT_DAYS)


def _new_token():
    return secrets.token_urlsafe(24)


class PreviewLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(ConstraintErrorsAtFields, models.Model):
    """A signed, expiring, revocable link that shows unpublished work to people without an account."""

    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="preview_links",
        verbose_name=_("edition"),
    )
    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, null=True, blank=True, related_name="preview_links", verbose_name=_("story")
    )
    expires_at = models.DateTimeField(_("expires at"), default=_default_preview_expiry)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PreviewLinkQuerySet.as_manager()
    constraint_error_fields = {"edition_or_story": "story"}

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")
        constraints = [
            models.CheckConstraint(
                condition=(Q(edition__isnull=False, story__isnull=True) | Q(edition__isnull=True, story__isnull=False)),
                name="preview_link_for_edition_or_story",
                violation_error_code="edition_or_story",
                violation_error_message=_("A preview link is for an edition or for one of its stories, not both."),
            )
        ]

    def __str__(self):
        return str(self.edition or self.story)

    def get_absolute_url(self):
        return reverse("journal:preview", kwargs={"token": self.signed_token()})

    @property
    def target(self):
        return self.edition or self.story

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def signed_token(self):
        return signing.Signer(salt="journal.preview").sign(self.token)

    def full_url(self):
        return absolute_url(self.get_absolute_url())
