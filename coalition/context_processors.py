"""What every page's template knows: the site's name, the visitor's roles and the main navigation.

Every page pays for this, so each value is computed at most once per request and only when a template asks:
the roles cost one query the first time (roles.py keeps them on the user); the frame's addresses are reversed
once per process (they depend only on the script prefix), not on every page.
"""

import functools

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .roles import is_approved_member, is_coordinator, is_editor

# The header's main navigation: (URL name, label, shown to approved members only). An item is the current
# section when the path starts with its URL.
MAIN_NAV = (
    ("network:coalition_list", _("Coalitions"), False),
    ("journal:edition_list", _("Journal"), False),
    ("events:event_list", _("Events"), False),
    ("announcements:announcement_list", _("Announcements"), True),
    ("surveys:survey_list", _("Surveys"), True),
    ("groups:group_list", _("Groups"), True),
    ("members:profile_list", _("Directory"), True),
    ("members:organisation_list", _("Organisations"), False),
    ("members:offering_list", _("Support for parents"), False),
)

# The addresses the header, the footer and the language switcher link to, by the name templates use.
FRAME_URLS = {
    "home": "home",
    "me": "members:me",
    "my_registrations": "events:my_registrations",
    "account": "account_email",
    "admin": "admin:index",
    "cockpit": "cockpit:todo",
    "logout": "account_logout",
    "login": "account_login",
    "signup": "account_signup",
    "set_language": "set_language",
    "privacy": "privacy",
    "accessibility": "accessibility",
}


def portal(request):
    user = request.user
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "is_coordinator": SimpleLazyObject(lambda: is_coordinator(user)),
        "is_editor": SimpleLazyObject(lambda: is_editor(user)),
        "is_approved_member": SimpleLazyObject(lambda: is_approved_member(user)),
        "suggest_two_factor": SimpleLazyObject(lambda: _lacks_two_factor(user)),
        "may_open_cockpit": SimpleLazyObject(lambda: _may_open_cockpit(user)),
        "main_nav": SimpleLazyObject(lambda: _main_nav(request)),
        "frame_urls": _frame_urls(get_script_prefix()),
    }


@functools.lru_cache(maxsize=8)
def _frame_urls(script_prefix):
    """{name: address} of FRAME_URLS and the main navigation's addresses, for one script prefix."""
    urls = {key: reverse(name) for key, name in FRAME_URLS.items()}
    urls.update({name: reverse(name) for name, _label, _members_only in MAIN_NAV})
    return urls


def _main_nav(request):
    """[{url, label, current}] of the header's main navigation for this visitor."""
    items = []
    urls = _frame_urls(get_script_prefix())
    for name, label, members_only in MAIN_NAV:
        if members_only and not is_approved_member(request.user):
            continue
        url = urls[name]
        items.append({"url": url, "label": label, "current": request.path.startswith(url)})
    return items


def _may_open_cockpit(user):
    """Whether the header links to the cockpit (its rule lives in the top layer and is asked by name).

    A regional coordinator costs nothing (the roles are known); a coalition coordinator always has staff access
    (network.services.appoint_coalition_coordinator gives it), so only staff accounts pay the one query of
    network.rules.coordinated_coalition_ids, and ordinary members' pages none.
    """
    if is_coordinator(user):
        return True
    return user.is_authenticated and user.is_staff and user.has_perm("cockpit.view_cockpit")


def _lacks_two_factor(user):
    """Staff accounts can change member data: nudge them until they have enrolled in TOTP."""
    if not (user.is_authenticated and user.is_staff):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
