"""Who may do what with groups (django-rules; see coalition/rules.py).

Every approved member sees that a group exists (its page: name, purpose, focus points, coordinators, how to join).
What is inside a group (its actions, meeting notes, documents, cases) is for its members and for those who manage
it: the group's coordinators, the coordinators of its coalition and the regional coordinators. A coalition
coordinator of another coalition manages nothing of it. Object permissions take a group or anything that belongs to
one (an action, a document, a membership).
"""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.rules import add_model_perms, explain, is_approved_member, is_coordinator
from network.rules import coordinated_coalition_ids, is_coalition_coordinator

from .models import Action, ActionChange, Document, Group, Membership


def group_of(obj):
    """The group `obj` belongs to (a group is its own), or None."""
    if obj is None or isinstance(obj, Group):
        return obj
    if isinstance(obj, ActionChange):
        return obj.action.group
    if isinstance(obj, Action | Document | Membership):
        return obj.group
    return getattr(obj, "group", None)


def group_roles(user):
    """{group id: (state, role)} of `user`'s memberships; asked once per user object (a request's user)."""
    roles = getattr(user, "_group_roles", None)
    if roles is None:
        roles = {}
        if is_approved_member(user):
            roles = {
                group_id: (state, role)
                for group_id, state, role in Membership.objects.filter(profile__user=user).values_list(
                    "group_id", "state", "role"
                )
            }
        user._group_roles = roles
    return roles


def forget_group_roles(user):
    """After a change of someone's memberships: the next question asks the database again."""
    if hasattr(user, "_group_roles"):
        del user._group_roles


@rules.predicate
def is_group_member(user, obj=None):
    """An active member (or coordinator) of the group `obj` belongs to; without an object, of any group."""
    roles = group_roles(user)
    if obj is None:
        return any(state == Membership.State.ACTIVE for state, _role in roles.values())
    group = group_of(obj)
    return group is not None and roles.get(group.pk, (None, None))[0] == Membership.State.ACTIVE


@rules.predicate
def is_group_coordinator(user, obj=None):
    """A coordinator of the group `obj` belongs to; without an object, of any group."""
    roles = group_roles(user)
    active_coordinator = (Membership.State.ACTIVE, Membership.Role.COORDINATOR)
    if obj is None:
        return active_coordinator in roles.values()
    group = group_of(obj)
    return group is not None and roles.get(group.pk) == active_coordinator


@rules.predicate
def coordinates_coalition_of_group(user, obj=None):
    """Coordinator of the coalition of the group `obj` belongs to (a regional group has none)."""
    if obj is None:
        return is_coalition_coordinator(user)
    group = group_of(obj)
    return (
        group is not None and group.coalition_id is not None and group.coalition_id in coordinated_coalition_ids(user)
    )


@rules.predicate
def is_open_group(user, group):
    return group is not None and not group.is_archived and group.joining == Group.Joining.OPEN


@rules.predicate
def takes_requests(user, group):
    return group is not None and not group.is_archived and group.joining != Group.Joining.BY_INVITATION


@rules.predicate
def is_outside_group(user, group):
    """Neither in the group nor already asked or invited."""
    return group is not None and group.pk not in group_roles(user)


@rules.predicate
def is_invited(user, group):
    return group is not None and group_roles(user).get(group.pk, (None, None))[0] == Membership.State.INVITED


@rules.predicate
def is_owner_of_action(user, action):
    return action is not None and any(owner.user_id == user.pk for owner in action.owners.all())


@rules.predicate
def coordinates_this_coalition(user, coalition):
    """Coordinator of `coalition` (a regional group, `None`, has none)."""
    return coalition is not None and coalition.pk in coordinated_coalition_ids(user)


manages_group = is_coordinator | coordinates_coalition_of_group | is_group_coordinator
sees_inside_group = is_group_member | manages_group

# A group's page (who it is for, who coordinates it, how to join): every approved member of the network.
rules.add_perm("groups.view_group_page", is_approved_member)
# Inside the group: actions, notes, documents, cases, the member list with its requests.
rules.add_perm("groups.view_inside", is_approved_member & sees_inside_group)
# Joining: at once for an open group, as a request otherwise; an invitation-only group takes no requests.
rules.add_perm("groups.join", is_approved_member & is_outside_group & takes_requests)
rules.add_perm("groups.accept_invitation", is_approved_member & is_invited)
rules.add_perm("groups.leave", is_group_member)
# How a member hears about the group (a mail for each thing, a daily digest, nothing): the member themselves.
rules.add_perm("groups.choose_notifications", is_group_member)
# Accepting requests, inviting, naming coordinators, removing members, changing the group, writing notes.
rules.add_perm("groups.manage_group", is_approved_member & manages_group)
# The action list is the group's shared board: every member adds and updates actions.
rules.add_perm("groups.keep_actions", is_approved_member & (is_group_member | manages_group))
rules.add_perm("groups.share_document", is_approved_member & (is_group_member | manages_group))
rules.add_perm("groups.remove_document", is_approved_member & manages_group)
# A coalition coordinator's half-yearly look back and ahead, asked with the coalition (groups.report_views): a
# coalition's coordinators for their own coalition only, a regional coordinator for any.
rules.add_perm("groups.view_report", is_approved_member & (is_coordinator | is_coalition_coordinator))

# The admin (and starting a group: for their coalition, its coordinators; regional groups, the regional
# coordinators): coordinators of the region and of coalitions (the admin narrows the rows to their coalitions).
rules.add_perm("groups", is_coordinator | is_coalition_coordinator)
# Starting a group of a coalition (the object; None for a regional group): its coordinators or the region's.
rules.add_perm("groups.start_group", is_coordinator | (is_approved_member & coordinates_this_coalition))
add_model_perms("groups.group", view=manages_group, add=is_coordinator | is_coalition_coordinator,
                change=manages_group, delete=is_coordinator)  # fmt: skip
add_model_perms("groups.membership", view=manages_group, add=manages_group, change=manages_group,
                delete=manages_group)  # fmt: skip
add_model_perms("groups.action", view=manages_group, add=manages_group, change=manages_group,
                delete=manages_group)  # fmt: skip
add_model_perms("groups.actionchange", view=manages_group)
add_model_perms("groups.document", view=manages_group, add=manages_group, delete=manages_group)

explain("groups.view_group_page", _("Groups are open to approved members of the network."))
explain(
    "groups.view_inside",
    _("What a group works on is for its members and for the coordinators of its coalition and the region."),
)
explain("groups.join", _("You can ask to join a group you are not yet in, unless it takes members by invitation only."))
explain("groups.accept_invitation", _("Only someone invited to this group can accept the invitation."))
explain("groups.leave", _("Only a member of this group can leave it."))
explain("groups.choose_notifications", _("Only a member of this group chooses how they hear about it."))
explain("groups.manage_group", _("A group is managed by its coordinators and the coordinators of its coalition."))
explain("groups.add_group", _("Groups are started by the coordinators of a coalition or of the region."))
explain("groups.start_group", _("A group is started by the coordinators of its coalition or of the region."))
explain("groups.keep_actions", _("Only the group's members keep its action list."))
explain("groups.share_document", _("Only the group's members share documents in it."))
explain("groups.remove_document", _("Only the group's coordinators remove its documents."))
explain("groups.view_report", _("The look back and ahead is for the coordinators of the coalition and the region."))
