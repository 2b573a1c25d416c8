"""Render a mail from templates/emails/<name>/ and put it in the outbox; the outbox's services."""

import email.policy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.mail import EmailMultiAlternatives
from django.db import connections, transaction
from django.http import HttpRequest
from django.template.context import make_context
from django.template.loader import get_template, render_to_string
from django.utils import formats, timezone, translation
from django.utils.csp import CSP
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _

from .celery import enqueue_after_commit
from .models import CHECKED_KINDS, Delivery, MailCheck, Mailing, Suppression


@dataclass(frozen=True)
class Recipient:
    """One address of a mailing, with what its mail adds to the mailing's shared context.

    For mass mailings `context["unsubscribe_url"]` is required (absolute URL).
    `attachments` holds dicts {"filename", "content" (text), "mimetype"}.
    """

    email: str
    name: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, str]] = field(default_factory=list)


def queue_mailing(
    *,
    template: str,
    recipients: Iterable[Recipient],
    context: dict[str, Any] | None = None,
    kind: str = Mailing.Kind.TRANSACTIONAL,
    description: str = "",
    created_by: AbstractUser | None = None,
    draft: bool = False,
    check: MailCheck | None = None,
) -> Mailing:
    """Create a mailing with one delivery per distinct address and send it after commit.

    `context` and each recipient's context must be JSON-serialisable: they are stored and the
    mail is rendered by the worker, from templates/emails/<template>/. With `draft=True` the
    rows are created but nothing is sent until `release_mailing(mailing)`.

    A kind a coordinator composes for many people (models.CHECKED_KINDS) is queued only with the
    MailCheck it passed (coalition.checkstep), once. Addresses on the suppression list get a skipped
    delivery with the reason instead of a mail.
    """
    if kind in CHECKED_KINDS and (check is None or check.pk is None or check.mailing_id is not None):
        raise UncheckedMassMail(f"A {kind} mailing is queued only through the check step (coalition.checkstep).")
    with transaction.atomic():
        mailing = Mailing.objects.create(
            kind=kind,
            template=template,
            context=context or {},
            description=description,
            created_by=created_by,
            state=Mailing.State.DRAFT if draft else Mailing.State.QUEUED,
            queued_at=None if draft else timezone.now(),
        )
        if check is not None:
            # Claimed in the database, not on this copy of the check: a copy loaded before the check was used (or
            # a second caller at the same moment) finds it taken, and its mailing is rolled back.
            if not MailCheck.objects.filter(pk=check.pk, mailing__isnull=True).update(mailing=mailing):
                raise UncheckedMassMail(f"Mail check {check.pk} was already used for a mailing.")
            check.mailing = mailing
        _add_deliveries(mailing, recipients, skip_suppressed=True)
        if not draft:
            _enqueue(mailing)
    return mailing


class UncheckedMassMail(ValueError):
    """A mass mail was about to be queued without passing the check step: a programming error."""


def release_mailing(mailing: Mailing) -> Mailing:
    """Queue a draft mailing: its deliveries are sent after the caller's transaction commits."""
    with transaction.atomic():
        released = Mailing.objects.filter(pk=mailing.pk, state=Mailing.State.DRAFT).update(
            state=Mailing.State.QUEUED, queued_at=timezone.now()
        )
        if released:
            _enqueue(mailing)
    mailing.refresh_from_db(fields=["state", "queued_at"])
    return mailing


def retry_failed(mailing: Mailing) -> int:
    """Put the failed deliveries of a mailing back in the queue; returns how many.

    Deliveries already sent are never touched, so retrying cannot send anyone a second copy.
    """
    with transaction.atomic():
        count = Delivery.objects.filter(mailing=mailing, state=Delivery.State.FAILED).update(
            state=Delivery.State.PENDING, attempts=0, next_attempt_at=None, last_error=""
        )
        if count:
            Mailing.objects.filter(pk=mailing.pk).exclude(state=Mailing.State.DRAFT).update(
                state=Mailing.State.QUEUED, queued_at=timezone.now(), finished_at=None
            )
            _enqueue(mailing)
    mailing.refresh_from_db(fields=["state", "queued_at", "finished_at"])
    return count


def send_mail(
    *,
    template: str,
    to: Recipient | AbstractUser | str,
    context: dict[str, Any] | None = None,
    attachments: list[dict[str, str]] | None = None,
    kind: str = Mailing.Kind.TRANSACTIONAL,
    description: str = "",
) -> Mailing:
    """Queue one mail to one address (a Recipient, a user, or a plain address)."""
    if isinstance(to, str):
        recipient = Recipient(email=to, attachments=attachments or [])
    elif isinstance(to, Recipient):
        recipient = to
    else:
        recipient = Recipient(email=to.email, name=to.get_full_name(), attachments=attachments or [])
    return queue_mailing(template=template, recipients=[recipient], context=context, kind=kind, description=description)


