"""What groups add to the network: the list of a coalition's groups on its page, and "the members of a group" as
a part of the network that announcements, invitations and surveys can go to.

Registered in GroupsConfig.ready() into network.sections and network.audiences (the network never imports groups).
"""

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from coalition.rules import is_approved_member
from members.forms import LongSelectMultiple
from members.models import Profile
from network.audiences import Person, Source
from network.sections import Section

from .models import Group, Membership


def coalition_groups(coalition, user):
    """The coalition's groups (not archived) with their member counts, for approved members; one query."""
    if not is_approved_member(user):
        return None
    groups = list(
        Group.objects.active()
        .filter(coalition=coalition)
        .annotate(member_count=Count("memberships", filter=Q(memberships__state=Membership.State.ACTIVE)))
        .order_by("name", "pk")
    )
    if not groups:
        return None
    return Section(title=_("Groups"), template="groups/includes/coalition_groups.html", context={"groups": groups})


class GroupChoiceField(forms.ModelMultipleChoiceField):
    """Groups by name and coalition: two coalitions may each have a "Klankbordgroep professionals"."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.coalition.name if obj.coalition_id else _('regional')})"


def group_members_field():
    return GroupChoiceField(
        label=_("Members of groups"),
        queryset=Group.objects.active().select_related("coalition").order_by("name", "pk"),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 6}),
        help_text=_("The active members of the working groups, sounding-board groups and MDOs chosen."),
    )


def group_members(group_ids):
    """The active members of these groups who are approved members, each address once, in name order."""
    rows = (
        Membership.objects.active()
        .filter(group__in=group_ids, profile__status=Profile.Status.APPROVED, profile__user__is_active=True)
        .order_by("profile__sort_surname", "profile__sort_first_name", "profile_id")
        .values_list("profile_id", "profile__user__email", "profile__first_name", "profile__last_name")
    )
    people = {}
    for profile_id, email, first_name, last_name in rows:
        if email:
            people.setdefault(
                email.lower(),
                Person(email=email.lower(), name=f"{first_name} {last_name}".strip(), profile_id=profile_id),
            )
    return list(people.values())


GROUP_MEMBERS_SOURCE = Source(
    key="groups",
    field=group_members_field,
    people=group_members,
    to_params=lambda groups: sorted(group.pk for group in groups),
)
