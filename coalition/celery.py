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
    "members-request-confirmations": {
        "task": "members.tasks.request_confirmations",
        "schedule": crontab(hour=9, minute=15),
    },
}
