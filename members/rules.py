"""Who may do what with people, organisations and offerings (django-rules; see coalition/rules.py)."""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.roles import MEMBER
from coalition.rules import add_model_perms, explain, is_active_user, is_approved_member, is_coordinator, is_editor

from .models import Profile, User

# No account has this key (keys start at 1): the stand-in viewer below is nobody's own profile.
NOBODY = 0


def another_member():
    """A stand-in for any ordinary approved member: an unsaved account in the Member role with an approved profile.

    "See my page as others do" renders the profile page for this viewer, so every rule and filter that decides what
    a colleague sees (Profile.objects.visible_to, contact_card, the predicates below) answers as for a real one.
    """
    viewer = User(pk=NOBODY, is_active=True, is_staff=False, is_superuser=False)
    viewer._role_names = {MEMBER}  # the cache coalition.roles.has_role reads: no query for an unsaved account
    Profile(user=viewer, status=Profile.Status.APPROVED)  # sets viewer.profile
    return viewer


@rules.predicate
def is_own_profile(user, profile):
    return profile is not None and user.is_authenticated and profile.user_id == user.pk


@rules.predicate
def is_in_directory(user, profile):
    """An approved member with an active account: whom the directory shows at all (ProfileQuerySet.approved)."""
    return profile is not None and profile.is_approved and profile.user.is_active


@rules.predicate
def is_listed(user, profile):
    """A person who lets other members find them (coordinators find everyone)."""
    return profile is not None and profile.is_listed


# An approved, active, listed member: what an approved member may find in the directory.
is_listed_member = is_in_directory & is_listed


# Who else may approve a sign-up, besides the regional coordinators: predicates (user, profile) that a higher layer
# adds in its AppConfig.ready() — the network adds the coordinators of the coalitions the person works in. Without
# a profile they answer whether the user may approve anyone at all (the pending page).
EXTRA_APPROVERS = []


@rules.predicate
def is_extra_approver(user, profile):
    return any(predicate(user, profile) for predicate in EXTRA_APPROVERS)


@rules.predicate
def is_contact_of(user, organisation):
    """One of the people who keep this organisation's page current (an approved member)."""
    if organisation is None or organisation.pk is None or not user.is_authenticated:
        return False
    return organisation.contacts.filter(user=user).exists()


@rules.predicate
def is_contact_of_offering(user, offering):
    return offering is not None and is_contact_of(user, offering.organisation)


# The directory and a person's page: approved members; a person always sees their own page.
rules.add_perm("members.view_directory", is_approved_member)
# The same question as Profile.objects.visible_to(user) asks of many rows at once (a test holds them equal).
rules.add_perm(
    "members.view_member", is_in_directory & (is_coordinator | (is_approved_member & (is_own_profile | is_listed)))
)
# A person's photo: whoever may see the person, and the person themselves (a pending member too, on their own page).
rules.add_perm("members.view_photo", is_own_profile | is_coordinator | (is_approved_member & is_listed_member))
# The account's own pages: the profile form and its preview as colleagues see it, 'download my data' (JSON and the
# readable page), deleting the account.
rules.add_perm("members.manage_own_account", is_active_user)
# Saving a profile (members.services.save_profile): the person's own, or anyone's by a coordinator (the admin).
rules.add_perm("members.edit_profile", is_coordinator | (is_active_user & is_own_profile))
# Approving and declining sign-ups (the admin action and the pending page).
rules.add_perm("members.approve_profile", is_coordinator | (is_approved_member & is_extra_approver))
# An organisation's page and its offerings: its contacts and coordinators.
rules.add_perm("members.edit_organisation", is_coordinator | (is_approved_member & is_contact_of))
rules.add_perm("members.edit_offering", is_coordinator | (is_approved_member & is_contact_of_offering))

# The admin. Editors see people as an approved member does (the admin narrows the rows and fields); what lies
# beyond — unlisted and pending people, hidden contact details, who keeps a page current, the change history — is
# the coordinators' (members.admin.sees_everyone).
rules.add_perm("members", is_coordinator | is_editor)
rules.add_perm("members.view_all_details", is_coordinator)
add_model_perms(
    "members.profile",
    view=is_coordinator | is_editor,
    add=is_coordinator,
    change=is_coordinator,
    delete=is_coordinator,
)
add_model_perms(
    "members.organisation",
    view=is_coordinator | is_editor,
    add=is_coordinator,
    change=is_coordinator,
    delete=is_coordinator,
)
for _model in ("municipality", "theme", "offering"):
    add_model_perms(
        f"members.{_model}", view=is_coordinator, add=is_coordinator, change=is_coordinator, delete=is_coordinator
    )

explain("members.view_directory", _("The member directory is open to approved members of the network only."))
explain("members.view_member", _("This member's page is open to approved members of the network only."))
explain("members.view_photo", _("This photo is shown only to those who may see this member."))
explain(
    "members.approve_profile",
    _("Only coordinators, and coalition coordinators for people in their municipalities, approve or decline members."),
)
explain("members.edit_organisation", _("Only the contacts of this organisation and coordinators can edit it."))
explain("members.edit_offering", _("Only the contacts of this organisation and coordinators can edit its offerings."))
explain("members.edit_profile", _("Only the person themselves and coordinators can change a profile."))
