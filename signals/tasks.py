"""Periodic work of signals: the daily check of contact people (coalition/celery.py schedules it)."""

from celery import shared_task

from . import services


@shared_task
def report_departed_contacts():
    """Safe to run twice: each departure is marked (left_reported_at) under a lock as its mail is queued."""
    return services.report_departed_contacts()
