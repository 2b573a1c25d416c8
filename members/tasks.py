"""Periodic work of the members app: asking members to confirm their details, and organisations their offerings."""

from celery import shared_task

from . import services


@shared_task
def request_confirmations():
    """Ask members whose details are six months old to confirm them; safe to run twice."""
    return services.request_confirmations()


@shared_task
def request_offering_confirmations():
    """Ask organisations' contacts to confirm offerings unconfirmed for OFFERING_CONFIRM_MONTHS; safe to run twice."""
    return services.request_offering_confirmations()


@shared_task
def send_signup_digests():
    """Mail coordinators who chose the daily digest the sign-ups of the past day; safe to run twice."""
    return services.send_signup_digests()