def queue_rendered(*, to: str, subject: str, body_text: str, body_html: str = "", description: str = "") -> Mailing:
    """Queue a mail whose content was rendered elsewhere (allauth's account mails)."""
    mailing = Mailing.objects.create(
        kind=Mailing.Kind.TRANSACTIONAL,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        description=description or subject,
        state=Mailing.State.QUEUED,
        queued_at=timezone.now(),
    )
    _add_deliveries(mailing, [Recipient(email=to)])
    _enqueue(mailing)
    return mailing


def render_text(template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
    """Render a mail's subject or text part: plain text, so nothing in it is escaped for HTML.

    Django's engine escapes every variable (and `{% translate %}`) by default, which would put
    `Jan &amp; Piet` and `?a=1&amp;b=2` in the text part; the HTML part is rendered as usual.
    Includes and parent templates render with the same setting.
    """
    template = get_template(template_name).template  # the engine's own Template, to pass a Context
    return template.render(make_context(context, request, autoescape=False))


def absolute_url(path: str) -> str:
    """A link that works from a mail, a feed or a calendar file: the portal's SITE_URL plus the path."""
    return settings.SITE_URL + path


def mail_address(address: str, name: str = "") -> str:
    """`Name <address>` built by the standard library, so any display name arrives intact.

    A name with a period, comma, parentheses, `;`, `<` or `@` is quoted, a non-ASCII one is
    encoded (RFC 2047) when the message is serialised. Line breaks in a name become spaces: a
    header cannot hold them. An invalid address raises ValueError.
    """
    return str(Address(display_name=" ".join(name.split()), addr_spec=address))


def new_message_id() -> str:
    """A Message-ID in the portal's own domain (from SITE_URL), not the worker's host name."""
    return make_msgid(domain=urlparse(settings.SITE_URL).hostname or "localhost")


def _add_deliveries(mailing: Mailing, recipients: Iterable[Recipient], *, skip_suppressed: bool = False) -> None:
    """One delivery per distinct address. With `skip_suppressed`, an address that bounced before is a skipped
    delivery with the reason (account mails are not skipped: confirming an address again clears it)."""
    recipients = list(recipients)
    suppressed = {}
    if skip_suppressed:
        suppressed = {
            s.address: s
            for s in Suppression.objects.of([r.email for r in recipients]).only("address", "reason", "created_at")
        }
    seen = set()
    rows = []
    for recipient in recipients:
        address = recipient.email.strip()
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        if mailing.is_mass and "unsubscribe_url" not in recipient.context:
            raise ValueError(f"Mass mailing to {address} has no unsubscribe_url in its context.")
        row = Delivery(
            mailing=mailing,
            address=address,
            name=recipient.name,
            context=recipient.context,
            attachments=recipient.attachments,
            message_id=new_message_id(),
        )
        suppression = suppressed.get(address.lower())
        if suppression is not None:
            row.state = Delivery.State.SKIPPED
            row.last_error = skip_reason(suppression)
        rows.append(row)
    _insert_deliveries(rows)


def _insert_deliveries(rows: list[Delivery]) -> None:
    """Insert new delivery rows at once. On PostgreSQL through COPY: for a mailing to ten thousand people the ORM's
    INSERT spends most of its second building the statement (issue 15: queued within 2 s of the confirm click,
    bench/announcements.py); COPY takes the same column values (each field's own conversion) in a third of that.
    The rows' primary keys are not read back (nobody uses them). Elsewhere (SQLite) bulk_create."""
    connection = connections[Delivery.objects.db]
    if connection.vendor != "postgresql" or not rows:
        Delivery.objects.bulk_create(rows, batch_size=1000)
        return
    fields = [field for field in Delivery._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields])


