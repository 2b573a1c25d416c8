"""Operations on signal cards: telling coordinators when a contact person can no longer be reached."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coalition.mail import Recipient, absolute_url, queue_mailing
from coalition.roles import COORDINATOR

from .models import SignalContact


def responsible_users(card):
    """Who answers for a card: the coordinators of its coalition (or its municipality's); else the regional ones."""
    user_model = get_user_model()
    place = (
        Q(coalition_roles__coalition_id=card.coalition_id)
        if card.coalition_id
        else Q(coalition_roles__coalition__municipality_links__municipality_id=card.municipality_id)
    )
    users = list(user_model.objects.filter(is_active=True).filter(place).distinct().order_by("email"))
    return users or list(user_model.objects.filter(is_active=True, groups__name=COORDINATOR).order_by("email"))


def _unreachable():
    return (
        Q(profile__isnull=True)
        | ~Q(profile__status="approved")
        | Q(profile__is_listed=False)
        | Q(profile__user__is_active=False)
    )


def report_departed_contacts(*, contacts=None):
    """Tell the coordinators of each card, once, which of its contacts can no longer be reached.

    Looks at every contact not reported yet (or only `contacts`, a queryset); a contact reachable again is
    cleared, so a later departure is reported again. Safe to run twice: rows are locked and marked in the same
    transaction as the mails are queued. Returns how many contacts were reported.
    """
    with transaction.atomic():
        SignalContact.objects.filter(left_reported_at__isnull=False).exclude(_unreachable()).update(
            left_reported_at=None
        )
        pending = (contacts if contacts is not None else SignalContact.objects.all()).filter(
            _unreachable(), left_reported_at__isnull=True
        )
        locked = list(
            SignalContact.objects.filter(pk__in=pending.values("pk"))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        if not locked:
            return 0
        return _report_now([contact.pk for contact in locked])


def report_leaving_account(user):
    """An account is about to be deleted: report its contacts now, while their name is still known."""
    # Marked as if the profile were gone already: after the deletion the row has no profile and stays reported.
    contacts = SignalContact.objects.filter(profile__user=user, left_reported_at__isnull=True)
    with transaction.atomic():
        ids = list(contacts.select_for_update(of=("self",)).values_list("pk", flat=True))
        return _report_now(ids)


def _report_now(ids):
    """Report these contacts whatever their state (the account is leaving but not yet gone)."""
    rows = SignalContact.objects.filter(pk__in=ids, left_reported_at__isnull=True)
    per_recipient = defaultdict(list)
    rows = list(rows.select_related("card__signal", "card__municipality", "card__coalition", "profile", "organisation"))
    for contact in rows:
        for user in responsible_users(contact.card):
            per_recipient[(user.email, user.get_full_name())].append(
                {
                    "name": str(contact.profile) if contact.profile_id else "",
                    "role": contact.role,
                    "signal": contact.card.signal.name,
                    "place": str(contact.card.place),
                    "organisation": str(contact.organisation or ""),
                    "url": absolute_url(f"/admin/signals/signalcard/{contact.card_id}/change/"),
                }
            )
    for (email, name), items in per_recipient.items():
        queue_mailing(
            template="signals/contact_left",
            recipients=[Recipient(email, name)],
            context={"contacts": items},
            description="Signal route: contact no longer reachable",
        )
    SignalContact.objects.filter(pk__in=[contact.pk for contact in rows]).update(left_reported_at=timezone.now())
    return len(rows)
