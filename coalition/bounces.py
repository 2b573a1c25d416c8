"""Addresses mail cannot reach: the suppression list (a permanent failure puts an address on it, a coordinator or the
person confirming the address again takes it off) and the bounce reports that feed it.

Three ways in, all counted the same (listmonk's "hard bounce", never a soft one):

- the SMTP server answers 5xx for the address when the outbox sends (`coalition.outbox`, source smtp);
- a delivery status notification (RFC 3464, `multipart/report; report-type=delivery-status`) that arrives later, in
  the bounce mailbox (`fetch_bounces`, over IMAP, source dsn) or posted to the webhook (`coalition.views.mail_bounces`);
- the mail provider's own report, posted to the webhook as JSON (`suppress_reported`, source webhook).
"""

import email
import email.policy
import imaplib
import logging
import re
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils import timezone

from .models import Delivery, Suppression
from .rules import ensure_permitted

logger = logging.getLogger(__name__)


@transaction.atomic
def suppress(address: str, *, reason: str, source: str = Suppression.Source.SMTP) -> Suppression:
    """Put `address` on the suppression list (again, if it was cleared); later mailings skip it."""
    suppression, created = Suppression.objects.select_for_update().get_or_create(
        address=address.strip().lower(), defaults={"reason": reason[:2000], "source": source}
    )
    if not created and not suppression.is_active:
        suppression.reason, suppression.source = reason[:2000], source
        suppression.created_at, suppression.cleared_at, suppression.cleared_by = timezone.now(), None, None
        suppression.save()
    return suppression


@transaction.atomic
def clear_suppression(suppression: Suppression, *, by=None) -> Suppression:
    """Take an address off the list: a coordinator (`by`, checked with the rules) or the person confirming the
    address again (`by=None`, from the account's confirmation)."""
    if by is not None:
        ensure_permitted(by, "coalition.change_suppression", suppression)
    Suppression.objects.filter(pk=suppression.pk, cleared_at__isnull=True).update(
        cleared_at=timezone.now(), cleared_by=by
    )
    suppression.refresh_from_db()
    return suppression


def clear_on_confirmation(sender, request=None, email_address=None, **kwargs) -> None:
    """allauth's `email_confirmed`: the person proved the address reaches them, so it is no longer suppressed."""
    if email_address is None:
        return
    for suppression in Suppression.objects.of([email_address.email]):
        clear_suppression(suppression, by=None)
        logger.info("Suppression of %s cleared: the address was confirmed again.", suppression.address)


# --- Delivery status notifications (RFC 3464) --------------------------------------------------------------

# The report's body part: message/delivery-status, or its internationalised twin (RFC 6533).
DSN_PART_TYPES = {"message/delivery-status", "message/global-delivery-status"}
STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})")


class Bounce(NamedTuple):
    """One permanently failed recipient of a delivery status notification: (address, status, diagnostic)."""

    address: str
    status: str
    diagnostic: str

    @property
    def reason(self) -> str:
        """What the suppression list says: the remote server's words, else the status code."""
        return self.diagnostic or f"Status {self.status}"


def read_dsn(message_bytes: bytes) -> list[Bounce]:
    """The recipients a delivery status notification reports as failed for good (Action: failed, Status 5.x.x).

    Anything else yields nothing: a delay (Action: delayed, Status 4.x.x), a delivery or relay report, a read
    receipt (report-type=disposition-notification), an out-of-office reply or any other mail. Each Bounce is
    (address, status, diagnostic) and unpacks as such.
    """
    message = email.message_from_bytes(message_bytes, policy=email.policy.compat32)
    if message.get_content_type() != "multipart/report":
        return []
    if (message.get_param("report-type") or "").lower() != "delivery-status":
        return []
    bounces = []
    for part in message.walk():
        if part.get_content_type() not in DSN_PART_TYPES:
            continue
        for fields in _status_blocks(part)[1:]:  # the first block describes the message, the others a recipient each
            bounce = _failed_recipient(fields)
            if bounce is not None and bounce.address not in {b.address for b in bounces}:
                bounces.append(bounce)
    return bounces


