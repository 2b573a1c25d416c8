"""An announcement: a subject, a Markdown body, an optional attachment and call to action, and who it goes to."""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.markdown import render_markdown
from coalition.models import Delivery, Mailing
from coalition.storage import PrivateStorage, validate_document
from network.models import Coalition

# The same file types as every shared document (coalition.storage.DOCUMENT_EXTENSIONS), smaller: it goes to many.
ATTACHMENT_MAX_BYTES = 10 * 2**20

_attachment_storage = PrivateStorage("announcements")
ATTACHMENT_SALT = "announcements.attachment"


def attachment_storage():
    return _attachment_storage


def attachment_path(instance, filename):
    return f"{instance.created_by_id or 0}/{filename}"


def validate_attachment(file) -> None:
    """A document of an allowed type (coalition.storage.DOCUMENT_EXTENSIONS) and at most ATTACHMENT_MAX_BYTES."""
    validate_document(file, max_bytes=ATTACHMENT_MAX_BYTES)


_web_link = URLValidator(schemes=["http", "https"], message=_("Enter a valid URL."))


def validate_web_link(value: str) -> None:
    """A link a mail may carry: http or https only (no javascript:, ftp:, mailto:)."""
    if urlsplit(value.strip()).scheme.lower() not in {"http", "https"}:
        raise ValidationError(_("A link must start with https:// or http://."), code="scheme")
    _web_link(value)


def addresses_of(user) -> list[str]:
    """The forms a person's address has in deliveries. An announcement's deliveries hold addresses lower-case
    (network.audiences.people_of lowers every address), so the lower-case form finds them whatever the case of the
    account's address; an exact match on (mailing, address) is what the delivery table's unique index answers,
    where a case-insensitive comparison would read every delivery of every mailing."""
    return sorted({user.email, user.email.lower()})


class AnnouncementQuerySet(models.QuerySet):
    def manageable_by(self, user, *, coalition_ids):
        """The announcements `user` may manage: all for a regional coordinator, else those of `coalition_ids`."""
        if coalition_ids is None:
            return self
        return self.filter(coalition_id__in=coalition_ids)

    def received_by(self, user):
        """The sent announcements a delivery of whose mailing went to the user's address (any case)."""
        if not user.is_authenticated or not user.email:
            return self.none()
        deliveries = Delivery.objects.filter(mailing=OuterRef("mailing"), address__in=addresses_of(user)).exclude(
            state=Delivery.State.SKIPPED
        )
        return self.filter(mailing__isnull=False).filter(Exists(deliveries))

    def with_progress(self):
        """Each announcement's delivery counts per state, in the same query (as Mailing.objects.with_progress)."""
        states = Delivery.State
        deliveries = "mailing__deliveries"
        return self.annotate(
            total_count=models.Count(deliveries),
            sent_count=models.Count(deliveries, filter=models.Q(mailing__deliveries__state=states.SENT)),
            pending_count=models.Count(deliveries, filter=models.Q(mailing__deliveries__state=states.PENDING)),
            failed_count=models.Count(deliveries, filter=models.Q(mailing__deliveries__state=states.FAILED)),
            skipped_count=models.Count(deliveries, filter=models.Q(mailing__deliveries__state=states.SKIPPED)),
        )


class Announcement(models.Model):
    """News for a part of the network. A draft can be changed; once sent it stays as it went out."""

    coalition = models.ForeignKey(
        Coalition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("coalition"),
        help_text=_("Empty: a regional announcement."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: *italic*, **bold**, lists, links."))
    attachment = models.FileField(
        _("attachment"),
        upload_to=attachment_path,
        storage=attachment_storage,
        max_length=300,
        blank=True,
        validators=[validate_attachment],
        help_text=_("Optional; at most 10 MB. PDF, Office and OpenDocument files, images and text."),
    )
    cta_label = models.CharField(
        _("button text"), max_length=80, blank=True, help_text=_("Optional: a button under the text.")
    )
    cta_url = models.CharField(
        _("button link"),
        max_length=500,
        blank=True,
        validators=[validate_web_link],
        help_text=_("Where the button leads, starting with https://."),
    )
    segment = models.JSONField(_("recipients"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    mailing = models.OneToOneField(
        Mailing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="announcement",
        verbose_name=_("mailing"),
    )
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-created_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("announcements:announcement_detail", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        if self.cta_url and not self.cta_label:
            raise ValidationError({"cta_label": _("Give the button a text, or leave the link empty.")})
        if self.cta_label and not self.cta_url:
            raise ValidationError({"cta_url": _("Give the link the button leads to, or leave the text empty.")})

    @property
    def is_sent(self):
        return self.sent_at is not None

    @property
    def body_html(self):
        """The body as sanitised HTML (coalition.markdown: the portal's one sanitiser)."""
        return render_markdown(self.body)

    @property
    def attachment_name(self):
        return Path(self.attachment.name).name if self.attachment else ""

    def attachment_token(self, address: str) -> str:
        """The signed part of one recipient's attachment link: a journal subscriber without an account opens the
        attachment with it, as a member does; it names this announcement and the address it was mailed to."""
        return signing.dumps([self.pk, address.lower()], salt=ATTACHMENT_SALT, compress=True)

    def address_of_attachment_token(self, token: str) -> str | None:
        """The address a genuine link of this announcement was made for; None for any other token."""
        try:
            pk, address = signing.loads(token, salt=ATTACHMENT_SALT)
        except (signing.BadSignature, TypeError, ValueError):
            return None
        return address if pk == self.pk and isinstance(address, str) else None

    def reached(self, address: str) -> bool:
        """Whether the mail went to `address` (a skipped delivery did not reach it)."""
        return (
            self.mailing_id is not None
            and Delivery.objects.filter(mailing_id=self.mailing_id, address__iexact=address)
            .exclude(state=Delivery.State.SKIPPED)
            .exists()
        )
