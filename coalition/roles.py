"""Roles of the portal: the groups that mark them and the questions the rules (coalition/rules.py) build on."""

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

COORDINATOR = "Coordinator"
EDITORIAL_TEAM = "Editorial team"
MEMBER = "Member"

ROLE_LABELS = {
    COORDINATOR: _("Coordinator"),
    EDITORIAL_TEAM: _("Editorial team"),
    MEMBER: _("Member"),
}

# The groups are role markers only: what each role may do is a rule in <app>/rules.py (django-rules).
ROLES = [COORDINATOR, EDITORIAL_TEAM, MEMBER]


def sync_roles(sender=None, **kwargs):
    """Create the role groups if needed; permissions held by a group are removed, since the rules answer."""
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.clear()


def has_role(user, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return role in cache


def is_coordinator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, COORDINATOR))


def is_editor(user) -> bool:
    """Editorial team members and coordinators: who may see and work on unpublished journal work."""
    return is_coordinator(user) or has_role(user, EDITORIAL_TEAM)


def is_approved_member(user) -> bool:
    """An approved member sees the directory; pending and declined people see nothing of it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_coordinator(user):
        return True
    profile = getattr(user, "profile", None)
    return profile is not None and profile.is_approved
