"""The outbox's Celery tasks: each takes ids and runs the `coalition.outbox` (or `coalition.bounces`) function of its
name.

The registered names (`coalition.tasks.send_mailing`, `.send_batch`, `.sweep_mailings`,
`.resume_mailings`) and their arguments are those that queued messages, scheduled retries and
the beat schedule (`coalition/celery.py`) refer to. They stayed as they were when the engine
moved to `coalition.outbox`, so a task enqueued before a deploy runs after it: no aliases needed.
Keep them when changing this module.
"""

from celery import shared_task
from celery.signals import worker_ready

from . import bounces, outbox


@shared_task
def send_mailing(mailing_id: int, attempt_round: int = 0) -> int:
    """Fan a mailing out into batches (outbox.send_mailing); safe to run twice."""
    return outbox.send_mailing(mailing_id, attempt_round=attempt_round)


@shared_task
def send_batch(mailing_id: int, attempt_round: int = 0) -> dict[str, int]:
    """Send one batch of a mailing's due deliveries (outbox.send_batch)."""
    return outbox.send_batch(mailing_id, attempt_round=attempt_round)


@shared_task
def sweep_mailings() -> list[int]:
    """Re-enqueue mailings that made no progress for the grace period (outbox.sweep_mailings); beat runs it."""
    return outbox.sweep_mailings()


@shared_task
def resume_mailings() -> list[int]:
    """Re-enqueue every unfinished mailing (outbox.resume_mailings); run when a worker starts."""
    return outbox.resume_mailings()


@shared_task
def process_bounces() -> dict[str, int]:
    """Read the bounce mailbox over IMAP and suppress what it reports (bounces.fetch_bounces); beat runs it."""
    result = bounces.fetch_bounces()
    return {"read": result.read, "suppressed": result.suppressed, "failed": result.failed}


@worker_ready.connect
def resume_mailings_on_start(sender=None, **kwargs):
    """A worker that starts sends at once what a killed worker left unfinished (see outbox.resume_mailings)."""
    resume_mailings.delay()
