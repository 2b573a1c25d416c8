"""Who may do what, site-wide: the roles as django-rules predicates, the outbox's permissions, and the refusal.

Every app's `rules.py` builds its object permissions from these predicates (as pretalx does), and
views, the admin, templates (`{% load rules %}{% has_perm … %}`) and services all ask
`user.has_perm(name, obj)`. A refusal always says why: `refusal_reason()` turns the person's standing
and the permission into one sentence, shown on the one 403 page.
"""

from typing import NoReturn

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import roles


class DomainError(Exception):
    """A rule of the domain said no. `str()` is the translated message meant for the person who asked."""


class NotAllowed(DomainError):
    """The acting person may not do this (a service asked the rules)."""


# --- Predicates on the person ----------------------------------------------------------------------


@rules.predicate
def is_active_user(user):
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_coordinator(user):
    """A regional coordinator (or a superuser): every right everywhere."""
    return bool(user) and roles.is_coordinator(user)


@rules.predicate
def is_editor(user):
    """Editorial team members and coordinators."""
    return bool(user) and roles.is_editor(user)


@rules.predicate
def is_approved_member(user):
    """Approved members (and coordinators) see the directory; pending and declined people do not."""
    return bool(user) and roles.is_approved_member(user)


def add_model_perms(
    label: str,
    *,
    view: rules.Predicate,
    add: rules.Predicate | None = None,
    change: rules.Predicate | None = None,
    delete: rules.Predicate | None = None,
) -> None:
    """The admin's four permissions of one model ("app.model") as rules; an action left out is refused to all."""
    app_label, model = label.split(".")
    for action, predicate in (("view", view), ("add", add), ("change", change), ("delete", delete)):
        rules.add_perm(f"{app_label}.{action}_{model}", predicate or rules.always_deny)


# --- The outbox: every subscriber's address, so coordinators only -----------------------------------

rules.add_perm("coalition", is_coordinator)
add_model_perms("coalition.mailing", view=is_coordinator, change=is_coordinator)
add_model_perms("coalition.delivery", view=is_coordinator, change=is_coordinator)
add_model_perms("coalition.suppression", view=is_coordinator, add=is_coordinator, change=is_coordinator)
add_model_perms("coalition.optout", view=is_coordinator)


# --- Why a refusal happened --------------------------------------------------------------------------

# What a permission is for, in the words of the refusal page ("… only for …"). Each app registers its own.
REASONS = {}


def explain(permission: str, reason: str) -> None:
    """Register the sentence that explains who may use a permission."""
    REASONS[permission] = reason


def refusal_reason(user, permission: str | None = None) -> str:
    """One sentence saying why `user` may not do `permission`: their standing first, then the rule's purpose."""
    if not is_active_user(user):
        return (
            _("Log in to see this page.")
            if not getattr(user, "is_authenticated", False)
            else _("This account has been deactivated.")
        )
    profile = getattr(user, "profile", None)
    if not is_coordinator(user) and profile is not None and not profile.is_approved:
        if profile.is_pending:
            return _("Your account is waiting for a coordinator's approval.")
        return _("Your account has not been approved, so this part of the portal is closed to you.")
    reason = REASONS.get(permission)
    return str(reason) if reason else _("Your account does not give access to this page.")


def ensure_permitted(user, permission: str, obj: object = None) -> None:
    """For services that take the acting person (`by=`): raise NotAllowed with the reason when the rule says no."""
    if not user.has_perm(permission, obj):
        raise NotAllowed(refusal_reason(user, permission))


def refuse(user, permission: str | None = None) -> NoReturn:
    """For views: raise the 403 that the one refusal page shows, with the reason."""
    raise PermissionDenied(refusal_reason(user, permission))


@rules.predicate
def composed_mail_check(user, check):
    """The check step of a mass mail is for the person who composed it (coalition.checkstep)."""
    return check is not None and is_active_user(user) and check.created_by_id == user.pk


rules.add_perm("coalition.use_mail_check", composed_mail_check)
explain("coalition.use_mail_check", gettext_lazy("Only the person who composed a mail checks and sends it."))
explain("coalition.view_mailing", gettext_lazy("Only coordinators see mailings and their recipients."))
