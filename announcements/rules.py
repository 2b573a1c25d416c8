"""Who may write, send and read announcements (django-rules; see coalition/rules.py).

A regional coordinator writes to anyone; a coalition coordinator writes for the people of their own coalitions
only, and manages the announcements of those coalitions. An announcement is read on the site by those who
manage it and by those it was mailed to (a delivery of its mailing to their address), if their account is in
good standing (an approved member, or a guest or subscriber with an account; not a pending or declined one).
"""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.models import Delivery
from coalition.rules import explain, is_active_user, is_approved_member, is_coordinator
from members.models import Profile
from network.rules import coordinated_coalition_ids, is_coalition_coordinator

from .models import addresses_of


def managed_coalition_ids(user):
    """None for a regional coordinator (every announcement); else the ids of the coalitions they coordinate."""
    if is_coordinator(user):
        return None
    return coordinated_coalition_ids(user)


@rules.predicate
def has_unapproved_profile(user):
    """A pending or declined member: the portal's content is closed to them. Asked once per user object."""
    answer = getattr(user, "_has_unapproved_profile", None)
    if answer is None:
        answer = Profile.objects.filter(user=user).exclude(status=Profile.Status.APPROVED).exists()
        user._has_unapproved_profile = answer
    return answer


# Approved members and coordinators; guests and subscribers who have an account without a member profile.
is_reader = is_approved_member | (is_active_user & ~has_unapproved_profile)


@rules.predicate
def is_draft(user, announcement):
    return announcement is not None and not announcement.is_sent


@rules.predicate
def received_it(user, announcement):
    """The announcement's mail went to this person's address (any case); a skipped delivery did not reach them."""
    if announcement is None or announcement.mailing_id is None or not user.email:
        return False
    return (
        Delivery.objects.filter(mailing_id=announcement.mailing_id, address__in=addresses_of(user))
        .exclude(state=Delivery.State.SKIPPED)
        .exists()
    )


# Writing: a regional coordinator for anyone, a coalition coordinator for their own coalitions (the segment is
# checked against those by the service); without an object, whether the person may write any at all.
manages_announcement = is_coordinator | is_coalition_coordinator

rules.add_perm("announcements.add_announcement", manages_announcement)
rules.add_perm("announcements.manage_announcement", manages_announcement)
rules.add_perm("announcements.send_announcement", manages_announcement & is_draft)
rules.add_perm("announcements.view_announcement_list", is_reader)
rules.add_perm("announcements.view_announcement", manages_announcement | (is_reader & received_it))

explain(
    "announcements.add_announcement",
    _("Announcements are written by regional coordinators and by coalition coordinators for their coalitions."),
)
explain(
    "announcements.manage_announcement",
    _("Only the coordinators of this announcement's coalition and regional coordinators can change it."),
)
explain(
    "announcements.send_announcement",
    _("Only a draft announcement can be sent, by its coalition's coordinators or a regional coordinator."),
)
explain("announcements.view_announcement_list", _("Announcements are for members of the network."))
explain(
    "announcements.view_announcement",
    _("An announcement can be read here by the people it was sent to and by its coordinators."),
)
