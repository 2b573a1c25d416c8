"""Writing an announcement: a draft saved with who it goes to, checked against the writer's coalitions."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.models import Mailing
from coalition.rules import DomainError, NotAllowed, ensure_permitted
from network.audiences import Segment

from .models import Announcement
from .rules import managed_coalition_ids


class AlreadySent(DomainError):
    """A sent announcement stays as it went out."""


def ensure_segment_allowed(segment: Segment, *, by) -> None:
    """A regional coordinator mails anyone; a coalition coordinator only the people of their own coalitions: one of
    those is chosen, nothing outside them (no other coalition, not all members, no added groups on top)."""
    allowed = managed_coalition_ids(by)
    if allowed is None:
        return
    if (
        not segment.coalitions
        or not set(segment.coalitions) <= set(allowed)
        or segment.all_members
        or any(segment.sources.values())
    ):
        raise NotAllowed(_("You can write only to the people of your own coalitions."))


def coalition_for(segment: Segment, *, by) -> int | None:
    """Which coalition an announcement belongs to: for a coalition coordinator the (first) of theirs it goes to;
    for a regional coordinator the one coalition chosen, else none (a regional announcement)."""
    if managed_coalition_ids(by) is None:
        return segment.coalitions[0] if len(segment.coalitions) == 1 else None
    return min(segment.coalitions)


def save_draft(announcement: Announcement, *, segment: Segment, by) -> Announcement:
    """Save a new or changed draft (the fields as a validated form set them) with the segment it goes to."""
    ensure_permitted(by, "announcements.add_announcement")
    ensure_segment_allowed(segment, by=by)
    if announcement.pk is not None:
        current = Announcement.objects.filter(pk=announcement.pk).values("sent_at", "coalition_id").get()
        if current["sent_at"] is not None:
            raise AlreadySent(_("This announcement was sent already; it can no longer be changed."))
        if not by.has_perm("announcements.manage_announcement", Announcement(coalition_id=current["coalition_id"])):
            raise NotAllowed(_("Only the coordinators of this announcement's coalition can change it."))
    announcement.segment = segment.to_params()
    announcement.coalition_id = coalition_for(segment, by=by)
    if announcement.created_by_id is None:
        announcement.created_by = by
    announcement.save()
    return announcement


def mark_sent(announcement: Announcement, *, mailing: Mailing, recipient_count: int) -> None:
    """Record that the announcement went out as `mailing` (within the check step's transaction)."""
    with transaction.atomic():
        updated = Announcement.objects.filter(pk=announcement.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), mailing=mailing, recipient_count=recipient_count
        )
        if not updated:
            raise AlreadySent(_("This announcement was sent already; it was not sent again."))
    announcement.refresh_from_db(fields=["sent_at", "mailing", "recipient_count"])
