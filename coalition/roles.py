"""Roles of the portal: the groups, what each may do in the admin, and the questions views ask."""

from django.utils.translation import gettext_lazy as _

COORDINATOR = "Coordinator"
EDITORIAL_TEAM = "Editorial team"
MEMBER = "Member"

ROLE_LABELS = {
    COORDINATOR: _("Coordinator"),
    EDITORIAL_TEAM: _("Editorial team"),
    MEMBER: _("Member"),
}

# The model permissions each role holds, as "app_label.codename". A codename that does not
# exist yet (its model comes in a later migration) is skipped and picked up on the next migrate.
ROLE_PERMISSIONS = {
    COORDINATOR: [
        f"{app}.{action}_{model}"
        for app, models in {
            "coalition": ["mailing", "delivery"],
            "members": ["profile", "organisation", "municipality", "theme", "offering"],
            "journal": ["edition", "story", "tip", "editorialmembership", "subscriber"],
            "events": ["event", "registration", "invitation", "material", "feedback"],
        }.items()
        for model in models
        for action in ("view", "add", "change", "delete")
    ]
    + ["members.approve_profile", "journal.publish_edition", "events.send_invitations"],
    EDITORIAL_TEAM: [
        "journal.view_edition",
        "journal.add_story",
        "journal.change_story",
        "journal.view_story",
        "journal.view_tip",
        "journal.change_tip",
        "members.view_profile",
        "members.view_organisation",
    ],
    MEMBER: [
        "members.view_profile",
        "members.view_organisation",
        "members.view_offering",
    ],
}


def sync_role_permissions(sender=None, **kwargs):
    """Create the groups if needed and give each exactly the permissions listed above."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def has_role(user, role):
    if not user.is_authenticated or not user.is_active:
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return role in cache


def is_coordinator(user):
    return user.is_authenticated and (user.is_superuser or has_role(user, COORDINATOR))


def is_editor(user):
    """Editorial team members and coordinators: who may see and work on unpublished journal work."""
    return is_coordinator(user) or has_role(user, EDITORIAL_TEAM)


def is_approved_member(user):
    """An approved member sees the directory; pending and declined people see nothing of it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_coordinator(user):
        return True
    profile = getattr(user, "profile", None)
    return profile is not None and profile.is_approved
