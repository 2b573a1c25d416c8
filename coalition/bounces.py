"""Addresses mail cannot reach: putting them on the suppression list (a permanent failure) and taking them off."""

from django.db import transaction
from django.utils import timezone

from .models import Suppression
from .rules import ensure_permitted


@transaction.atomic
def suppress(address: str, *, reason: str, source: str = Suppression.Source.SMTP) -> Suppression:
    """Put `address` on the suppression list (again, if it was cleared); later mailings skip it."""
    suppression, created = Suppression.objects.select_for_update().get_or_create(
        address=address.strip().lower(), defaults={"reason": reason[:2000], "source": source}
    )
    if not created and not suppression.is_active:
        suppression.reason, suppression.source = reason[:2000], source
        suppression.created_at, suppression.cleared_at, suppression.cleared_by = timezone.now(), None, None
        suppression.save()
    return suppression


@transaction.atomic
def clear_suppression(suppression: Suppression, *, by=None) -> Suppression:
    """Take an address off the list: a coordinator (`by`, checked with the rules) or the person confirming the
    address again (`by=None`, from the account's confirmation)."""
    if by is not None:
        ensure_permitted(by, "coalition.change_suppression", suppression)
    Suppression.objects.filter(pk=suppression.pk, cleared_at__isnull=True).update(
        cleared_at=timezone.now(), cleared_by=by
    )
    suppression.refresh_from_db()
    return suppression
