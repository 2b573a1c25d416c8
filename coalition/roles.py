"""Roles of the portal: the groups that mark them and the questions the rules (coalition/rules.py) build on."""

import functools

from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connections
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
    names = getattr(user, "_role_names", None)  # getattr: request.user is a lazy object that forwards it
    if names is None:
        _load_standing(user)
        names = user._role_names
    return role in names


def _load_standing(user) -> None:
    """Read the person's role names and profile approval in one narrow statement, kept on the user object.

    Every page asks the roles (the header's navigation, the rules), so this is one round trip of two short
    columns instead of the groups and the whole profile row through the ORM. The user object lives for one
    request, so a declined or removed member loses access with their next request.
    """
    model, alias = user._meta.model, user._state.db or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(_standing_sql(model, alias), [user.pk])
        rows = cursor.fetchall()
    user._role_names = {name for _status, name in rows if name is not None}
    user._profile_approved = bool(rows) and rows[0][0] == _profile_model(model).Status.APPROVED


def _profile_model(user_model):
    """members.Profile, reached through the user model (coalition sits below members and does not import it)."""
    return user_model._meta.get_field("profile").related_model


@functools.cache
def _standing_sql(user_model, alias) -> str:
    """The ORM's SQL for (profile status, group name) of one person, composed once: one row per group, one row
    with NULLs for a person without any. Composing it costs more CPU than running it."""
    query = user_model._default_manager.filter(pk=0).values_list("profile__status", "groups__name").query
    sql, params = query.get_compiler(alias).as_sql()
    assert list(params) == [0], params  # the one parameter is the person's key
    return sql


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
    profile_relation = user._meta.get_field("profile")
    if profile_relation.is_cached(user):  # a profile already in memory answers (also for a stand-in viewer)
        profile = profile_relation.get_cached_value(user)
        return profile is not None and profile.is_approved
    approved = getattr(user, "_profile_approved", None)
    if approved is None:  # roles set by hand (members.rules.another_member): ask the profile
        profile = getattr(user, "profile", None)
        return profile is not None and profile.is_approved
    return approved