def skip_reason(suppression: Suppression) -> str:
    """What a skipped delivery says (in the portal's language: it is stored)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Address suppressed since %(date)s: %(reason)s") % {
            "date": formats.date_format(timezone.localtime(suppression.created_at), "SHORT_DATE_FORMAT"),
            "reason": suppression.reason or suppression.get_source_display(),
        }


def _enqueue(mailing: Mailing) -> None:
    # By name: the engine that coalition.tasks runs (coalition.outbox) imports this module. A broker
    # that is down is logged and the sweep sends later.
    enqueue_after_commit("coalition.tasks.send_mailing", mailing.pk)


# A mail's HTML part shown on the portal (the check page, a mailing's admin page) is its own document, framed by
# that page: the mail's inline styles are allowed there and nothing else is, and only the portal may frame it.
MAIL_FRAME_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "https:", "http:"],
    "frame-ancestors": [CSP.SELF],
    "sandbox": [],
}
# The page that frames it.
MAIL_FRAMING_PAGE_CSP = {**settings.SECURE_CSP, "frame-src": [CSP.SELF, *settings.SECURE_CSP["frame-src"]]}


# The headers Django's EmailMessage.message() writes after the MIME structure's own, in its order;
# OutboxMessage.smtp_bytes() writes them itself, so the cached structure must not carry them.
_MESSAGE_HEADERS = ("Subject", "From", "To", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")
# Those that many messages of a batch repeat (Date: within the same second).
_SHARED_HEADERS = {"Subject", "From", "Date", "List-Unsubscribe-Post"}


class OutboxMessage(EmailMultiAlternatives):
    """One delivery's message; besides Django's own serialising it has a faster one for SMTP.

    `smtp_bytes()` gives the bytes Django's SMTP backend would send (`message(policy=SMTP).as_bytes()`)
    but builds and serialises the MIME structure (the text and HTML parts and the attachments, with
    their headers) once for all the messages that share it, in `shared`, a dict a batch passes to
    every message it renders: a mailing's body is the same for many recipients, and a personalised
    one simply misses that cache. Per message only its own headers are parsed and folded by the
    standard library's SMTP policy, in the order `message()` writes them.
    """

    def __init__(self, *args, shared: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared = {} if shared is None else shared

    def needs_idna(self) -> bool:
        """Whether an address is not plain ASCII: Django encodes such domains itself (IDNA), so it sends those."""
        return not (self.from_email.isascii() and all(address.isascii() for address in self.to))

    def smtp_bytes(self) -> bytes:
        """The message as Django's SMTP backend serialises it; only for messages without needs_idna()."""
        structure = self._structure()
        folded = b"".join(self._header(name, value) for name, value in self._headers())
        return structure[0] + folded + structure[1]

    def _headers(self):
        yield "Subject", str(self.subject)
        yield "From", str(self.extra_headers.get("From", self.from_email))
        yield "To", ", ".join(str(address) for address in self.to)
        # As message() does: now, in UTC unless EMAIL_USE_LOCALTIME; the header holds whole seconds.
        now = datetime.now(get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC)
        yield "Date", now.replace(microsecond=0)
        yield from self.extra_headers.items()

    def _header(self, name: str, value) -> bytes:
        """One header line (folded, encoded) as the SMTP policy writes it; those a batch repeats, once."""
        key = ("header", name, value) if name in _SHARED_HEADERS else None
        line = self.shared.get(key)
        if line is None:
            policy = email.policy.SMTP
            line = policy.fold_binary(*policy.header_store_parse(name, value))
            if key:
                self.shared[key] = line
        return line

    def _structure(self) -> tuple[bytes, bytes]:
        """The MIME structure serialised, split where this message's own headers go in."""
        key = ("structure", self.body, tuple(self.alternatives), tuple(self.attachments))
        structure = self.shared.get(key)
        if structure is None:
            mime = self.message(policy=email.policy.SMTP)
            for name in _MESSAGE_HEADERS:
                del mime[name]
            head, _, rest = mime.as_bytes().partition(b"\r\n\r\n")
            structure = self.shared[key] = (head + b"\r\n", b"\r\n" + rest)
        return structure


def render_delivery(delivery: Delivery, *, shared: dict | None = None) -> OutboxMessage:
    """Build the message of one delivery: a text and an HTML part, Message-ID, From from settings.

    Date is set when the message is serialised. Mass mails carry List-Unsubscribe and
    List-Unsubscribe-Post (RFC 8058 one-click); transactional mails do not. A batch passes the same
    `shared` dict to each of its messages (see OutboxMessage).
    """
    mailing = delivery.mailing
    if mailing.template:
        ctx = {
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **mailing.context,
            **delivery.context,
            "recipient_name": delivery.name,
            "recipient_email": delivery.address,
            "is_mass": mailing.is_mass,
        }
        base = f"emails/{mailing.template}"
        with translation.override(ctx.get("language", settings.LANGUAGE_CODE)):
            subject = " ".join(render_text(f"{base}/subject.txt", ctx).split())
            if ctx.get("is_test"):
                subject = _("[Test] %(subject)s") % {"subject": subject}
            text = render_text(f"{base}/body.txt", ctx)
            html = render_to_string(f"{base}/body.html", ctx)
    else:
        subject, text, html = mailing.subject, mailing.body_text, mailing.body_html
        if not html:
            # Mails rendered elsewhere may come as text only; every mail has an HTML part, so the
            # written text is set in the portal's mail layout.
            html = render_to_string(
                "emails/outbox/plain.html",
                {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, "subject": subject, "text": text},
            )
    to = mail_address(delivery.address, delivery.name)
    headers = {"Message-ID": delivery.message_id or new_message_id()}
    unsubscribe_url = delivery.context.get("unsubscribe_url")
    if mailing.is_mass and unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = OutboxMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        shared=shared,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in delivery.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
    return message
