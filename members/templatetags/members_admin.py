"""What the admin's index tells a coordinator first: how many people wait for approval."""

from django import template

from ..models import Profile

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_member_count(context):
    """The number of people waiting for approval, or None for someone who may not approve them."""
    user = context["request"].user
    if not user.has_perm("members.approve_profile") or not user.has_perm("members.view_profile"):
        return None
    return Profile.objects.pending().count()
