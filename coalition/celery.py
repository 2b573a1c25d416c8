"""The Celery app: configured from Django settings, tasks autodiscovered per app, the beat schedule."""

import logging
import os

from celery import Celery, Task
from celery.schedules import crontab
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")

app = Celery("coalition")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic task of the portal, in one place. Each task is safe to run twice.
app.conf.beat_schedule = {
    # Every minute: with MAIL_SWEEP_GRACE_MINUTES (2) a lost or stranded batch is on its way within 3.
    # The task runs coalition.outbox.sweep_mailings; its name stayed when the engine left tasks.py.
    "sweep-stuck-mailings": {
        "task": "coalition.tasks.sweep_mailings",
        "schedule": crontab(),
    },
    # Scheduled journal editions go online (and are mailed) within a minute of their time.
    "journal-publish-due-editions": {
        "task": "journal.tasks.publish_due_editions",
        "schedule": crontab(),
    },
    # Editorial team memberships start and end by date: keep the group current.
    "journal-sync-editorial-team": {
        "task": "journal.tasks.sync_editorial_team",
        "schedule": crontab(hour=0, minute=5),
    },
    # Signal cards: coordinators hear of contact people who left or were unlisted (once each).
    "signals-report-departed-contacts": {
        "task": "signals.tasks.report_departed_contacts",
        "schedule": crontab(hour=6, minute=15),
    },
    "events-send-reminders": {
        "task": "events.tasks.send_due_reminders",
        "schedule": crontab(minute=0),
    },
    # A guest's unconfirmed address frees its seat 48 hours after registering: within 15 minutes of that.
    "events-expire-unconfirmed-guests": {
        "task": "events.tasks.expire_unconfirmed_guests",
        "schedule": crontab(minute="*/15"),
    },
    "events-detach-old-data": {
        "task": "events.tasks.detach_personal_data",
        "schedule": crontab(hour=3, minute=30),
    },
    # Cases of a case consultation are detached from who submitted them CASE_RETENTION_MONTHS after the meeting.
    "events-detach-old-cases": {
        "task": "events.tasks.detach_old_cases",
        "schedule": crontab(hour=3, minute=35),
    },
    # Named survey answers are cut loose from people EVENT_RETENTION_MONTHS after the survey closed.
    "surveys-detach-old-responses": {
        "task": "surveys.tasks.detach_responses",
        "schedule": crontab(hour=3, minute=40),
    },
    # Owners of an action hear ACTION_REMINDER_DAYS before it is due, in the morning, once per due date.
    "groups-remind-due-actions": {
        "task": "groups.tasks.remind_due_actions",
        "schedule": crontab(hour=7, minute=30),
    },
    # Coordinators who chose a daily digest of new sign-ups get it before the day starts (Profile.signup_alerts).
    "members-send-signup-digests": {
        "task": "members.tasks.send_signup_digests",
        "schedule": crontab(hour=7, minute=40),
    },
    # Members who chose a daily digest of their groups get it in the morning, one mail over all their groups; after
    # the reminders, so the day's due actions are in it.
    "groups-send-digests": {
        "task": "groups.tasks.send_digests",
        "schedule": crontab(hour=7, minute=45),
    },
    "members-request-confirmations": {
        "task": "members.tasks.request_confirmations",
        "schedule": crontab(hour=9, minute=15),
    },
    # Organisations' contacts get one mail each listing their offerings unconfirmed for OFFERING_CONFIRM_MONTHS
    # (after the members' own requests, so a contact's morning mail comes in the same minute or two).
    "members-request-offering-confirmations": {
        "task": "members.tasks.request_offering_confirmations",
        "schedule": crontab(hour=9, minute=20),
    },
}

# Read only when the bounce mailbox is configured (BOUNCE_IMAP_HOST); added once the settings are loaded.
BOUNCE_SCHEDULE = {
    "coalition-process-bounces": {
        "task": "coalition.tasks.process_bounces",
        "schedule": crontab(minute="*/10"),
    }
}


@app.on_after_configure.connect
def schedule_bounce_mailbox(sender, **kwargs):
    """Beat reads the bounce mailbox only when there is one: this module is imported before Django's settings."""
    from django.conf import settings  # noqa: PLC0415 - the settings import this package, which imports this module

    if settings.BOUNCE_IMAP_HOST:
        sender.conf.beat_schedule.update(BOUNCE_SCHEDULE)


logger = logging.getLogger(__name__)


def registered_task(name: str) -> Task:
    """The task registered under `name` ("coalition.tasks.send_mailing").

    A worker imports every app's tasks module when it starts; a web process or a management
    command has not, so the first lookup there runs Celery's autodiscovery (the apps are loaded).
    """
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def enqueue_after_commit(task: Task | str, *args) -> None:
    """Send a task to the broker once the current transaction commits; if the broker cannot take it, log it.

    For tasks whose work is found again by a periodic sweep (the outbox's `sweep_mailings`): the
    rows are committed, so a broker that is down delays the work instead of losing it, and the
    person who caused it sees their normal success page, not an error for work that was done.
    `task` is a task or its registered name (a name keeps the caller from importing the task's
    module). Errors of the task itself, when tasks run in-process, still propagate.
    """
    if isinstance(task, str):
        task = registered_task(task)  # resolved now: a wrong name fails here, loudly, not after commit

    def enqueue():
        try:
            task.delay(*args)
        except OperationalError:
            logger.exception("Could not enqueue %s%r after commit; the sweep will pick it up.", task.name, args)

    transaction.on_commit(enqueue)
