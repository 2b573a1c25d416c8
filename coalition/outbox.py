"""The outbox engine: claim, send and mark a mailing's deliveries in batches, back off, sweep, resume.

How a delivery is sent at most once in normal operation and never skipped (DESIGN.md §3):

- `send_mailing` fans a mailing out into batch tasks of MAIL_BATCH_SIZE deliveries; each batch
  (`send_batch`) opens one SMTP connection and sends over it.
- Each delivery is claimed on its own, in a short transaction: `SELECT … FOR UPDATE SKIP LOCKED`
  of the next due pending row, send it, mark it sent (or failed, or postponed), commit. The lock
  lives as long as one SMTP exchange, never a whole batch, and other workers skip the locked row
  instead of waiting for it. A row that is committed as sent is never picked again, so a second
  worker, a task run twice, or a retry find nothing left to do for it.
- A worker that dies mid-batch loses only its open transaction: the one row it held goes back
  to pending and everything it already sent stays marked sent. A killed pool process's task
  comes back at once (acks_late + reject_on_worker_lost). When the whole worker is killed, the
  tasks it held stay unacknowledged in Redis until the visibility timeout (an hour): the worker
  that starts next re-enqueues every unfinished mailing at once (`resume_mailings`), and the
  sweep catches what no restart does within MAIL_SWEEP_GRACE_MINUTES and a minute.

The Celery tasks that run these functions are in `coalition.tasks`; this module enqueues them by
name (`coalition.celery.registered_task`), because `coalition.tasks` imports this module.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from .celery import app, registered_task
from .mail import render_delivery
from .models import Delivery, Mailing

logger = logging.getLogger(__name__)

# A countdown longer than the broker's visibility timeout (one hour with Redis) would make Redis
# deliver the waiting task a second time; the backoff stays well below it.
MAX_BACKOFF = timedelta(minutes=30)
ACTIVE_STATES = (Mailing.State.QUEUED, Mailing.State.SENDING)
SEND_MAILING_TASK = "coalition.tasks.send_mailing"
SEND_BATCH_TASK = "coalition.tasks.send_batch"


class Outcome:
    SENT = "sent"
    FAILED = "failed"
    POSTPONED = "postponed"


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    postponed: int = 0
    # Set when the SMTP connection could not be opened or broke: the batch stops there.
    connection_error: str = ""
    # The connection could not even be opened: the mail server is down or unreachable.
    unreachable: bool = False

    def counts(self) -> dict[str, int]:
        """What a batch task returns: how many deliveries were sent, failed and postponed."""
        return {"sent": self.sent, "failed": self.failed, "postponed": self.postponed}


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


def breaks_connection(exc: Exception) -> bool:
    """Whether the SMTP session is unusable after this error (SMTPException is an OSError too)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # the server is closing the session
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _due_deliveries(mailing_id, now: datetime | None = None) -> QuerySet[Delivery]:
    now = now or timezone.now()
    return Delivery.objects.filter(mailing_id=mailing_id, state=Delivery.State.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _transmit(connection, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; returns once the server has accepted it."""
    if connection.send_messages([message]) != 1:
        raise smtplib.SMTPException("The mail backend did not accept the message.")


def _deliver_next(mailing: Mailing, connection) -> tuple[str | None, Exception | None]:
    """Claim, send and mark the next due delivery of a mailing; (None, None) when nothing is due."""
    with transaction.atomic():
        delivery = _due_deliveries(mailing.pk).select_for_update(skip_locked=True).order_by("pk").first()
        if delivery is None:
            return None, None
        delivery.mailing = mailing
        delivery.attempts += 1
        delivery.attempted_at = timezone.now()
        error = None
        try:
            message = render_delivery(delivery)
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
        # AT-LEAST-ONCE WINDOW: the SMTP server has accepted the message, but the row is marked
        # sent only when this transaction commits. A worker killed (or a database lost) between
        # the two rolls the row back to pending, and that one mail is sent a second time — with
        # the same Message-ID, so receivers can recognise it. No design closes this window
        # short of two-phase commit with the SMTP server; it is at most one mail per dead worker.
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
        Delivery.objects.filter(pk=delivery.pk).update(
            state=delivery.state,
            attempts=delivery.attempts,
            attempted_at=delivery.attempted_at,
            sent_at=delivery.sent_at,
            next_attempt_at=delivery.next_attempt_at,
            last_error=delivery.last_error,
        )
    if error is not None:
        logger.warning("Mailing %s to %s: %s (%s)", mailing.pk, delivery.address, outcome, delivery.last_error)
    return outcome, error


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def deliver_batch(mailing_id: int, *, limit: int | None = None) -> BatchResult:
    """Send up to `limit` due deliveries of a mailing over one SMTP connection."""
    limit = limit or settings.MAIL_BATCH_SIZE
    result = BatchResult()
    mailing = Mailing.objects.filter(pk=mailing_id, state__in=ACTIVE_STATES).first()
    if mailing is None:
        return result
    if not _due_deliveries(mailing_id).exists():
        finish_if_done(mailing_id)
        return result
    connection = mailers.default
    try:
        try:
            connection.open()
        except (smtplib.SMTPException, OSError) as exc:
            # Nobody is charged an attempt for a server that is down: the batch waits and tries again.
            result.connection_error = _describe(exc)
            result.unreachable = True
            logger.warning("Mailing %s: cannot reach the mail server: %s", mailing_id, result.connection_error)
            return result
        for _ in range(limit):
            outcome, error = _deliver_next(mailing, connection)
            if outcome is None:
                break
            setattr(result, outcome, getattr(result, outcome) + 1)
            if error is not None and breaks_connection(error):
                result.connection_error = _describe(error)
                break
    finally:
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
