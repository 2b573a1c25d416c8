"""Periodic work of groups: reminders of actions almost due, the daily digest (coalition/celery.py schedules them)."""

from celery import shared_task

from . import services


@shared_task
def remind_due_actions():
    """Safe to run twice: each action is claimed once per due date (reminded_for) before its owners are told."""
    return services.remind_due_actions()


@shared_task
def send_digests():
    """Safe to run twice: each notice is claimed (mailed_at) under a lock before its digest is queued."""
    return services.send_digests()
