"""The outbox engine: claim, send and mark a mailing's deliveries in batches, back off, sweep, resume.

How a delivery is sent at most once in normal operation and never skipped (DESIGN.md §3):

- `send_mailing` fans a mailing out into batch tasks of MAIL_BATCH_SIZE deliveries; each batch
  (`send_batch`) opens one SMTP connection and sends over it.
- A batch claims its deliveries at once, in one short transaction: `SELECT … FOR UPDATE SKIP
  LOCKED` of up to MAIL_BATCH_SIZE due pending rows that nobody holds, then one UPDATE that writes
  the claim on them (`claimed_by`, the process id of this worker's database session, and
  `claimed_at`). Two workers claiming at the same moment skip each other's locked rows, and once
  committed a claim keeps every other worker off those rows without holding a lock or a
  transaction open while mail goes out.
- Each claimed delivery is then built, handed to the SMTP server and marked right after the server
  accepted it (or refused it, or postponed by backoff), one UPDATE in autocommit per mail; marking
  ends the claim. A row that is marked sent is never picked again, so a second worker, a task run
  twice, or a retry find nothing left to do for it.
- A claim ends when its holder lets it go, too: a batch that stops early (connection trouble, an
  exception) releases the rows it did not mark, in a `finally`.
- A worker that dies mid-batch leaves its claim on the rows it had not marked yet; its database
  session dies with it (the kernel closes its socket, PostgreSQL ends the backend), and a claim
  whose session no longer runs (`pg_stat_activity`) is free for the next batch at once, as a row
  lock was before. On other databases, and as a fallback (say, behind a pooler that keeps the
  session), a claim older than CLAIM_TIMEOUT is free as well; a live worker never sends from a
  claim older than half of that. A killed pool process's task comes back at once (acks_late +
  reject_on_worker_lost). When the whole worker is killed, the tasks it held stay unacknowledged
  in Redis until the visibility timeout (an hour): the worker that starts next re-enqueues every
  unfinished mailing at once (`resume_mailings`), and the sweep catches what no restart does
  within MAIL_SWEEP_GRACE_MINUTES and a minute.
- The at-least-once window is the one mail in flight: see `_deliver`.

Bounces (coalition.bounces): a permanent refusal of the address (a 5xx reply naming the recipient) fails the
delivery and, once it is marked, puts the address on the suppression list with the server's reply. A claimed
delivery whose address is on that list by then (it bounced in another mailing while this one was under way, or its
rows were written without the queue-time check) is marked skipped with the reason instead of being sent; mails
rendered elsewhere (allauth's account mails) are sent all the same, so confirming an address again can reach it.

The Celery tasks that run these functions are in `coalition.tasks`; this module enqueues them by
name (`coalition.celery.registered_task`), because `coalition.tasks` imports this module.
"""

import logging
import os
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from time import monotonic

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, Case, Exists, Expression, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from . import bounces
from .celery import app, registered_task
from .mail import OutboxMessage, render_delivery, skip_reason
from .models import Delivery, Mailing, Suppression

logger = logging.getLogger(__name__)

# A countdown longer than the broker's visibility timeout (one hour with Redis) would make Redis
# deliver the waiting task a second time; the backoff stays well below it.
MAX_BACKOFF = timedelta(minutes=30)
ACTIVE_STATES = (Mailing.State.QUEUED, Mailing.State.SENDING)
SEND_MAILING_TASK = "coalition.tasks.send_mailing"
SEND_BATCH_TASK = "coalition.tasks.send_batch"
# A claim older than this is free for another worker even if the session that made it still
# runs (on databases without pg_stat_activity, or a session that outlives its worker). A batch
# stops sending at half of it, so a live worker never sends a row that another one may take:
# a hundred mails take seconds, and one SMTP exchange is bounded by EMAIL_TIMEOUT per command.
CLAIM_TIMEOUT = timedelta(minutes=15)


