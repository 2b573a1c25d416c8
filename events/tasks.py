"""Periodic work of the events: reminders before an event, detaching personal data after the retention period."""

from celery import shared_task

from . import services


@shared_task
def send_event_reminders():
    """Safe to run twice: each registration is claimed once (reminded_at) before its mail is queued."""
    return services.send_due_reminders()


@shared_task
def detach_old_event_data():
    """Safe to run twice: already anonymised registrations are skipped."""
    return services.detach_personal_data()
