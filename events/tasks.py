"""Periodic work of the events: reminders, guests who did not confirm, detaching personal data after retention.

Each task is named after the service it runs (coalition/celery.py schedules them).
"""

from celery import shared_task

from . import services


@shared_task
def send_due_reminders():
    """Safe to run twice: each registration is claimed once (reminded_at) before its mail is queued."""
    return services.send_due_reminders()


@shared_task
def expire_unconfirmed_guests():
    """Safe to run twice: a registration expires once, under its event's lock (the second run finds none)."""
    return services.expire_unconfirmed_guests()


@shared_task
def detach_personal_data():
    """Safe to run twice: already anonymised registrations are skipped."""
    return services.detach_personal_data()


@shared_task
def detach_old_cases():
    """Safe to run twice: a case already detached from its submitter is skipped."""
    return services.detach_old_cases()


# The names these tasks had until issue 11. A beat tick queued under an old name before a deploy is still
# waiting in the broker afterwards: it runs the same service. Remove them one release later.
shared_task(name="events.tasks.send_event_reminders")(send_due_reminders.run)
shared_task(name="events.tasks.detach_old_event_data")(detach_personal_data.run)
