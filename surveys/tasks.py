"""Periodic work of the surveys: detaching named answers from people after the retention period.

Each task is named after the service it runs (coalition/celery.py schedules them).
"""

from celery import shared_task

from . import services


@shared_task
def detach_responses():
    """Safe to run twice: what was detached and anonymised is not found again."""
    return services.detach_responses()