def _status_blocks(part: Message) -> list[Message]:
    """The header blocks of a delivery-status part: the standard library parses message/delivery-status into them;
    a global (UTF-8) one comes as text and is parsed here the same way."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    text = part.get_payload(decode=True) or b""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [HeaderParser().parsestr(block) for block in blocks if block.strip()]


def _failed_recipient(fields: Message) -> Bounce | None:
    action = (fields.get("Action") or "").strip().lower()
    status = STATUS.match(fields.get("Status") or "")
    if action != "failed" or status is None or status.group(1) != "5":
        return None
    address = _typed_address(fields.get("Final-Recipient")) or _typed_address(fields.get("Original-Recipient"))
    if not address:
        return None
    return Bounce(address=address, status=".".join(status.groups()), diagnostic=_diagnostic(fields))


def _typed_address(value: str | None) -> str:
    """`rfc822; person@example.org` (the address type, then the address) to `person@example.org`, if valid."""
    if not value:
        return ""
    kind, _, address = str(value).partition(";")
    if not address:
        address = kind
    address = parseaddr(" ".join(address.split()))[1].strip().strip("<>").lower()
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _diagnostic(fields: Message) -> str:
    """`smtp; 550 5.1.1 <x@example.org>: Recipient address rejected` without its type, on one line."""
    value = str(fields.get("Diagnostic-Code") or "")
    kind, separator, text = value.partition(";")
    text = text if separator and " " not in kind.strip() else value
    return " ".join(text.split())[:2000]


def process_dsn(message_bytes: bytes, *, source: str = Suppression.Source.DSN) -> list[Suppression]:
    """Suppress the addresses a delivery status notification reports as failed for good; returns the suppressions.

    Only addresses the portal has mailed count: the bounce mailbox also receives backscatter (bounces of mail that
    others sent in the portal's name) and anyone can mail it, and neither may take a member off the lists.
    """
    suppressions = []
    for bounce in read_dsn(message_bytes):
        if not Delivery.objects.filter(address__iexact=bounce.address).exists():
            logger.info("Bounce report for %s, an address the portal never mailed: ignored.", bounce.address)
            continue
        suppressions.append(suppress(bounce.address, reason=bounce.reason, source=source))
    return suppressions


def suppress_reported(reports: Iterable[dict], *, source: str = Suppression.Source.WEBHOOK) -> tuple[int, int]:
    """Suppress what the mail provider reports as permanent failures: dicts {"address", "reason", "permanent"}.

    Returns (suppressed, ignored): a report that is not permanent, or has no valid address, is ignored.
    """
    suppressed = ignored = 0
    for report in reports:
        address = report.get("address") if isinstance(report, dict) else None
        if not isinstance(address, str) or report.get("permanent") is not True:
            ignored += 1
            continue
        address = address.strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            ignored += 1
            continue
        reason = report.get("reason")
        suppress(address, reason=reason if isinstance(reason, str) and reason.strip() else "", source=source)
        suppressed += 1
    return suppressed, ignored


# --- The bounce mailbox (IMAP) -----------------------------------------------------------------------------


@dataclass
class MailboxResult:
    """What one run over the bounce mailbox did."""

    read: int = 0
    suppressed: int = 0
    failed: int = 0


def fetch_bounces() -> MailboxResult:
    """Read the unseen messages of the bounce mailbox, suppress what they report, and mark each one read \\Seen.

    Nothing is moved or deleted: the mailbox stays the provider's record. A message that could not be processed
    (the database was unreachable, say) stays unseen and is read again on the next run. Without BOUNCE_IMAP_HOST
    this does nothing.
    """
    result = MailboxResult()
    if not settings.BOUNCE_IMAP_HOST:
        return result
    imap = _connect()
    try:
        imap.login(settings.BOUNCE_IMAP_USER, settings.BOUNCE_IMAP_PASSWORD)
        status, _ = imap.select(_quoted(settings.BOUNCE_IMAP_FOLDER))
        if status != "OK":
            raise imaplib.IMAP4.error(f"Cannot open the bounce folder {settings.BOUNCE_IMAP_FOLDER!r}.")
        status, data = imap.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            # BODY.PEEK leaves \Seen alone: it is set below, once the message has been processed.
            status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in data or [] if isinstance(item, tuple)), None)
            if status != "OK" or raw is None:
                result.failed += 1
                continue
            try:
                result.suppressed += len(process_dsn(raw))
            except DatabaseError:
                logger.exception("Bounce message %s could not be processed; it stays unseen.", uid)
                result.failed += 1
                continue
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            result.read += 1
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.info("The bounce mailbox dropped the connection on LOGOUT.")
    logger.info("Bounce mailbox: %s messages read, %s addresses suppressed.", result.read, result.suppressed)
    return result


def _connect() -> imaplib.IMAP4:
    host, port, timeout = settings.BOUNCE_IMAP_HOST, settings.BOUNCE_IMAP_PORT, settings.BOUNCE_IMAP_TIMEOUT
    if settings.BOUNCE_IMAP_SSL:
        return imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
    return imaplib.IMAP4(host, port, timeout=timeout)


def _quoted(folder: str) -> str:
    """A folder name as IMAP wants it: quoted when it holds a space or a quote."""
    if re.search(r'[\s"\\]', folder):
        return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return folder
