"""The outbox workers: send a mailing's pending deliveries, sweep mailings that got stuck."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .mail import render_delivery
from .models import Delivery, Mailing

logger = logging.getLogger(__name__)


@shared_task
def send_mailing(mailing_id):
    """Send every pending delivery of a mailing (first version; hardened by the outbox work)."""
    Mailing.objects.filter(pk=mailing_id, state=Mailing.State.QUEUED).update(state=Mailing.State.SENDING)
    connection = get_connection()
    while True:
        with transaction.atomic():
            batch = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .select_related("mailing")
                .filter(mailing_id=mailing_id, state=Delivery.State.PENDING)[: settings.MAIL_BATCH_SIZE]
            )
            if not batch:
                break
            for delivery in batch:
                delivery.attempts += 1
                try:
                    render_delivery(delivery, connection=connection).send()
                except Exception as exc:  # noqa: BLE001 - recorded on the delivery
                    delivery.state = Delivery.State.FAILED
                    delivery.last_error = str(exc)[:2000]
                else:
                    delivery.state = Delivery.State.SENT
                    delivery.sent_at = timezone.now()
                delivery.save(update_fields=["state", "attempts", "last_error", "sent_at"])
    failed = Delivery.objects.filter(mailing_id=mailing_id, state=Delivery.State.FAILED).exists()
    Mailing.objects.filter(pk=mailing_id).exclude(state__in=[Mailing.State.SENT, Mailing.State.SENT_WITH_FAILURES]).update(
        state=Mailing.State.SENT_WITH_FAILURES if failed else Mailing.State.SENT, finished_at=timezone.now()
    )


@shared_task
def sweep_mailings():
    """Re-enqueue mailings whose deliveries are still pending after the grace period."""
    cutoff = timezone.now() - timedelta(minutes=settings.MAIL_SWEEP_GRACE_MINUTES)
    stuck = (
        Mailing.objects.filter(Q(state=Mailing.State.QUEUED) | Q(state=Mailing.State.SENDING), queued_at__lt=cutoff)
        .filter(deliveries__state=Delivery.State.PENDING)
        .distinct()
        .values_list("pk", flat=True)
    )
    for mailing_id in stuck:
        send_mailing.delay(mailing_id)
