"""The periodic tasks of the events carry the names of the services they run, and the old names still work."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coalition.celery import app, registered_task
from events import tasks
from events.models import Registration

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

RENAMED = {
    "events.tasks.send_event_reminders": "events.tasks.send_due_reminders",
    "events.tasks.detach_old_event_data": "events.tasks.detach_personal_data",
}


def _due_for_a_reminder():
    return RegistrationFactory(event=EventFactory(starts_at=timezone.now() + timedelta(days=1)))


def _past_the_retention_period():
    long_ago = timezone.now() - timedelta(days=800)
    return RegistrationFactory(event=EventFactory(starts_at=long_ago, ends_at=long_ago + timedelta(hours=2)))


def test_the_beat_schedule_names_each_task_after_its_service():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert set(RENAMED.values()) <= scheduled
    assert not set(RENAMED) & scheduled
    assert tasks.send_due_reminders.name == "events.tasks.send_due_reminders"
    assert tasks.detach_personal_data.name == "events.tasks.detach_personal_data"


def test_the_tasks_run_their_services_and_are_safe_to_run_twice(django_capture_on_commit_callbacks):
    due, old = _due_for_a_reminder(), _past_the_retention_period()
    with django_capture_on_commit_callbacks(execute=True):
        assert [tasks.send_due_reminders.delay().get() for _ in range(2)] == [1, 0]
    assert [tasks.detach_personal_data.delay().get() for _ in range(2)] == [1, 0]
    assert len(mail.outbox) == 1 and Registration.objects.get(pk=due.pk).reminded_at is not None
    assert Registration.objects.get(pk=old.pk).profile is None


def test_a_reminder_tick_queued_under_the_old_name_still_reminds(django_capture_on_commit_callbacks):
    due = _due_for_a_reminder()
    with django_capture_on_commit_callbacks(execute=True):
        assert registered_task("events.tasks.send_event_reminders").delay().get() == 1
    assert len(mail.outbox) == 1 and Registration.objects.get(pk=due.pk).reminded_at is not None


def test_a_retention_tick_queued_under_the_old_name_still_detaches():
    old = _past_the_retention_period()
    assert registered_task("events.tasks.detach_old_event_data").delay().get() == 1
    assert Registration.objects.get(pk=old.pk).profile is None
