"""Periodic work of the members app: asking members to confirm their details."""

from celery import shared_task

from . import services


@shared_task
def request_confirmations():
    """Ask members whose details are six months old to confirm them; safe to run twice."""
    return services.request_confirmations()
