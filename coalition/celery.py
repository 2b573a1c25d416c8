"""The Celery app: configured from Django settings, tasks autodiscovered per app, the beat schedule."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")

app = Celery("coalition")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic task of the portal, in one place. Each task is safe to run twice.
app.conf.beat_schedule = {
    "sweep-stuck-mailings": {
        "task": "coalition.tasks.sweep_mailings",
        "schedule": crontab(minute="*/5"),
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
    "events-send-reminders": {
        "task": "events.tasks.send_event_reminders",
        "schedule": crontab(minute=0),
    },
    "events-detach-old-data": {
        "task": "events.tasks.detach_old_event_data",
        "schedule": crontab(hour=3, minute=30),
    },
    "members-request-confirmations": {
        "task": "members.tasks.request_confirmations",
        "schedule": crontab(hour=9, minute=15),
    },
}
