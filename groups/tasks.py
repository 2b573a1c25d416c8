"""Periodic work of groups: the daily digest of notifications (coalition/celery.py schedules it)."""

from celery import shared_task

from . import services


@shared_task
def send_digests():
    """Safe to run twice: each notice is claimed (mailed_at) under a lock before its digest is queued."""
    return services.send_digests()