class Outcome:
    SENT = "sent"
    FAILED = "failed"
    POSTPONED = "postponed"
    SKIPPED = "skipped"


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    postponed: int = 0
    skipped: int = 0
    # Set when the SMTP connection could not be opened or broke: the batch stops there.
    connection_error: str = ""
    # The connection could not even be opened: the mail server is down or unreachable.
    unreachable: bool = False
    # The claim grew too old to send the rest safely (CLAIM_TIMEOUT): they were released.
    expired: bool = False

    def counts(self) -> dict[str, int]:
        """What a batch task returns: how many deliveries were sent, failed, postponed and skipped."""
        return {"sent": self.sent, "failed": self.failed, "postponed": self.postponed, "skipped": self.skipped}


def backoff(attempts: int) -> timedelta:
    """How long to wait before try number `attempts + 1`: doubling from the base, capped."""
    delay = timedelta(seconds=settings.MAIL_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


def is_transient(exc: Exception) -> bool:
    """4xx replies and network trouble pass; 5xx replies (e.g. 550 unknown user) will not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPException | OSError)


# Enhanced status codes (RFC 3463) that a reply to the whole message (after DATA) gives for its recipient: a bad
# destination address (5.1.x) or a disabled mailbox (5.2.1). Others (5.7.1 refused as spam, 5.3.4 too big) say
# nothing about the address.
_ADDRESS_STATUS = re.compile(r"^5\.(1\.\d{1,3}|2\.1)\b")


def permanent_refusal(exc: Exception, address: str) -> str:
    """The server's reply when it refused `address` for good (5xx), readable; empty when the error was anything else.

    A refused recipient (RCPT) counts; so does a refusal of the message (DATA) whose enhanced status names the
    address. A refused sender, a failed login or a 5xx about the content is the portal's trouble, not the address's.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refusals = {str(key).lower(): value for key, value in exc.recipients.items()}
        code, reply = refusals.get(address.lower()) or (
            next(iter(refusals.values())) if len(refusals) == 1 else (0, b"")
        )
        return _reply(code, reply) if 500 <= code < 600 else ""
    if isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600:
        reply = _reply(exc.smtp_code, exc.smtp_error)
        return reply if _ADDRESS_STATUS.match(reply.partition(" ")[2]) else ""
    return ""


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(f"{code} {text}".split())


def breaks_connection(exc: Exception) -> bool:
    """Whether the SMTP session is unusable after this error (SMTPException is an OSError too)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # the server is closing the session
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _due_deliveries(mailing_id, now: datetime | None = None) -> QuerySet[Delivery]:
    """Pending deliveries whose backoff is over, claimed or not."""
    now = now or timezone.now()
    return Delivery.objects.filter(mailing_id=mailing_id, state=Delivery.State.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


class ClaimHolderGone(Expression):
    """True where the database session that claimed a delivery no longer runs (PostgreSQL only).

    A session is the same one if its process id matches and it started no later than the claim:
    a new session that happens to get a dead one's process id starts after the claim. A session
    of another database role may hide its start time; then its process id alone counts (and the
    CLAIM_TIMEOUT frees the claim if that id is taken again). Other databases cannot tell: False.
    """

    conditional = True
    output_field = BooleanField()
    # Filled with compiled column references only: nothing typed reaches this SQL.
    template = (
        "NOT EXISTS (SELECT 1 FROM pg_stat_activity AS activity WHERE activity.pid = %(holder)s"
        " AND (activity.backend_start IS NULL OR activity.backend_start <= %(claimed_at)s))"
    )

    def __init__(self, holder=None, claimed_at=None):
        super().__init__()
        self.holder = holder if holder is not None else F("claimed_by")
        self.claimed_at = claimed_at if claimed_at is not None else F("claimed_at")

    def get_source_expressions(self):
        return [self.holder, self.claimed_at]

    def set_source_expressions(self, exprs):
        self.holder, self.claimed_at = exprs

    def as_sql(self, compiler, connection):
        return "1 = 0", ()

    def as_postgresql(self, compiler, connection):
        holder, holder_params = compiler.compile(self.holder)
        claimed_at, claimed_at_params = compiler.compile(self.claimed_at)
        sql = self.template % {"holder": holder, "claimed_at": claimed_at}
        return sql, (*holder_params, *claimed_at_params)


def _unclaimed() -> Q:
    """Rows nobody holds: never claimed (or released), claimed too long ago, or by a session that died."""
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=Now() - CLAIM_TIMEOUT) | Q(ClaimHolderGone())


def _session_id() -> int:
    """Who claims: the process id of this worker's database session, which ends when the worker dies."""
    database = transaction.get_connection()
    database.ensure_connection()
    if database.vendor == "postgresql":
        return database.connection.info.backend_pid
    return os.getpid()


def _claim(mailing_id: int, limit: int, holder: int) -> list[Delivery]:
    """Claim up to `limit` due deliveries nobody holds, in id order; one short transaction.

    SKIP LOCKED lets two batches that claim at the same moment take different rows instead of
    waiting for (or both taking) the same ones; once committed, `claimed_by` keeps the rows out
    of every other claim. `claimed_at` is the database's clock, which the session start times
    that ClaimHolderGone compares it with also use.
    """
    with transaction.atomic():
        deliveries = list(
            _due_deliveries(mailing_id).filter(_unclaimed()).select_for_update(skip_locked=True).order_by("pk")[:limit]
        )
        if deliveries:
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(claimed_by=holder, claimed_at=Now())
    return deliveries


def _release(deliveries: list[Delivery], holder: int) -> None:
    """Let go of claimed rows this batch did not mark, so the next batch takes them at once."""
    if not deliveries:
        return
    try:
        Delivery.objects.filter(
            pk__in=[d.pk for d in deliveries], state=Delivery.State.PENDING, claimed_by=holder
        ).update(claimed_by=None, claimed_at=None)
    except DatabaseError:
        # The session is gone (so is its claim) or the database is: the rows come back either way.
        logger.warning(
            "Could not release %s claimed deliveries; they come back when the claim lapses.", len(deliveries)
        )


def _transmit(connection, message: OutboxMessage) -> None:
    """Hand one message to the SMTP server; returns once the server has accepted it.

    Over Django's SMTP backend the message goes out as OutboxMessage.smtp_bytes() (the bytes the
    backend's own send_messages would write, with the parts a batch shares serialised once), with
    the envelope addresses the backend would use; any other backend (the console, tests' locmem)
    and addresses that need IDNA take Django's path.
    """
    if isinstance(connection, SMTPBackend) and connection.connection and not message.needs_idna():
        envelope_from = message.shared.get(("envelope", message.from_email))
        if envelope_from is None:
            envelope_from = message.shared[("envelope", message.from_email)] = connection.prep_address(
                message.from_email
            )
        envelope_to = [connection.prep_address(address) for address in message.recipients()]
        connection.connection.sendmail(envelope_from, envelope_to, message.smtp_bytes())
    elif connection.send_messages([message]) != 1:
        raise smtplib.SMTPException("The mail backend did not accept the message.")


def _deliver(
    mailing: Mailing, delivery: Delivery, connection, holder: int, shared: dict
) -> tuple[str, Exception | None]:
    """Build, send and mark one claimed delivery; marking ends the claim. `shared`: see OutboxMessage."""
    delivery.mailing = mailing
    delivery.attempts += 1
    delivery.attempted_at = timezone.now()
    error = None
    try:
        message = render_delivery(delivery, shared=shared)
    except Exception as exc:  # noqa: BLE001 - a template or data error fails this delivery only
        error = exc
        outcome = Outcome.FAILED
    else:
        try:
            _transmit(connection, message)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            error = exc
            transient = is_transient(exc)
            if transient and delivery.attempts < settings.MAIL_MAX_ATTEMPTS:
                outcome = Outcome.POSTPONED
            else:
                outcome = Outcome.FAILED
        else:
            outcome = Outcome.SENT
    # AT-LEAST-ONCE WINDOW: the SMTP server has accepted the message, and the row is marked sent
    # by the UPDATE below, in autocommit, right after. A worker killed (or a database lost) between
    # the two leaves the row pending under its claim; the claim dies with the worker's session, and
    # the next batch sends that one mail a second time — with the same Message-ID (fixed on the
    # row), so receivers can recognise it. The rows claimed after it were never handed over and go
    # out once. No design closes this window short of two-phase commit with the SMTP server; it is
    # at most one mail per dead worker (one per pool process that dies).
    if outcome == Outcome.SENT:
        delivery.state = Delivery.State.SENT
        delivery.sent_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.last_error = ""
    elif outcome == Outcome.FAILED:
        delivery.state = Delivery.State.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = _describe(error)
    else:
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        delivery.last_error = _describe(error)
    if not _mark(delivery, holder):
        # Only when the claim outlived CLAIM_TIMEOUT mid-send and another worker took the row over.
        logger.warning("Mailing %s to %s: the claim was taken over while sending.", mailing.pk, delivery.address)
    if error is not None:
        logger.warning("Mailing %s to %s: %s (%s)", mailing.pk, delivery.address, outcome, delivery.last_error)
    if outcome == Outcome.FAILED and error is not None:
        _suppress_refused(mailing, delivery, error)
    return outcome, error


def _suppress_refused(mailing: Mailing, delivery: Delivery, error: Exception) -> None:
    """Put an address the server refused for good on the suppression list; the delivery is marked already.

    After the mark, outside the claim: trouble here costs the list one entry (logged), never the delivery's state.
    """
    reason = permanent_refusal(error, delivery.address)
    if not reason:
        return
    try:
        bounces.suppress(delivery.address, reason=reason, source=Suppression.Source.SMTP)
    except DatabaseError:
        logger.exception("Mailing %s: could not put %s on the suppression list.", mailing.pk, delivery.address)


def _skip_suppressed(mailing: Mailing, unmarked: list[Delivery], holder: int) -> int:
    """Mark the claimed deliveries whose address is suppressed by now as skipped, with the reason; returns how many.

    One query for the batch. They leave `unmarked`, which keeps its order. A mail rendered elsewhere (allauth's
    account mails: no template) goes out all the same: confirming the address again is how a person clears it.
    """
    if not mailing.template or not unmarked:
        return 0
    suppressions = {
        suppression.address: suppression
        for suppression in Suppression.objects.of([delivery.address for delivery in unmarked]).only(
            "address", "reason", "source", "created_at"
        )
    }
    if not suppressions:
        return 0
    kept, skipped = [], 0
    for delivery in unmarked:
        suppression = suppressions.get(delivery.address.strip().lower())
        if suppression is None:
            kept.append(delivery)
            continue
        delivery.state = Delivery.State.SKIPPED
        delivery.next_attempt_at = None
        delivery.last_error = skip_reason(suppression)
        if _mark(delivery, holder):
            skipped += 1
    unmarked[:] = kept
    return skipped


# What marking a delivery writes, in the order of _MARK_STATEMENT's parameters (the claim is cleared).
_MARKED = ("state", "attempts", "attempted_at", "sent_at", "next_attempt_at", "last_error")


def _mark_statement() -> str:
    """The UPDATE that marks one delivery and ends its claim, if this worker still holds it."""
    meta = Delivery._meta
    claimed_by, claimed_at = meta.get_field("claimed_by").column, meta.get_field("claimed_at").column
    assignments = ", ".join(f'"{meta.get_field(name).column}" = %s' for name in _MARKED)
    # Only the model's own table and column names go into the text; the values are parameters.
    return (
        f'UPDATE "{meta.db_table}" SET {assignments}, "{claimed_by}" = NULL, "{claimed_at}" = NULL'  # noqa: S608
        f' WHERE "{meta.pk.column}" = %s AND "{claimed_by}" = %s'
    )


_MARK_STATEMENT = _mark_statement()


def _mark(delivery: Delivery, holder: int) -> bool:
    """Write a delivery's outcome and end its claim: one UPDATE in autocommit; False if the claim was lost.

    Written as SQL once: composing the queryset's UPDATE took the ORM longer than the database took
    to run it, once per mail. Each value goes through its field's own conversion for the database.
    """
    connection = connections[router.db_for_write(Delivery)]
    meta = Delivery._meta
    values = [meta.get_field(name).get_db_prep_save(getattr(delivery, name), connection) for name in _MARKED]
    with connection.cursor() as cursor:
        cursor.execute(_MARK_STATEMENT, [*values, delivery.pk, holder])
        return cursor.rowcount == 1


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def deliver_batch(mailing_id: int, *, limit: int | None = None) -> BatchResult:
    """Claim up to `limit` due deliveries of a mailing and send them over one SMTP connection."""
    limit = limit or settings.MAIL_BATCH_SIZE
    result = BatchResult()
    mailing = Mailing.objects.filter(pk=mailing_id, state__in=ACTIVE_STATES).first()
    if mailing is None:
        return result
    holder = _session_id()
    claimed = _claim(mailing_id, limit, holder)
    if not claimed:
        finish_if_done(mailing_id)
        return result
    send_until = monotonic() + (CLAIM_TIMEOUT / 2).total_seconds()
    unmarked = claimed[::-1]  # a stack: the next delivery to send is last
    shared = {}  # what the batch's messages share, built once (OutboxMessage)
    connection = mailers.default
    try:
        # Before the connection: a batch of suppressed addresses only needs the database.
        result.skipped = _skip_suppressed(mailing, unmarked, holder)
        if unmarked:
            try:
                connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                # Nobody is charged an attempt for a server that is down: the batch waits and tries again.
                result.connection_error = _describe(exc)
                result.unreachable = True
                logger.warning("Mailing %s: cannot reach the mail server: %s", mailing_id, result.connection_error)
                return result
        while unmarked:
            if monotonic() > send_until:
                result.expired = True
                logger.warning("Mailing %s: the batch's claim is too old to send the rest; released.", mailing_id)
                break
            outcome, error = _deliver(mailing, unmarked[-1], connection, holder, shared)
            unmarked.pop()
            setattr(result, outcome, getattr(result, outcome) + 1)
            if error is not None and breaks_connection(error):
                result.connection_error = _describe(error)
                break
    finally:
        # Whatever stopped the batch (the server, the claim's age, an exception), the rows it did
        # not mark go back now. An exception while a mail was in flight releases that one too: it
        # may have been accepted already (the window described in _deliver).
        _release(unmarked, holder)
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.info("Mailing %s: the mail server dropped the connection on QUIT.", mailing_id)
    finish_if_done(mailing_id)
    return result


def finish_if_done(mailing_id: int) -> int:
    """Mark a mailing sent (or sent with failures) once none of its deliveries is pending.

    One UPDATE with the conditions inside, so a concurrent retry_failed() that puts deliveries
    back to pending cannot be overwritten by a stale "sent".
    """
    pending = Delivery.objects.filter(mailing=OuterRef("pk"), state=Delivery.State.PENDING)
    failed = Delivery.objects.filter(mailing=OuterRef("pk"), state=Delivery.State.FAILED)
    return (
        Mailing.objects.filter(pk=mailing_id, state__in=ACTIVE_STATES)
        .exclude(Exists(pending))
        .update(
            state=Case(
                When(Exists(failed), then=Value(Mailing.State.SENT_WITH_FAILURES)),
                default=Value(Mailing.State.SENT),
            ),
            finished_at=Now(),
        )
    )


def send_mailing(mailing_id: int, *, attempt_round: int = 0) -> int:
    """Fan a mailing out into batch tasks; the first batch is sent right here. Returns the number of batches.

    Safe to run twice: the extra batches claim nothing and end at once.
    """
    Mailing.objects.filter(pk=mailing_id, state=Mailing.State.QUEUED).update(state=Mailing.State.SENDING)
    due = _due_deliveries(mailing_id).count()
    if not due:
        finish_if_done(mailing_id)
        return 0
    batches = ceil(due / settings.MAIL_BATCH_SIZE)
    for _ in range(batches - 1):
        registered_task(SEND_BATCH_TASK).delay(mailing_id, attempt_round)
    send_batch(mailing_id, attempt_round=attempt_round)
    return batches


def send_batch(mailing_id: int, *, attempt_round: int = 0) -> dict[str, int]:
    """Send one batch of a mailing's due deliveries; schedule the retry that transient trouble needs."""
    result = deliver_batch(mailing_id)
    if result.connection_error and app.conf.task_always_eager:
        # In-process (no broker) a retry would run at once and hold up the request that sent the
        # mail for another connection timeout; the next send or the sweep picks the mailing up.
        return result.counts()
    if result.unreachable:
        # One retry for the whole mailing, not one per batch: its due deliveries wait out the backoff
        # (no attempt charged), so the other batches find nothing due and do not dial a server that
        # is down, and the sweep leaves them alone until then. The retry fans the mailing out again;
        # a batch that failed at the same moment finds the rows postponed already and adds none.
        wait = backoff(attempt_round + 1)
        postponed = _due_deliveries(mailing_id).update(next_attempt_at=timezone.now() + wait)
        if postponed and attempt_round < settings.MAIL_MAX_ATTEMPTS:
            registered_task(SEND_MAILING_TASK).apply_async(
                (mailing_id,), {"attempt_round": attempt_round + 1}, countdown=wait.total_seconds()
            )
    elif (result.postponed or result.connection_error) and attempt_round < settings.MAIL_MAX_ATTEMPTS:
        # Transient trouble: try again after the backoff. After the last round the sweep takes over.
        wait = backoff(attempt_round + 1) if result.connection_error else _until_next_due(mailing_id)
        registered_task(SEND_BATCH_TASK).apply_async(
            (mailing_id,), {"attempt_round": attempt_round + 1}, countdown=wait.total_seconds()
        )
    if result.expired:
        # A slow batch let the rest of its claim go: a fresh batch takes it on at once.
        registered_task(SEND_BATCH_TASK).delay(mailing_id, attempt_round)
    return result.counts()


def _until_next_due(mailing_id: int) -> timedelta:
    upcoming = (
        Delivery.objects.filter(mailing_id=mailing_id, state=Delivery.State.PENDING, next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return max(upcoming - timezone.now(), timedelta(0)) if upcoming else timedelta(0)


def sweep_mailings() -> list[int]:
    """Re-enqueue mailings with due pending deliveries and no progress for the grace period.

    This is what makes a lost enqueue (broker down at commit time, a task dropped, the batch of a
    killed worker when no worker restarts) a delay rather than a lost mail. Beat runs it every
    minute. It also closes mailings whose last batch died before marking them. Returns the ids
    of the mailings enqueued again.
    """
    now = timezone.now()
    cutoff = now - timedelta(minutes=settings.MAIL_SWEEP_GRACE_MINUTES)
    candidates = Mailing.objects.filter(state__in=ACTIVE_STATES, queued_at__lt=cutoff)
    recent_attempt = Delivery.objects.filter(mailing=OuterRef("pk"), attempted_at__gte=cutoff)
    due = _due_deliveries(OuterRef("pk"), now)
    stuck = list(candidates.filter(Exists(due)).exclude(Exists(recent_attempt)).values_list("pk", flat=True))
    _enqueue_again(stuck, queued_before=cutoff, now=now, why="no progress")
    pending = Delivery.objects.filter(mailing=OuterRef("pk"), state=Delivery.State.PENDING)
    for mailing_id in candidates.exclude(Exists(pending)).values_list("pk", flat=True):
        finish_if_done(mailing_id)
    return stuck


def resume_mailings() -> list[int]:
    """Re-enqueue every queued or sending mailing with due deliveries, whatever its progress.

    Run when a worker starts. The deliveries a killed worker was to send are pending and due, but
    its tasks are gone until Redis's visibility timeout, and while other batches of the same
    mailing still run (attempts a moment ago) the sweep sees progress and would wait. Only
    pending rows are claimed (skip_locked), so resuming a mailing that needs nothing, or that
    another worker is sending, costs a few empty batches and never a second copy.
    """
    now = timezone.now()
    due = _due_deliveries(OuterRef("pk"), now)
    unfinished = list(Mailing.objects.filter(state__in=ACTIVE_STATES).filter(Exists(due)).values_list("pk", flat=True))
    _enqueue_again(unfinished, queued_before=now, now=now, why="a worker started")
    return unfinished


def _enqueue_again(mailing_ids: list[int], *, queued_before: datetime, now: datetime, why: str) -> None:
    """Enqueue each mailing again and give it a new `queued_at`.

    The new `queued_at` keeps the sweep from enqueuing it again within the grace period, so a long
    queue is not made longer every minute; the update is conditional, so two sweeps at once
    enqueue a mailing once.
    """
    for mailing_id in mailing_ids:
        if Mailing.objects.filter(pk=mailing_id, queued_at__lt=queued_before).update(queued_at=now):
            logger.info("Mailing %s has due deliveries (%s): enqueuing it again.", mailing_id, why)
            registered_task(SEND_MAILING_TASK).delay(mailing_id)
