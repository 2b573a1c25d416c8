"""Periodic work of the groups: reminders of actions that are almost due (coalition/celery.py schedules them)."""

from celery import shared_task

from . import services

# --- The action list (H2) -------------------------------------------------------------------------------------


@shared_task
def remind_due_actions():
    """Safe to run twice: each action is claimed once per due date (reminded_for) before its owners are told."""
    return services.remind_due_actions()
